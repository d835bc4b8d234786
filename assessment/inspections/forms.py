"""QC-2 page forms: they check the shape of the input; the services decide."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qsm.fields import CleanCharField
from qsm.org.forms import BootstrapFormMixin
from qsm.org.models import Department, User
from qsm.web.forms import DateInput, PersonField, SearchableSelectMultiple

from ..choices import Module
from .models import MAX_SAMPLE_SIZE, Finding, InspectionPlan, ItemKind


def _standards():
    from ..standards.models import Standard

    return Standard.objects.filter(retired=False, current_version__isnull=False).order_by("number")


class ChecklistCreateForm(BootstrapFormMixin, forms.Form):
    """A checklist built from standards: one item per line of their effective versions."""

    name = forms.CharField(label=_("Name"), max_length=200, error_messages={"required": _("Name the checklist.")})
    module = forms.ChoiceField(label=_("Module"), choices=Module.choices)
    standards = forms.ModelMultipleChoiceField(label=_("Built from standards"), queryset=None,
                                               widget=SearchableSelectMultiple, required=False)
    description = CleanCharField(multiline=True, label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standards"].queryset = _standards()


class ChecklistEditForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = CleanCharField(multiline=True, label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    active = forms.BooleanField(label=_("Active"), required=False)


class ItemForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("Item"), max_length=500, error_messages={"required": _("Write the item.")})
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    guidance = CleanCharField(multiline=True, label=_("How to judge"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class PlanForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, error_messages={"required": _("Name the plan.")})
    department = forms.ModelChoiceField(label=_("Inspected department"), queryset=Department.objects.filter(
        is_active=True).order_by("name"))
    module = forms.ChoiceField(label=_("Module"), choices=Module.choices)
    checklist = forms.ModelChoiceField(label=_("Checklist"), queryset=None)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=InspectionPlan.Frequency.choices)
    sample_size = forms.IntegerField(label=_("Sample size"), min_value=1, max_value=MAX_SAMPLE_SIZE)
    inspector = PersonField(label=_("Inspector"), queryset=User.objects.filter(is_active=True))
    next_run_on = forms.DateField(label=_("Next run on"), widget=DateInput)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        from .models import Checklist

        super().__init__(*args, **kwargs)
        self.fields["checklist"].queryset = Checklist.objects.filter(active=True).order_by("name")


class JudgeForm(BootstrapFormMixin, forms.Form):
    """One finding: pass / fail / not applicable, a comment (required for a failure), evidence."""

    result = forms.ChoiceField(label=_("Result"), choices=[c for c in Finding.Result.choices
                                                           if c[0] != Finding.Result.PENDING],
                               widget=forms.RadioSelect, error_messages={"required": _("Choose a result.")})
    comment = CleanCharField(multiline=True, label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("Evidence"), required=False)


class CompleteForm(BootstrapFormMixin, forms.Form):
    comment = CleanCharField(multiline=True, label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
