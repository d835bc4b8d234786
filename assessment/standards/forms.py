"""QC-1 forms: the standard's card (with its first draft on creation) and a draft version's text and
dates. Shape only: the services decide, and their refusals land on these fields."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qsm.fields import BoundedDateField, CleanCharField
from qsm.org.models import Department, User
from qsm.web.forms import BootstrapFormMixin, DateInput, PersonField

from ..choices import Module
from .models import SUMMARY_MAX, TEXT_MAX, Standard

_people = User.objects.filter(is_active=True, department__isnull=False).select_related("department")
_departments = Department.objects.filter(is_active=True).order_by("name")


class StandardCardForm(BootstrapFormMixin, forms.Form):
    """The standard itself: what it is, where it applies, who owns it."""

    title = CleanCharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Standard.Kind.choices)
    modules = forms.MultipleChoiceField(label=_("Modules it applies to"), choices=Module.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments it applies to"), queryset=_departments, required=False,
        help_text=_("None chosen: every department."), widget=forms.CheckboxSelectMultiple)
    owner = PersonField(label=_("Owner"), queryset=_people)


class VersionForm(BootstrapFormMixin, forms.Form):
    """A draft version: the three parts of a standard (§4(一)1), what changed, and its dates."""

    title = CleanCharField(label=_("Title"), max_length=200)
    process = CleanCharField(label=_("Service process"), multiline=True, max_length=TEXT_MAX, required=False,
                             widget=forms.Textarea(attrs={"rows": 5}))
    content = CleanCharField(label=_("Service content"), multiline=True, max_length=TEXT_MAX, required=False,
                             widget=forms.Textarea(attrs={"rows": 5}))
    requirements = CleanCharField(label=_("Quality requirements"), multiline=True, max_length=TEXT_MAX,
                                  required=False, widget=forms.Textarea(attrs={"rows": 5}))
    change_summary = CleanCharField(label=_("Summary of changes"), multiline=True, max_length=SUMMARY_MAX,
                                    required=False, widget=forms.Textarea(attrs={"rows": 2}))
    effective_on = BoundedDateField(label=_("Effective from"), required=False, widget=DateInput)
    review_on = BoundedDateField(label=_("Next review on"), required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        effective_on, review_on = data.get("effective_on"), data.get("review_on")
        if effective_on and review_on and review_on <= effective_on:
            self.add_error("review_on", _("The next review comes after the effective date."))
        return data


class StandardCreateForm(StandardCardForm, VersionForm):
    """A new standard and its first draft in one page (the version's title is the standard's)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["title", "kind", "modules", "departments", "owner", "process", "content", "requirements",
                           "change_summary", "effective_on", "review_on"])
