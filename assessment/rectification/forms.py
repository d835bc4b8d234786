"""QC-3 page forms (shape only; the services decide): issue a notice, a plan with its measures,
report completion with evidence, verify."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qsm.fields import CleanCharField
from qsm.org.forms import BootstrapFormMixin
from qsm.org.models import Department, User
from qsm.web.forms import DateInput

MEASURE_ROWS = 5  # measure rows a plan form shows (empty rows are ignored)


class NoticeForm(BootstrapFormMixin, forms.Form):
    department = forms.ModelChoiceField(label=_("Responsible department"), queryset=Department.objects.none(),
                                        required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    requirement = CleanCharField(multiline=True, label=_("What must be rectified"), widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    finding = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("name")


class PlanForm(BootstrapFormMixin, forms.Form):
    """The cause and up to ``MEASURE_ROWS`` measures (``m-<i>-description``, ``m-<i>-owner``, ``m-<i>-due_on``)."""

    cause = CleanCharField(multiline=True, label=_("Cause"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, department=None, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True, department=department).order_by("username") \
            if department is not None else User.objects.none()
        self.people = list(people)
        existing = list(plan.measures.all()) if plan is not None else []
        if plan is not None and not self.is_bound:
            self.initial["cause"] = plan.cause
        for i in range(MEASURE_ROWS):
            m = existing[i] if i < len(existing) else None
            self.fields[f"m-{i}-description"] = CleanCharField(multiline=True,
                label=_("Measure"), required=False, initial=m.description if m else "",
                widget=forms.Textarea(attrs={"rows": 1}))
            self.fields[f"m-{i}-owner"] = forms.ModelChoiceField(
                label=_("Person responsible"), queryset=people, required=False, initial=m.owner_id if m else None)
            self.fields[f"m-{i}-due_on"] = forms.DateField(label=_("Deadline"), required=False, widget=DateInput(),
                                                           initial=m.due_on if m else None)

    def rows(self):
        """The measure rows for the template: (description, owner, due_on) bound fields."""
        return [(self[f"m-{i}-description"], self[f"m-{i}-owner"], self[f"m-{i}-due_on"]) for i in range(MEASURE_ROWS)]

    def measures(self) -> list[dict]:
        data = self.cleaned_data
        out = []
        for i in range(MEASURE_ROWS):
            description = (data.get(f"m-{i}-description") or "").strip()
            owner, due_on = data.get(f"m-{i}-owner"), data.get(f"m-{i}-due_on")
            if description or owner or due_on:
                out.append({"description": description, "owner": owner, "due_on": due_on})
        return out


class ReportForm(BootstrapFormMixin, forms.Form):
    note = CleanCharField(multiline=True, label=_("What was rectified"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("Evidence"), required=False)


class VerifyForm(BootstrapFormMixin, forms.Form):
    comment = CleanCharField(multiline=True, label=_("Verification"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
