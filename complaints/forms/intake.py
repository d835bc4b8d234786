"""CMP-1 page forms: the complaint intake, the reply, assigning the investigator, the reasoned
actions. They check the shape of the input; the services decide."""
from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qsm.contacts.forms import ReplyForm as ReplyForm  # the core's: the reply given to the customer
from qsm.fields import CleanCharField
from qsm.org.forms import BootstrapFormMixin
from qsm.org.models import Department, User
from qsm.parsing import parse_id
from qsm.web.forms import PersonField
from qsm.web.intake_forms import OrderIntakeForm

from ..models import Complaint


class ComplaintIntakeForm(OrderIntakeForm):
    """CMP-1 intake: the core's order intake (the customer / order / product type-aheads and
    checks after-sales cases use too), with the complaint's own fields: every channel, the severity, the
    customer's demand (诉求). ``source_visit`` / ``source_case`` are the record the complaint is opened
    from (hidden; the view checks the user may see it)."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Complaint.Channel.choices, widget=forms.RadioSelect,
                                error_messages={"required": _("Choose a channel.")})
    severity = forms.ChoiceField(label=_("Severity"), choices=Complaint.Severity.choices,
                                 initial=Complaint.Severity.GENERAL, widget=forms.RadioSelect,
                                 error_messages={"required": _("Choose the severity.")})
    subject = forms.CharField(label=_("Subject"), max_length=200, error_messages={"required": _("Enter a subject.")})
    description = CleanCharField(multiline=True, label=_("What the customer complains about"),
                                 widget=forms.Textarea(attrs={"rows": 4}),
                                 error_messages={"required": _("Describe what the customer complains about.")})
    customer_demand = CleanCharField(multiline=True, label=_("Customer's demand"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    source_visit = CleanCharField(required=False, widget=forms.HiddenInput)
    source_case = CleanCharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = None
        self.order_fields(["channel", "customer", "new_customer_name", "new_customer_phone", "new_customer_contact",
                           "contact_name", "contact_phone", "severity", "subject", "description", "customer_demand",
                           "order", "delivery", "product", "received_at", "source_visit", "source_case"])

    def _clean_source(self, name: str, selector):
        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            return None
        record = selector(user=self.user).filter(pk=parse_id(value)).first() if parse_id(value) else None
        if record is None:
            raise forms.ValidationError(_("The record this complaint is opened from cannot be found."))
        self.source = record
        return record

    def clean_source_visit(self):
        from aftersales.visit_selectors import visit_visible

        return self._clean_source("source_visit", visit_visible)

    def clean_source_case(self):
        from aftersales.selectors import case_visible

        return self._clean_source("source_case", case_visible)

    def clean(self):
        data = super().clean()
        if data.get("source_visit") and data.get("source_case"):
            self.add_error(None, _("A complaint is opened from one visit or one case, not both."))
        return data


def investigator_candidates():
    """Who investigates a complaint: the active people of the quality department (CMP-2)."""
    return (User.objects.filter(is_active=True, department__kind=Department.Kind.QUALITY)
            .select_related("department").order_by("display_name", "username"))


class AssignForm(BootstrapFormMixin, forms.Form):
    """CMP-2: the quality department names the investigator: a type-ahead over the quality
    department's people (complaints:complaint-investigators), never a select of everyone."""

    investigator = PersonField(label=_("Investigator"), queryset=User.objects.none(),
                               error_messages={"required": _("Choose the investigator."),
                                               "invalid_choice": _("Choose the investigator.")})

    def __init__(self, *args, complaint=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["investigator"]
        field.queryset = investigator_candidates()
        if complaint is not None:
            field.know(complaint.investigator)
            field.set_lookup(reverse("complaints:complaint-investigators", args=[complaint.pk]))


class ReasonForm(BootstrapFormMixin, forms.Form):
    """Close unresolved (a management decision) and cancel: the reason is required."""

    comment = CleanCharField(multiline=True, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason.")})
