"""The intake form of a record about an order (AFS-1 after-sales cases, CMP-1 complaints): the
customer picked in the type-ahead or quick-created, the contact, what happened, and the order (and a
delivery of it) and the product concerned when known. A module subclasses it with its own fields
(channel, type, severity) and field order.

The order is read through the order picker the orders app registers (qsm.registry), scoped to what
the user may see: the core imports no domain app."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qsm import registry
from qsm.fields import BoundedDateTimeField, CleanCharField
from qsm.org.forms import CustomerPickForm
from qsm.org.selectors import product_list
from qsm.parsing import parse_id
from qsm.web.forms import DateTimeLocalInput, SearchableSelect, now_local

__all__ = ["OrderIntakeForm", "ProductChoiceField"]


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.name}"


class OrderIntakeForm(CustomerPickForm):
    """``customer`` is the id picked in the type-ahead, or ``new`` for a quick create; ``order`` /
    ``delivery`` are picked in the order type-ahead (an order alone is enough: its customer is the
    record's customer when none is picked)."""

    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200, error_messages={"required": _("Enter a subject.")})
    order = CleanCharField(required=False)
    delivery = CleanCharField(required=False)
    received_at = BoundedDateTimeField(past=True, label=_("Received at"), widget=DateTimeLocalInput(), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.picked_order = None
        self.fields["product"] = ProductChoiceField(label=_("Product concerned"), queryset=product_list(),
                                                    required=False, widget=SearchableSelect)
        if not self.is_bound:
            self.initial.setdefault("received_at", now_local())

    @property
    def picked_order_rows(self) -> list:
        return [self.picked_order] if self.picked_order is not None else []

    @property
    def picked_delivery_id(self) -> str:
        return str(self.data.get("delivery", "") if self.is_bound else self.initial.get("delivery", ""))

    def clean_customer(self):
        value = (self.data.get("customer") or "").strip()
        if not value and ((self.data.get("order") or "").strip() or (self.data.get("delivery") or "").strip()):
            return ""  # the picked order's customer (checked in clean_order)
        return super().clean_customer()

    def clean_order(self):
        value = (self.cleaned_data.get("order") or "").strip()
        if not value:
            value = self._order_of_delivery()
            if not value:
                return None
        self.picked_order = registry.picked_order(user=self.user, pk=value)
        if self.picked_order is None:
            raise forms.ValidationError(_("Find the order by its number, the customer's PO or a product."))
        return self.picked_order

    def _order_of_delivery(self) -> str:
        """A delivery picked without its order radio: the order is the delivery's."""
        pk = parse_id((self.data.get("delivery") or "").strip())
        order_id = registry.order_of_delivery(pk) if pk is not None else None
        return str(order_id) if order_id else ""

    def clean_delivery(self):
        value = (self.cleaned_data.get("delivery") or "").strip()
        if not value:
            return None
        pk = parse_id(value)
        order = self.picked_order
        delivery = next((d for d in order.deliveries.all() if d.pk == pk), None) if order is not None else None
        if delivery is None:
            raise forms.ValidationError(_("Pick the delivery under its order."))
        return delivery

    def clean(self):
        data = super().clean()
        if not data.get("customer") and self.picked_order is not None:
            self.picked_customer = self.picked_order.customer
        return data
