"""In-sale page forms (ORD-1..4). They check the shape of the input; the services decide.

Dynamic rows (order lines, checklist findings, shipped quantities, commissioning rows) are plain
fields with a row suffix, so a re-rendered form keeps exactly what was typed.
"""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from qsm.contacts.models import Channel, ContactEntry
from qsm.fields import BoundedDateField, BoundedDateTimeField, CleanCharField
from qsm.org.forms import EMPTY_CHOICE_LABEL, BootstrapFormMixin, CustomerPickForm
from qsm.org.selectors import product_list
from qsm.parsing import parse_count, parse_id
from qsm.web.forms import AttachmentForm, DateInput, DateTimeLocalInput, TransitionForm, UserChoiceField, now_local

from .models import AcceptanceRound, ChecklistItem, ProductionStep, ReviewFinding
from .selectors import engineer_candidates

__all__ = [
    "AcceptanceForm", "AnswerForm", "AttachmentForm", "ChecklistForm", "CommissionForm", "DeliveryConfirmForm",
    "DeliveryRejectForm", "EngineersForm", "LineFormSet", "OrderAmendForm", "OrderCreateForm", "OrderFromInquiryForm",
    "ProductChoices", "ProgressNoteForm", "RescheduleForm", "ScheduleForm", "ShipForm", "TransitionForm", "product_choices",
]


# --- the order itself: new order and amendment (ORD-1) --------------------------------------------


