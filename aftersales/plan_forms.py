"""The forms of the special-solution section of the case page (AFS-2). They check shape only; the
services (aftersales.services.plans) decide, and their refusals land on these forms' fields."""
from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qsm.contacts.forms import CustomerUpdateForm as CustomerUpdateForm  # the core's: progress told to the customer
from qsm.fields import BoundedDateField, BoundedDateTimeField, CleanCharField
from qsm.org.models import Department, User
from qsm.web.forms import (
    BootstrapFormMixin,
    DateInput,
    DateTimeLocalInput,
    PeopleField,
    PersonField,
)


class DiscussionForm(BootstrapFormMixin, forms.Form):
    """Open the discussion of a complex case, or invite more departments and people to it."""

    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    departments = forms.ModelMultipleChoiceField(label=_("Invited departments"), required=False,
                                                 queryset=Department.objects.filter(is_active=True).order_by("name"),
                                                 widget=forms.CheckboxSelectMultiple)
    users = PeopleField(label=_("Invited people"), required=False,
                        queryset=User.objects.filter(is_active=True).select_related("department"))

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:  # the case's own department works it anyway: offer the others
            field = self.fields["departments"]
            field.queryset = field.queryset.exclude(pk=case.department_id)


class DiscussionNoteForm(BootstrapFormMixin, forms.Form):
    body = CleanCharField(multiline=True, label=_("Meeting notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    meeting_at = BoundedDateTimeField(past=True, label=_("Meeting time"), required=False, widget=DateTimeLocalInput())


class PlanForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    content = CleanCharField(multiline=True, label=_("Special solution"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    comment = CleanCharField(label=_("Why it changed"), required=False)


class StepForm(BootstrapFormMixin, forms.Form):
    """A step of the draft plan: what, who (someone taking part in the case), by when.

    The owner is a type-ahead over the people taking part in the case (``case-step-owners``): a
    select of them was ~170 options in every step's form of a draft plan (PERF-1). Whether the
    picked person may own the step is the service's decision (``plan_step_add``)."""

    description = CleanCharField(multiline=True, label=_("What is to be done"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    owner = PersonField(label=_("Owner"), required=False, queryset=User.objects.filter(is_active=True))
    due_date = BoundedDateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(self, *args, case=None, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].know(owner)
        if case is not None:
            self.fields["owner"].set_lookup(reverse("aftersales:case-step-owners", args=[case.pk]))


class StepCompleteForm(BootstrapFormMixin, forms.Form):
    note = CleanCharField(multiline=True, label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PlanCommentForm(BootstrapFormMixin, forms.Form):
    """Start (comment optional) or cancel (the reason is required by the table) the plan."""

    comment = CleanCharField(multiline=True, label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


