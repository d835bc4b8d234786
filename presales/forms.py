"""Pre-sales page forms (PRE-1..4). They check the shape of the input; the services decide."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qsm.contacts.models import ContactEntry
from qsm.fields import BoundedDateTimeField, CleanCharField
from qsm.org.forms import NEW_CUSTOMER as NEW_CUSTOMER  # the core's value, used by the pre-sales views
from qsm.org.forms import BootstrapFormMixin, CustomerPickForm
from qsm.org.models import Department, User
from qsm.org.selectors import business_departments, product_list
from qsm.web.forms import DateTimeLocalInput, PeopleField, now_local

from .models import Channel, Priority


class ProductChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.name}"


def _products_field(label):
    return ProductChoiceField(label=label, queryset=product_list(), required=False,
                              widget=forms.CheckboxSelectMultiple)


class InquiryIntakeForm(CustomerPickForm):
    """PRE-1 fast intake. ``customer`` is the id picked in the type-ahead, or ``new`` for a quick create
    (the core's ``CustomerPickForm``)."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, widget=forms.RadioSelect,
                                error_messages={"required": _("Choose a channel.")})
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200,
                              error_messages={"required": _("Enter a subject.")})
    question = CleanCharField(multiline=True, label=_("Question"), widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": _("Write down the customer's question.")})
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL,
                                 widget=forms.RadioSelect)
    answer = CleanCharField(multiline=True, label=_("Answer given"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("If the customer was answered during the call, the inquiry is "
                                        "recorded as answered at once."))
    received_at = BoundedDateTimeField(past=True, label=_("Received at"), widget=DateTimeLocalInput(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"] = _products_field(_("Products of interest"))
        self.order_fields(["channel", "customer", "new_customer_name", "new_customer_phone", "new_customer_contact",
                           "contact_name", "contact_phone", "subject", "question", "products", "answer",
                           "priority", "received_at"])
        if not self.is_bound:
            self.initial.setdefault("received_at", now_local())


class RespondForm(BootstrapFormMixin, forms.Form):
    answer = CleanCharField(multiline=True, label=_("Answer given"), widget=forms.Textarea(attrs={"rows": 4}),
                            error_messages={"required": _("Write the answer given to the customer.")})
    comment = CleanCharField(label=_("Comment"), required=False)


class AnalyseForm(BootstrapFormMixin, forms.Form):
    """PRE-2: needs analysis and the recommended products / service plan."""

    needs_analysis = CleanCharField(multiline=True, label=_("Needs analysis"), widget=forms.Textarea(attrs={"rows": 4}),
                                    error_messages={"required": _("Describe the customer's needs.")})
    recommendation = CleanCharField(multiline=True, label=_("Recommended products / service plan"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommended_products"] = _products_field(_("Recommended products"))


class MarkComplexForm(BootstrapFormMixin, forms.Form):
    is_complex = forms.BooleanField(required=False)
    comment = CleanCharField(required=False)


class OpenDiscussionForm(BootstrapFormMixin, forms.Form):
    """PRE-3: a complex need is discussed with other departments and people."""

    topic = forms.CharField(label=_("Topic"), max_length=200, error_messages={"required": _("Give the discussion a topic.")})
    departments = forms.ModelMultipleChoiceField(label=_("Invited departments"), required=False,
                                                 queryset=Department.objects.filter(is_active=True),
                                                 widget=forms.CheckboxSelectMultiple)
    users = PeopleField(label=_("Invited people"), required=False,
                        queryset=User.objects.filter(is_active=True).select_related("department"))
    comment = CleanCharField(label=_("Comment"), required=False)


class DiscussionNoteForm(BootstrapFormMixin, forms.Form):
    body = CleanCharField(multiline=True, label=_("Meeting notes"), widget=forms.Textarea(attrs={"rows": 3}),
                          error_messages={"required": _("Write the notes.")})
    meeting_at = BoundedDateTimeField(past=True, label=_("Meeting time"), required=False, widget=DateTimeLocalInput())


class SolutionForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, error_messages={"required": _("Give the solution a title.")})
    content = CleanCharField(multiline=True, label=_("Solution"), widget=forms.Textarea(attrs={"rows": 5}),
                             error_messages={"required": _("Describe the solution.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"] = _products_field(_("Products"))


class SolutionSentForm(BootstrapFormMixin, forms.Form):
    via = forms.ChoiceField(label=_("Sent via"), choices=Channel.choices, initial=Channel.EMAIL)


class CommunicationForm(BootstrapFormMixin, forms.Form):
    """PRE-4: one entry of the communication log."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    direction = forms.ChoiceField(label=_("Direction"), choices=ContactEntry.Direction.choices,
                                  initial=ContactEntry.Direction.OUTBOUND)
    summary = CleanCharField(multiline=True, label=_("What was said"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Write what was said.")})
    occurred_at = BoundedDateTimeField(past=True, label=_("When"), required=False, widget=DateTimeLocalInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("occurred_at", now_local())


class HandOverForm(BootstrapFormMixin, forms.Form):
    """PRE-4: hand the recorded needs to a business department."""

    department = forms.ModelChoiceField(label=_("Business department"), queryset=business_departments(),
                                        error_messages={"required": _("Choose the business department to hand over to.")})
    note = CleanCharField(multiline=True, label=_("Hand-over note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
