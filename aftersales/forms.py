"""After-sales page forms (AFS-1/2). They check the shape of the input; the services decide."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qsm.contacts.forms import ContactForm as ContactForm  # the core's, re-exported for the views
from qsm.contacts.forms import ReplyForm as ReplyForm
from qsm.contacts.models import Channel
from qsm.fields import BoundedDateTimeField
from qsm.org.forms import NEW_CUSTOMER as NEW_CUSTOMER  # the core's value, used by the views
from qsm.org.forms import BootstrapFormMixin, CustomerPickForm
from qsm.org.models import Department, User
from qsm.org.selectors import product_list
from qsm.parsing import parse_id
from qsm.web.forms import DateTimeLocalInput, SearchableSelect, TreeChoiceField, now_local

from .models import Case, CauseCategory


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.name}"


def cause_field(**kwargs) -> TreeChoiceField:
    from .selectors import cause_choices

    return TreeChoiceField(queryset=cause_choices(), widget=SearchableSelect, **kwargs)


class CaseIntakeForm(CustomerPickForm):
    """AFS-1 fast intake. ``customer`` is the id picked in the type-ahead, or ``new`` for a quick
    create; ``order`` / ``delivery`` are picked in the order type-ahead (an order alone is enough: its
    customer is the case's customer when none is picked)."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, widget=forms.RadioSelect,
                                error_messages={"required": _("Choose a channel.")})
    case_type = forms.ChoiceField(label=_("Case type"), choices=Case.Type.choices, widget=forms.RadioSelect,
                                  error_messages={"required": _("Choose the type of problem.")})
    severity = forms.ChoiceField(label=_("Severity"), choices=Case.Severity.choices, initial=Case.Severity.NORMAL,
                                 widget=forms.RadioSelect)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200, error_messages={"required": _("Enter a subject.")})
    description = forms.CharField(label=_("Description of the problem"), widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"required": _("Describe the problem the customer reports.")})
    order = forms.CharField(required=False)
    delivery = forms.CharField(required=False)
    received_at = BoundedDateTimeField(past=True, label=_("Received at"), widget=DateTimeLocalInput(), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.picked_order = None
        self.fields["product"] = ProductChoiceField(label=_("Product concerned"), queryset=product_list(),
                                                    required=False, widget=SearchableSelect)
        self.order_fields(["channel", "customer", "new_customer_name", "new_customer_phone", "new_customer_contact",
                           "contact_name", "contact_phone", "case_type", "severity", "subject", "description",
                           "order", "delivery", "product", "received_at"])
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
        from .selectors import order_for_intake

        value = (self.cleaned_data.get("order") or "").strip()
        if not value:
            value = self._order_of_delivery()
            if not value:
                return None
        self.picked_order = order_for_intake(user=self.user, pk=value)
        if self.picked_order is None:
            raise forms.ValidationError(_("Find the order by its number, the customer's PO or a product."))
        return self.picked_order

    def _order_of_delivery(self) -> str:
        """A delivery picked without its order radio: the order is the delivery's."""
        from orders.models import Delivery

        pk = parse_id((self.data.get("delivery") or "").strip())
        if pk is None:
            return ""
        order_id = Delivery.objects.filter(pk=pk).values_list("order_id", flat=True).first()
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


class DiagnoseForm(BootstrapFormMixin, forms.Form):
    """AFS-2: diagnosis, cause (two-level taxonomy + free text) and solution."""

    diagnosis = forms.CharField(label=_("Diagnosis"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    cause_detail = forms.CharField(label=_("Cause in detail"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    solution = forms.CharField(label=_("Solution"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

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
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Say why the case is re-routed.")})


__all__ = ["NEW_CUSTOMER", "CaseIntakeForm", "CauseCategory", "ContactForm", "DiagnoseForm", "ReplyForm",
           "RerouteForm"]
