"""CMP-4/CMP-5 page forms: the customer's answer (public page and by phone), the confirmation
link, closing unresolved, the case report, preventive measures. Thin: the services check again."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qsm.fields import BoundedDateField, BoundedDateTimeField, CleanCharField
from qsm.org.forms import BootstrapFormMixin
from qsm.web.forms import DateInput, DateTimeLocalInput, PersonField

YES_NO = [("yes", _("Satisfied")), ("no", _("Not satisfied"))]


class AnswerForm(BootstrapFormMixin, forms.Form):
    """The customer's answer: satisfied or not; objections required when not."""

    satisfied = forms.TypedChoiceField(label=_("Are you satisfied with how your complaint was handled?"),
                                       choices=YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect)
    objections = CleanCharField(label=_("What are you not satisfied with?"), required=False, multiline=True,
                                max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("satisfied") is False and not (data.get("objections") or "").strip():
            self.add_error("objections", _("Write what the customer is not satisfied with."))
        return data


class PhoneAnswerForm(AnswerForm):
    """The caller records the customer's answer (CMP-4 by phone)."""

    answered_at = BoundedDateTimeField(past=True, label=_("Call time"), required=False,
                                       widget=DateTimeLocalInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["satisfied"].label = _("Is the customer satisfied?")
        self.fields["objections"].label = _("The customer's objections")


class ConfirmLinkForm(BootstrapFormMixin, forms.Form):
    contact_name = CleanCharField(label=_("Sent to (contact)"), required=False, max_length=100)


class CaseReportForm(BootstrapFormMixin, forms.Form):
    summary = CleanCharField(label=_("Summary"), multiline=True, required=False)
    cause_text = CleanCharField(label=_("Cause"), multiline=True, required=False)
    responsibility_text = CleanCharField(label=_("Responsibility"), multiline=True, required=False)
    measures_text = CleanCharField(label=_("Measures taken"), multiline=True, required=False)
    lessons_learned = CleanCharField(label=_("Lessons learned"), multiline=True, required=False)
    finalise = forms.BooleanField(label=_("Final (the report can no longer be changed)"), required=False)


class PreventiveMeasureForm(BootstrapFormMixin, forms.Form):
    description = CleanCharField(label=_("Preventive measure"), multiline=True, max_length=2000)
    # A type-ahead over the company's active people (never a select of everyone).
    owner = PersonField(label=_("Owner"), queryset=None)
    due_date = BoundedDateField(label=_("Due date"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        from qsm.org.models import User

        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True, department__isnull=False)


class PreventiveDoneForm(BootstrapFormMixin, forms.Form):
    note = CleanCharField(label=_("What was done"), multiline=True, max_length=2000)


class RevokeLinkForm(BootstrapFormMixin, forms.Form):
    """Withdrawing the open link takes no input (the button is the decision)."""
