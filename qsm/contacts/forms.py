"""The forms of the customer contact log every record page offers, and the reply given to the customer
(after-sales cases, complaints): one definition, the modules' pages use it."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qsm.contacts.models import Channel, ContactEntry
from qsm.fields import BoundedDateTimeField, CleanCharField
from qsm.org.forms import BootstrapFormMixin
from qsm.web.forms import DateTimeLocalInput, now_local


class ReplyForm(BootstrapFormMixin, forms.Form):
    reply = CleanCharField(multiline=True, label=_("Reply to the customer"), widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("Write the reply given to the customer.")})


class ContactForm(BootstrapFormMixin, forms.Form):
    """One entry of a record's contact log with the customer (an after-sales case, a complaint)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ContactEntry.Kind.choices, initial=ContactEntry.Kind.COMMUNICATION)
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


class CustomerUpdateForm(BootstrapFormMixin, forms.Form):
    """Progress told to the customer (AFS-2, CMP-3), logged in the record's contact log."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    summary = CleanCharField(multiline=True, label=_("What the customer was told"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    occurred_at = BoundedDateTimeField(past=True, label=_("When"), required=False, widget=DateTimeLocalInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("occurred_at", now_local())