class _OrderFieldsForm(BootstrapFormMixin, forms.Form):
    customer_reference = forms.CharField(label=_("Customer's order reference"), max_length=60, required=False)
    promised_date = BoundedDateField(label=_("Promised delivery date"), required=False, widget=DateInput())
    installation_required = forms.BooleanField(label=_("Installation needed"), required=False)
    site_address = forms.CharField(label=_("Site address"), max_length=300, required=False)
    site_contact = forms.CharField(label=_("Site contact"), max_length=100, required=False)
    needs = CleanCharField(multiline=True, label=_("Customer needs"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    TRACKED = ("customer_reference", "needs", "promised_date", "installation_required", "site_address", "site_contact")

    def tracked_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.TRACKED}


class OrderCreateForm(_OrderFieldsForm, CustomerPickForm):
    """``customer`` is the id picked in the type-ahead or ``new`` for a customer created with the
    order (the core's ``CustomerPickForm``, the same picker as the inquiry intake)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["customer", "new_customer_name", "new_customer_phone", "new_customer_contact",
                           "customer_reference", "promised_date", "installation_required", "site_address",
                           "site_contact", "needs"])


class OrderFromInquiryForm(_OrderFieldsForm):
    """PRE-4: the new-order form pre-filled from an inquiry; its customer is the inquiry's. The
    customer's order reference and the promised date are required: the inquiry had neither."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer_reference"].required = True
        self.fields["customer_reference"].error_messages["required"] = _(
            "Enter the customer's order reference (PO number).")
        self.fields["promised_date"].required = True
        self.fields["promised_date"].error_messages["required"] = _("Enter the delivery date promised to the customer.")
        self.picked_customer = None


class OrderAmendForm(_OrderFieldsForm):
    comment = CleanCharField(label=_("What the customer changed"), required=False)


class ProductChoices(list):
    """The product choices of the line rows, ``[("", "Please choose…"), (id, "code · name"), ...]``, and
    what the browser needs of each product (``info``: id -> (whole units, list price)): the option
    carries them as data attributes (static/js/qsm.js sets the quantity's step, pre-fills the price)."""

    def __init__(self, choices=(), info=None):
        super().__init__(choices)
        self.info = info or {}


def product_choices() -> ProductChoices:
    """One query for every line row of a form (a select per row must not query per row)."""
    products = list(product_list().order_by("code"))
    return ProductChoices([("", EMPTY_CHOICE_LABEL)] + [(str(p.pk), f"{p.code} · {p.name}") for p in products],
                          {str(p.pk): (p.whole_units, p.list_price) for p in products})


def _plain_number(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


class LineForm(BootstrapFormMixin, forms.Form):
    product = forms.ChoiceField(label=_("Product"), required=False)
    quantity = forms.DecimalField(label=_("Quantity"), required=False, max_digits=12, decimal_places=2,
                                  min_value=Decimal("0.01"))
    unit_price = forms.DecimalField(label=_("Unit price"), required=False, max_digits=12, decimal_places=2,
                                    min_value=Decimal("0"))

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.products = products if products is not None else ProductChoices([("", EMPTY_CHOICE_LABEL)])
        self.fields["product"].choices = list(self.products)
        self.fields["quantity"].widget.attrs.update(step="0.01", inputmode="decimal")
        self.fields["unit_price"].widget.attrs.update(step="any", inputmode="decimal")

    def _picked(self) -> str:
        value = self["product"].value()
        return "" if value is None else str(value)

    @property
    def product_options(self) -> list[dict]:
        """The options of the row's product select, each with its whole-units flag and list price."""
        picked = self._picked()
        info = getattr(self.products, "info", {})
        options = []
        for value, label in self.products:
            whole, price = info.get(value, (None, None))
            options.append({"value": value, "label": label, "selected": value == picked,
                            "whole": "" if whole is None else ("1" if whole else "0"),
                            "price": _plain_number(price)})
        return options

    @property
    def whole_units(self) -> bool:
        """Is the picked product counted in whole units (the quantity input's step and min)?"""
        whole, _price = getattr(self.products, "info", {}).get(self._picked(), (False, None))
        return bool(whole)

    @property
    def amount(self):
        """Quantity × unit price as typed (None while either is missing or not a number)."""
        try:
            quantity, price = Decimal(str(self["quantity"].value())), Decimal(str(self["unit_price"].value()))
            amount = quantity * price
        except (ArithmeticError, ValueError, TypeError):
            return None
        return amount if amount.is_finite() and abs(amount) < Decimal("1e15") else None

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("product") and data.get("quantity") is None and data.get("unit_price") is None

    def clean(self):
        data = super().clean()
        if self.is_blank or data.get("DELETE"):
            return data
        if not data.get("product"):
            self.add_error("product", _("Choose a product."))
        if data.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter the quantity."))
        if data.get("unit_price") is None and "unit_price" not in self.errors:
            self.add_error("unit_price", _("Enter the unit price."))
        return data


class _LineFormSetBase(forms.BaseFormSet):
    def __init__(self, *args, products=None, **kwargs):
        self.products = products if products is not None else product_choices()
        self._by_pk = None
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "products": self.products}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, products=self.products, renderer=self.renderer)
        self.add_fields(form, None)
        return form

    def filled_forms(self) -> list:
        """The rows to save, in order: not blank, not removed (call after is_valid())."""
        return [f for f in self.forms if f.cleaned_data and not f.is_blank and not f.cleaned_data.get("DELETE")]

    def service_lines(self) -> list[dict]:
        from qsm.org.models import Product

        forms_ = self.filled_forms()
        ids = {parse_id(f.cleaned_data["product"]) for f in forms_}
        products = Product.objects.in_bulk(ids)
        return [{"product": products.get(parse_id(f.cleaned_data["product"])), "quantity": f.cleaned_data["quantity"],
                 "unit_price": f.cleaned_data["unit_price"]} for f in forms_]

    def add_service_error(self, key: str, message: str) -> bool:
        """``lines.3.quantity`` (1-based among the rows sent) -> that row's field. False if not a row key."""
        parts = key.split(".")
        row = parse_count(parts[1]) if len(parts) == 3 and parts[0] == "lines" else None
        if row is None:
            return False
        rows = self.filled_forms()
        n = row - 1
        if not 0 <= n < len(rows):
            return False
        field = parts[2] if parts[2] in rows[n].fields else None
        rows[n].add_error(field, message)
        return True


LineFormSet = forms.formset_factory(LineForm, formset=_LineFormSetBase, extra=3, can_delete=True, max_num=200)


# --- review (ORD-1) ------------------------------------------------------------------------------


