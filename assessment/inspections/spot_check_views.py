"""QC-2 page: draw a random spot check (不定期抽查), /quality/spot-checks/new/.

The form checks the shape of the input; ``spot_checks.create_spot_check`` decides (the department
and period, the checklist of the module, the re-check sample of phone visits) and its errors land
on the form's fields. On save the inspector goes to the inspection's page (h3) to carry it out.
"""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from qsm import sampling
from qsm.errors import PermissionDenied, ValidationError
from qsm.org.forms import EMPTY_CHOICE_LABEL, BootstrapFormMixin
from qsm.org.models import Department, User
from qsm.views import add_validation_errors
from qsm.web.forms import DateInput

from ..choices import Module
from . import spot_checks
from .models import MAX_SAMPLE_SIZE, Checklist, Inspection
from .rules import can_draw_spot_check


def _label(name: str):
    """The inspection field's own name (one translation for the form, the page and the admin)."""
    return capfirst(Inspection._meta.get_field(name).verbose_name)


def _module_label(code: str) -> str:
    return str(dict(Module.choices).get(code, code))


class SpotCheckForm(BootstrapFormMixin, forms.Form):
    module = forms.ChoiceField(label=_label("module"), choices=(), error_messages={
        "required": gettext_lazy("Choose one of the modules that can be sampled.")})
    department = forms.ModelChoiceField(label=_label("department"), queryset=Department.objects.none(),
                                        error_messages={"required": gettext_lazy("Choose the department to inspect.")})
    period_start = forms.DateField(label=_label("period_start"), widget=DateInput)
    period_end = forms.DateField(label=_label("period_end"), widget=DateInput)
    sample_size = forms.IntegerField(label=_label("sample_size"), min_value=1, max_value=MAX_SAMPLE_SIZE,
                                     initial=5)
    checklist = forms.TypedChoiceField(label=_label("checklist"), coerce=int, choices=(),
                                       help_text=gettext_lazy("A checklist of the module sampled."),
                                       error_messages={"required": gettext_lazy("Choose the checklist to judge the "
                                                                                "records with.")})
    recheck_only = forms.BooleanField(
        label=_label("recheck_only"), required=False,
        help_text=gettext_lazy("Return visits only (VIS-2): the phone visits the quality department asked to re-check."))
    inspector = forms.ModelChoiceField(label=_label("inspector"), queryset=User.objects.none(), required=False,
                                       help_text=gettext_lazy("Empty: you carry it out."))
    due_on = forms.DateField(label=_label("due_on"), widget=DateInput, required=False)
    title = forms.CharField(label=_label("title"), max_length=200, required=False)
    seed = forms.IntegerField(label=_label("seed"), required=False, min_value=0, max_value=2 ** 63 - 1,
                              help_text=gettext_lazy("Empty: the system picks one and stores it. The same seed draws "
                                                     "the same records again."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = [p.code for p in sampling.populations()]
        self.fields["module"].choices = [("", EMPTY_CHOICE_LABEL)] + [(c, _module_label(c)) for c in codes]
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("name")
        self.fields["inspector"].queryset = User.objects.filter(
            is_active=True, department__kind=Department.Kind.QUALITY).select_related("department").order_by("username")
        grouped: dict[str, list] = {}
        for pk, name, module in Checklist.objects.filter(active=True, module__in=codes).order_by("name", "id") \
                .values_list("pk", "name", "module"):
            grouped.setdefault(module, []).append((pk, name))
        # Only the chosen module's checklists are offered (static/js/qsm.js, data-groups-follow).
        self.fields["checklist"].widget.attrs["data-groups-follow"] = self["module"].auto_id
        self.fields["checklist"].choices = [("", EMPTY_CHOICE_LABEL)] + [
            (_module_label(code), grouped[code]) for code in codes if code in grouped]

    def clean(self):
        data = super().clean()
        pk = data.get("checklist")
        if pk is not None:
            data["checklist"] = Checklist.objects.filter(pk=pk).first()
        return data


class SpotCheckCreateView(LoginRequiredMixin, View):
    template = "assessment/inspections/spot_check_form.html"

    def _check(self, request) -> None:
        if not can_draw_spot_check(request.user):
            raise PermissionDenied(_("Only the quality department draws spot checks."))

    def _initial(self) -> dict:
        today = timezone.localdate()
        last_month_end = today.replace(day=1) - dt.timedelta(days=1)
        initial = {"period_start": last_month_end.replace(day=1), "period_end": last_month_end, "sample_size": 5}
        module = self.request.GET.get("module", "")
        if module in dict(Module.choices):
            initial["module"] = module
        return initial

    def get(self, request):
        self._check(request)
        return render(request, self.template, {"form": SpotCheckForm(initial=self._initial())})

    def post(self, request):
        self._check(request)
        form = SpotCheckForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                inspection = spot_checks.create_spot_check(request.user, **data)
            except ValidationError as exc:
                add_validation_errors(request, exc, form)
            else:
                draw = inspection.draw
                if draw.short:
                    messages.warning(request, _("Spot check %(number)s: only %(drawn)d records could be sampled "
                                                "(%(asked)d asked); all of them were taken.")
                                     % {"number": inspection.number, "drawn": draw.drawn, "asked": draw.asked})
                else:
                    messages.success(request, _("Spot check %(number)s: %(drawn)d of %(available)d records drawn.")
                                     % {"number": inspection.number, "drawn": draw.drawn,
                                        "available": draw.available})
                return redirect("assessment:inspection-detail", pk=inspection.pk)  # carried out there
        return render(request, self.template, {"form": form}, status=400)


# Mounted by assessment/urls.py under /quality/ (the ``assessment`` namespace).
urlpatterns = [
    path("spot-checks/new/", SpotCheckCreateView.as_view(), name="spot-check-create"),
]
