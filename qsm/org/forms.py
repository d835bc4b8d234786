"""ORG-2 page forms, and the Bootstrap look every module's forms share.

Forms check the shape of the input only; the services decide (STYLE.md: no rules in forms).
"""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qsm.fields import CleanCharField, harden_form_field

from .models import Customer

# Django's empty choice reads "---------"; people see what it asks of them instead.
EMPTY_CHOICE_LABEL = _("Please choose…")
_DASHES = "---------"


def _placeholder_for_empty_choice(field) -> None:
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None and str(field.empty_label) == _DASHES:
            field.empty_label = EMPTY_CHOICE_LABEL
    elif isinstance(field, forms.ChoiceField):
        choices = list(field.choices)
        if any(value == "" and str(label) == _DASHES for value, label in choices):
            field.choices = [(value, EMPTY_CHOICE_LABEL if value == "" and str(label) == _DASHES else label)
                             for value, label in choices]


class BootstrapFormMixin:
    """The base of every page form: Bootstrap 5 classes on the widgets, ``is-invalid`` on every
    field that has an error (including errors a service reported after validation: ``add_error``
    is the one way in), and the SEC-1 rules of ``qsm.fields`` on every text and date field, also
    on fields a form adds after ``__init__`` (rows, checklist items)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            harden_form_field(field)
            _placeholder_for_empty_choice(field)
            widget = field.widget
            if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        for field in self.fields.values():
            harden_form_field(field)
        super().full_clean()

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def customer_lookup_rows(customers) -> list:
    """Customers for the type-ahead, each with the contact the intake form pre-fills (primary first;
    needs ``contacts`` prefetched)."""
    rows = list(customers)
    for c in rows:
        primary = next(iter(c.contacts.all()), None)
        c.lookup_contact_name = primary.name if primary else ""
        c.lookup_contact_phone = (primary.phone if primary else "") or c.phone
    return rows


NEW_CUSTOMER = "new"


class CustomerPickForm(BootstrapFormMixin, forms.Form):
    """The customer of an intake form (an inquiry, an order): the id picked in the type-ahead
    (``org:customer-lookup``), or ``new`` with the quick-create fields, created by the module's
    service in the same transaction as its record (``qsm.org.services.customer_pick``).

    Pages include ``org/_customer_picker.html``; ``static/js/qsm.js`` fills the contact fields from
    the picked customer and carries the typed search over to the quick-create fields."""

    customer = CleanCharField(label=_("Customer"), required=False)
    new_customer_name = forms.CharField(label=_("Customer name"), max_length=200, required=False)
    new_customer_phone = forms.CharField(label=_("Customer phone"), max_length=40, required=False)
    new_customer_contact = forms.CharField(label=_("Contact person"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.picked_customer = None

    @property
    def is_new_customer(self) -> bool:
        return (self.data.get("customer") if self.is_bound else self.initial.get("customer")) == NEW_CUSTOMER

    @property
    def picked_customer_rows(self) -> list:
        return customer_lookup_rows([self.picked_customer]) if self.picked_customer else []

    def clean_customer(self):
        from qsm.parsing import parse_id

        value = (self.cleaned_data.get("customer") or "").strip()
        if value == NEW_CUSTOMER:
            return value
        if not value:
            raise forms.ValidationError(_("Find the customer, or choose “New customer”."))
        try:
            self.picked_customer = Customer.objects.prefetch_related("contacts").get(pk=parse_id(value))
        except Customer.DoesNotExist:
            raise forms.ValidationError(_("Find the customer, or choose “New customer”.")) from None
        return value

    def clean(self):
        data = super().clean()
        if data.get("customer") == NEW_CUSTOMER and not (data.get("new_customer_name") or "").strip():
            self.add_error("new_customer_name", _("Enter the customer's name."))
        return data

    def new_customer(self) -> dict | None:
        """The quick-create fields as ``customer_create``'s arguments, or None for a picked customer."""
        data = self.cleaned_data
        if data.get("customer") != NEW_CUSTOMER:
            return None
        return {"name": data["new_customer_name"], "phone": data["new_customer_phone"],
                "contact_name": data["new_customer_contact"], "contact_phone": data["new_customer_phone"]}

    # customer_create's error keys -> the quick-create fields (NewCustomerInvalid)
    CUSTOMER_FIELDS = {"name": "new_customer_name", "phone": "new_customer_phone", "kind": "customer"}


class CustomerForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Customer name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Customer.Kind.choices, initial=Customer.Kind.COMPANY,
                             widget=forms.RadioSelect)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=40, required=False)