class ChecklistForm(BootstrapFormMixin, forms.Form):
    """ORD-1: the review as one form: one row per checklist item the order needs (pass / fail /
    waived, and a note), the problems for the customer, and the decision buttons (``decision``:
    save, approve or return). The decision is sent with the checklist, so nothing typed is lost
    when the reviewer presses 批准 or 退回客户 without saving first."""

    DECISIONS = ("save", "approve", "return")

    problems = CleanCharField(multiline=True, label=_("Problems the customer must correct"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("One problem per line; the customer receives this list."))

    def __init__(self, *args, items: list[str], findings: dict | None = None, decision: str = "save", **kwargs):
        super().__init__(*args, **kwargs)
        findings = findings or {}
        self.items = items
        self.decision = decision if decision in self.DECISIONS else "save"
        for item in items:
            label = ChecklistItem(item).label
            self.fields[f"result_{item}"] = forms.ChoiceField(
                label=label, required=False, choices=ReviewFinding.Result.choices, widget=forms.RadioSelect)
            self.fields[f"note_{item}"] = forms.CharField(label=_("Note / reason"), required=False, max_length=1000)
            finding = findings.get(item)
            if finding is not None and not self.is_bound:
                self.initial[f"result_{item}"] = finding.result
                self.initial[f"note_{item}"] = finding.note

    # Errors of an approval refused for this round, per checklist item (set by the page).
    approval_errors: dict = {}

    @property
    def rows(self) -> list[dict]:
        return [{"item": item, "result": self[f"result_{item}"], "note": self[f"note_{item}"],
                 "approval_errors": self.approval_errors.get(item, [])} for item in self.items]

    def general_approval_errors(self) -> list[str]:
        return [m for key, errors in self.approval_errors.items() if key not in self.items for m in errors]

    def findings(self) -> dict[str, tuple[str, str]]:
        return {item: (self.cleaned_data[f"result_{item}"], self.cleaned_data[f"note_{item}"])
                for item in self.items if self.cleaned_data.get(f"result_{item}")}

    def clean(self):
        data = super().clean()
        for item in self.items:
            # A note without a result would be dropped on the floor: ask for the result instead.
            if (data.get(f"note_{item}") or "").strip() and not data.get(f"result_{item}"):
                self.add_error(f"result_{item}", _("Choose pass, fail or waived for this note."))
        if self.decision == "save" and not any(data.get(f"result_{item}") for item in self.items):
            raise forms.ValidationError(_("Check at least one item."))
        return data

    @staticmethod
    def field_map(items) -> dict:
        return {item: f"result_{item}" for item in items}


# --- production and delivery (ORD-2) -------------------------------------------------------------


class ShipForm(BootstrapFormMixin, forms.Form):
    """Quantity shipped per order line (``qty_<line id>``); empty or 0 ships nothing of that line."""

    carrier = forms.CharField(label=_("Carrier / tracking"), max_length=120, required=False)
    shipped_at = BoundedDateTimeField(past=True, label=_("Shipped at"), required=False, widget=DateTimeLocalInput())

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            field = forms.DecimalField(label=str(line.product.name), required=False, max_digits=12, decimal_places=2,
                                       min_value=Decimal("0"))
            field.widget.attrs.update(step="any", inputmode="decimal", **{"class": "form-control form-control-sm"})
            self.fields[f"qty_{line.pk}"] = field

    @property
    def rows(self) -> list[dict]:
        return [{"line": line, "field": self[f"qty_{line.pk}"]} for line in self.lines]

    def quantities(self) -> dict[int, Decimal]:
        return {line.pk: self.cleaned_data[f"qty_{line.pk}"] for line in self.lines
                if self.cleaned_data.get(f"qty_{line.pk}")}

    def field_map(self) -> dict:
        return {f"line.{line.pk}": f"qty_{line.pk}" for line in self.lines}


class DeliveryConfirmForm(BootstrapFormMixin, forms.Form):
    # Required by the service (the confirm transition's guard), which gives the message.
    quality_note = forms.CharField(label=_("What was inspected"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 2}))


