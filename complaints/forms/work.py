"""The forms of the investigation and plan sections of the complaint page (CMP-2, CMP-3). They check
shape only; the services (complaints.services.investigation / plans / measures) decide, and their
refusals land on these forms' fields."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.selectors import cause_choices
from qsm.contacts.forms import CustomerUpdateForm
from qsm.fields import BoundedDateField, BoundedDateTimeField, CleanCharField
from qsm.org.models import Department, User
from qsm.web.forms import (
    BootstrapFormMixin,
    DateInput,
    DateTimeLocalInput,
    PeopleField,
    PersonField,
    SearchableSelect,
    TreeChoiceField,
)

from ..models import MAX_WHYS, WHY_MAX_LENGTH

_people = User.objects.filter(is_active=True, department__isnull=False).select_related("department")
_departments = Department.objects.filter(is_active=True).order_by("name")


class InvestigationForm(BootstrapFormMixin, forms.Form):
    """CMP-2: facts, the structured root cause (cause, up to five whys, the root cause in words) and
    the responsibility (department and a person of it)."""

    facts = CleanCharField(multiline=True, label=_("Facts established"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    root_cause = CleanCharField(multiline=True, label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    responsible_department = forms.ModelChoiceField(label=_("Department responsible"), required=False,
                                                    queryset=_departments)
    responsible_person = PersonField(label=_("Responsible person"), required=False, queryset=_people)
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cause"] = TreeChoiceField(queryset=cause_choices(), widget=SearchableSelect,
                                              label=_("Cause category"), required=False)
        for n in range(1, MAX_WHYS + 1):
            self.fields[f"why_{n}"] = CleanCharField(label=_("Why %(n)d") % {"n": n}, required=False,
                                                     max_length=WHY_MAX_LENGTH)
        self.order_fields(["facts", "cause", *[f"why_{n}" for n in range(1, MAX_WHYS + 1)], "root_cause",
                           "responsible_department", "responsible_person"])

    @property
    def why_fields(self):
        return [self[f"why_{n}"] for n in range(1, MAX_WHYS + 1)]

    def whys(self) -> list[str]:
        return [self.cleaned_data.get(f"why_{n}") or "" for n in range(1, MAX_WHYS + 1)]

    @staticmethod
    def initial_for(complaint) -> dict:
        initial = {"facts": complaint.facts, "cause": complaint.cause_id, "root_cause": complaint.root_cause,
                   "responsible_department": complaint.responsible_department_id,
                   "responsible_person": complaint.responsible_person_id}
        for n, why in enumerate(complaint.whys or [], start=1):
            initial[f"why_{n}"] = why
        return initial


class InvolveForm(BootstrapFormMixin, forms.Form):
    """CMP-2: involve departments and people (the core discussion); more can be involved later."""

    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    departments = forms.ModelMultipleChoiceField(label=_("Departments"), required=False, queryset=_departments,
                                                 widget=forms.CheckboxSelectMultiple)
    users = PeopleField(label=_("People"), required=False, queryset=_people)


class NoteForm(BootstrapFormMixin, forms.Form):
    body = CleanCharField(multiline=True, label=_("Meeting notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    meeting_at = BoundedDateTimeField(past=True, label=_("Meeting time"), required=False, widget=DateTimeLocalInput())


class PlanForm(BootstrapFormMixin, forms.Form):
    summary = CleanCharField(multiline=True, label=_("Approach"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MeasureForm(BootstrapFormMixin, forms.Form):
    """A measure of the draft plan: what, who (their department executes it), by when."""

    description = CleanCharField(multiline=True, label=_("Measure"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = PersonField(label=_("Person responsible"), required=False, queryset=_people)
    due_date = BoundedDateField(label=_("Deadline"), required=False, widget=DateInput())


class PlanCreateForm(MeasureForm):
    """A new plan version: its approach and its first measure (more are added while it is a draft)."""

    summary = CleanCharField(multiline=True, label=_("Approach"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["summary", "description", "owner", "due_date"]

    def measures(self) -> list[dict]:
        data = self.cleaned_data
        return [{"description": data["description"], "owner": data["owner"], "due_date": data["due_date"]}]


class CommentForm(BootstrapFormMixin, forms.Form):
    comment = CleanCharField(multiline=True, label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(BootstrapFormMixin, forms.Form):
    reason = CleanCharField(multiline=True, label=_("Reason for rejecting"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MeasureDoneForm(BootstrapFormMixin, forms.Form):
    note = CleanCharField(multiline=True, label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("Evidence"), required=False)


# CMP-3: progress told to the customer (the complaint's contact log): the after-sales form, as is.
ProgressForm = CustomerUpdateForm
