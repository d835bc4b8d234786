"""After-sales page forms (AFS-1/2). They check the shape of the input; the services decide."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qsm.contacts.forms import ContactForm as ContactForm  # the core's, re-exported for the views
from qsm.contacts.forms import ReplyForm as ReplyForm
from qsm.contacts.models import Channel
from qsm.fields import CleanCharField
from qsm.org.forms import NEW_CUSTOMER as NEW_CUSTOMER  # the core's value, used by the views
from qsm.org.forms import BootstrapFormMixin
from qsm.org.models import Department, User
from qsm.web.forms import SearchableSelect, TreeChoiceField
from qsm.web.intake_forms import OrderIntakeForm

from .models import Case, CauseCategory


def cause_field(**kwargs) -> TreeChoiceField:
    from .selectors import cause_choices

    return TreeChoiceField(queryset=cause_choices(), widget=SearchableSelect, **kwargs)


class CaseIntakeForm(OrderIntakeForm):
    """AFS-1 fast intake: the core's order intake with the channel, the type of problem and the
    severity."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, widget=forms.RadioSelect,
                                error_messages={"required": _("Choose a channel.")})
    case_type = forms.ChoiceField(label=_("Case type"), choices=Case.Type.choices, widget=forms.RadioSelect,
                                  error_messages={"required": _("Choose the type of problem.")})
    severity = forms.ChoiceField(label=_("Severity"), choices=Case.Severity.choices, initial=Case.Severity.NORMAL,
                                 widget=forms.RadioSelect)
    description = CleanCharField(multiline=True, label=_("Description of the problem"), widget=forms.Textarea(attrs={"rows": 4}),
                                 error_messages={"required": _("Describe the problem the customer reports.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["channel", "customer", "new_customer_name", "new_customer_phone", "new_customer_contact",
                           "contact_name", "contact_phone", "case_type", "severity", "subject", "description",
                           "order", "delivery", "product", "received_at"])


class DiagnoseForm(BootstrapFormMixin, forms.Form):
    """AFS-2: diagnosis, cause (two-level taxonomy + free text) and solution."""

    diagnosis = CleanCharField(multiline=True, label=_("Diagnosis"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    cause_detail = CleanCharField(multiline=True, label=_("Cause in detail"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    solution = CleanCharField(multiline=True, label=_("Solution"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cause"] = cause_field(label=_("Cause"), required=False)
        self.order_fields(["diagnosis", "cause", "cause_detail", "solution"])


class RerouteForm(BootstrapFormMixin, forms.Form):
    """AFS-1: the new department and/or owner, and why. The owner is found with the people
    type-ahead (org:user-lookup, a radio named ``owner``): no select of every person on the page."""

    department = forms.ModelChoiceField(label=_("Department"), required=False,
                                        queryset=Department.objects.filter(is_active=True).order_by("name"))
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, widget=forms.HiddenInput,
                                   queryset=User.objects.filter(is_active=True, department__isnull=False))
    reason = CleanCharField(multiline=True, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}),
                            error_messages={"required": _("Say why the case is re-routed.")})


__all__ = ["NEW_CUSTOMER", "CaseIntakeForm", "CauseCategory", "ContactForm", "DiagnoseForm", "ReplyForm",
           "RerouteForm"]