class DeliveryRejectForm(BootstrapFormMixin, forms.Form):
    comment = forms.CharField(label=_("Why it was rejected"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


_PROGRESS_KINDS = [(k.value, k.label) for k in ContactEntry.PROGRESS_KINDS]


class ProgressNoteForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=_PROGRESS_KINDS, initial=ContactEntry.Kind.UPDATE,
                             widget=forms.RadioSelect)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    text = CleanCharField(multiline=True, label=_("What was said"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    occurred_at = BoundedDateTimeField(past=True, label=_("When"), required=False, widget=DateTimeLocalInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("occurred_at", now_local())


class ProductionStepForm(BootstrapFormMixin, forms.Form):
    """§3.2(2): a production step, as the production department reports it."""

    stage = forms.ChoiceField(label=_("Production step"), choices=ProductionStep.Stage.choices,
                              initial=ProductionStep.Stage.PLANNED)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    occurred_at = BoundedDateTimeField(past=True, label=_("When"), required=False, widget=DateTimeLocalInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("occurred_at", now_local())


class AnswerForm(BootstrapFormMixin, forms.Form):
    answer = CleanCharField(multiline=True, label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


# --- installation and acceptance (ORD-3) ---------------------------------------------------------


def _engineer_field(label) -> UserChoiceField:
    # ORD-3: only people who install (orders.rules.engineer_q): not the administrator, not sales staff.
    return UserChoiceField(label=label, required=False, queryset=engineer_candidates(),
                           widget=forms.SelectMultiple(attrs={"size": 6}),
                           help_text=_("Installation engineers, and the staff of a supporting department such as "
                                       "production."))


class ScheduleForm(BootstrapFormMixin, forms.Form):
    scheduled_for = BoundedDateField(label=_("Installation date"), required=False, widget=DateInput())
    engineers = _engineer_field(_("Engineers"))
    comment = CleanCharField(label=_("Comment"), required=False)


class RescheduleForm(BootstrapFormMixin, forms.Form):
    """ORD-3: another date for a scheduled installation, and why."""

    scheduled_for = BoundedDateField(label=_("New installation date"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("Reason for rescheduling"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class EngineersForm(BootstrapFormMixin, forms.Form):
    """ORD-3: other engineers for the installation, and why."""

    engineers = _engineer_field(_("Engineers from now on"))
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class CommissionForm(BootstrapFormMixin, forms.Form):
    """Site work, the commissioning checklist (item + passed) and measurements (name, value, unit).

    Each commissioning is a round of its own (ORD-3): the form starts empty, never with an earlier
    round's rows (a rework is tested again, not copied)."""

    site_work = CleanCharField(multiline=True, label=_("Work done on site"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    notes = CleanCharField(multiline=True, label=_("Commissioning notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else {}
        self.check_count = max(4, _posted_rows(data, "check_item_"))
        self.measure_count = max(3, _posted_rows(data, "m_name_"))
        for i in range(self.check_count):
            self.fields[f"check_item_{i}"] = forms.CharField(label=_("Test item"), required=False, max_length=200)
            self.fields[f"check_ok_{i}"] = forms.BooleanField(label=_("Passed"), required=False)
        for i in range(self.measure_count):
            self.fields[f"m_name_{i}"] = forms.CharField(label=_("Measurement"), required=False, max_length=100)
            self.fields[f"m_value_{i}"] = forms.CharField(label=_("Value"), required=False, max_length=50)
            self.fields[f"m_unit_{i}"] = forms.CharField(label=_("Unit"), required=False, max_length=20)
        for name, field in self.fields.items():
            if name.startswith(("check_item_", "m_")):
                field.widget.attrs["class"] = "form-control form-control-sm"

    @property
    def check_rows(self) -> list[dict]:
        return [{"item": self[f"check_item_{i}"], "ok": self[f"check_ok_{i}"]} for i in range(self.check_count)]

    @property
    def measure_rows(self) -> list[dict]:
        return [{"name": self[f"m_name_{i}"], "value": self[f"m_value_{i}"], "unit": self[f"m_unit_{i}"]}
                for i in range(self.measure_count)]

    def checklist(self) -> list[dict]:
        return [{"item": self.cleaned_data[f"check_item_{i}"], "ok": self.cleaned_data[f"check_ok_{i}"]}
                for i in range(self.check_count) if self.cleaned_data.get(f"check_item_{i}", "").strip()]

    def measurements(self) -> list[dict]:
        return [{"name": self.cleaned_data[f"m_name_{i}"], "value": self.cleaned_data[f"m_value_{i}"],
                 "unit": self.cleaned_data[f"m_unit_{i}"]}
                for i in range(self.measure_count) if self.cleaned_data.get(f"m_name_{i}", "").strip()]


def _posted_rows(data, prefix: str) -> int:
    # ``check_item_²`` is a key too: only ASCII row numbers count (qsm.parsing, SEC-1).
    numbers = [n for k in data if k.startswith(prefix)
               for n in [parse_count(k[len(prefix):], maximum=1000)] if n is not None]
    return min(max(numbers) + 1, 50) if numbers else 0


class AcceptanceForm(BootstrapFormMixin, forms.Form):
    result = forms.ChoiceField(label=_("Customer's decision"), required=False,
                               choices=AcceptanceRound.Result.choices, widget=forms.RadioSelect)
    remarks = CleanCharField(multiline=True, label=_("Remarks / reasons"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    feedback = CleanCharField(multiline=True, label=_("Customer feedback"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    signatory = forms.CharField(label=_("Signed by (customer)"), required=False, max_length=100)
