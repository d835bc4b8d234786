"""ORD-1..4 API. Inputs are plain serializers (types only; ``orders.services`` holds the rules);
outputs are model serializers with names and translated labels."""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from orders import selectors
from orders.models import (
    AcceptanceRound,
    ChecklistItem,
    CommissioningRound,
    Delivery,
    DeliveryLine,
    Installation,
    Order,
    OrderLine,
    ProductionStep,
    ReviewFinding,
    ReviewRound,
)
from orders.workflows import DELIVERY_WORKFLOW, INSTALLATION_WORKFLOW, ORDER_WORKFLOW, price_range, required_items
from qsm.api import drf as serializers
from qsm.api.fields import LabelField, enum_field
from qsm.api.serializers import AvailableActionSerializer, NamedSerializer
from qsm.contacts.api.serializers import ContactAnswerSerializer, ContactEntrySerializer
from qsm.contacts.models import Channel, ContactEntry
from qsm.org.api.serializers import CustomerCreateSerializer
from qsm.org.models import Customer, Product

# --- available actions ----------------------------------------------------------------------------

# Transitions fired by another record's action have no endpoint of their own on the order:
# "complete_delivery" by confirming the last delivery, "accept" by the installation's acceptance.
_ORDER_ACTION_URLS = {
    "approve": "api-order-approve", "return": "api-order-return", "resubmit": "api-order-resubmit",
    "start_production": "api-order-start-production", "ship": "api-order-ship",
    "schedule_installation": "api-order-schedule-installation", "cancel": "api-order-cancel",
}
_DELIVERY_ACTION_URLS = {"confirm": "api-delivery-confirm", "reject": "api-delivery-reject"}
# The customer's decision is one endpoint; its "result" picks the transition (accept or reject).
_INSTALLATION_ACTION_URLS = {"start": "api-installation-start", "commission": "api-installation-commission",
                             "accept": "api-installation-acceptance", "reject": "api-installation-acceptance"}


def _actions(workflow, record, request, urls: dict[str, str]) -> list[dict]:
    """What the requesting user may do now (guards are checked when the action is fired)."""
    if request is None:
        return []
    out = []
    state = getattr(record, workflow.state_field)
    # Like ``workflow.available`` but only for transitions with an endpoint: the others' rule
    # checks would cost queries for nothing.
    for t in workflow.by_action.values():
        if t.action not in urls or state not in t.sources or not t.allowed(request.user, record):
            continue
        try:
            url = reverse(urls[t.action], args=[record.pk])
        except NoReverseMatch:
            url = ""
        out.append({"action": t.action, "label": str(t.label), "comment_required": t.comment_required,
                    "style": t.style, "url": url})
    return out


# --- output: order --------------------------------------------------------------------------------


class OrderSerializer(serializers.ModelSerializer):
    """A row of the order list."""

    status = enum_field("OrderStatus", Order.Status, read_only=True)
    status_label = LabelField("status")
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)
    source_inquiry_number = serializers.CharField(source="source_inquiry.number", read_only=True, allow_null=True,
                                                  default=None)
    is_overdue = serializers.SerializerMethodField(
        help_text="In review and past the review's SLA deadline (the list filter 'overdue').")
    is_late = serializers.SerializerMethodField(help_text="Undelivered and past the promised date (ORD-2).")
    at_risk = serializers.SerializerMethodField(
        help_text="Undelivered and flagged by the delivery clock's reminder; a late order stays flagged (ORD-2).")
    visit_due = serializers.BooleanField(read_only=True, help_text="A follow-up visit is due and not scheduled (ORD-4).")

    class Meta:
        model = Order
        fields = [
            "id", "number", "status", "status_label", "customer", "customer_name", "department", "department_name",
            "owner", "owner_name", "source_inquiry", "source_inquiry_number", "customer_reference", "promised_date",
            "installation_required", "received_at", "due_at", "is_overdue", "is_late", "at_risk", "visit_due",
            "created_at",
        ]
        read_only_fields = fields

    def _now(self):
        if "now" not in self.context:
            self.context["now"] = timezone.now()  # one instant (and one day) for the whole page
            self.context["today"] = timezone.localdate(self.context["now"])
        return self.context["now"]

    def get_is_overdue(self, order: Order) -> bool:
        return order.is_review_overdue(self._now())

    def get_is_late(self, order: Order) -> bool:
        self._now()
        return order.is_late(self.context["today"])

    def get_at_risk(self, order: Order) -> bool:
        return order.is_at_risk


class OrderLineSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    outstanding = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True,
                                           help_text="Ordered minus delivered (received and quality-checked).")
    price_min = serializers.SerializerMethodField()
    price_max = serializers.SerializerMethodField()
    price_in_range = serializers.SerializerMethodField(
        help_text="Whether the unit price is within the product's allowed range; null when the product has no "
                  "list price (ORD-1).")

    class Meta:
        model = OrderLine
        fields = ["id", "product", "product_code", "product_name", "quantity", "unit_price", "delivered_quantity",
                  "outstanding", "price_min", "price_max", "price_in_range"]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_price_min(self, line: OrderLine):
        bounds = price_range(line.product)
        return None if bounds is None else f"{bounds[0]:.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_price_max(self, line: OrderLine):
        bounds = price_range(line.product)
        return None if bounds is None else f"{bounds[1]:.2f}"

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_price_in_range(self, line: OrderLine):
        bounds = price_range(line.product)
        if bounds is None:
            return None
        return line.unit_price is not None and bounds[0] <= line.unit_price <= bounds[1]


class ChecklistEntrySerializer(serializers.Serializer):
    item = enum_field("ChecklistItem", ChecklistItem)
    label = serializers.CharField()


class ReviewFindingSerializer(serializers.ModelSerializer):
    item = enum_field("ChecklistItem", ChecklistItem, read_only=True)
    item_label = LabelField("item")
    result = enum_field("ReviewFindingResult", ReviewFinding.Result, read_only=True)
    result_label = LabelField("result")

    class Meta:
        model = ReviewFinding
        fields = ["id", "item", "item_label", "result", "result_label", "note"]
        read_only_fields = fields


class ReviewRoundSerializer(serializers.ModelSerializer):
    outcome = enum_field("ReviewOutcome", ReviewRound.Outcome, read_only=True)
    outcome_label = LabelField("outcome")
    reviewer_name = serializers.StringRelatedField(source="reviewer", read_only=True)
    findings = ReviewFindingSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewRound
        fields = ["id", "number", "outcome", "outcome_label", "reviewer", "reviewer_name", "problems", "started_at",
                  "decided_at", "findings"]
        read_only_fields = fields


class DeliveryLineSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="order_line.product.code", read_only=True)
    product_name = serializers.CharField(source="order_line.product.name", read_only=True)

    class Meta:
        model = DeliveryLine
        fields = ["id", "order_line", "product_code", "product_name", "quantity"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    """A row of the delivery list (SEARCH-1)."""

    status = enum_field("DeliveryStatus", Delivery.Status, read_only=True)
    status_label = LabelField("status")
    order_number = serializers.CharField(source="order.number", read_only=True)
    customer = serializers.IntegerField(source="order.customer_id", read_only=True)
    customer_name = serializers.CharField(source="order.customer.name", read_only=True)
    department = serializers.IntegerField(source="order.department_id", read_only=True)
    department_name = serializers.CharField(source="order.department.name", read_only=True)
    recorded_by_name = serializers.StringRelatedField(source="recorded_by", read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "order", "order_number", "number", "status", "status_label", "customer", "customer_name",
                  "department", "department_name", "shipped_at", "carrier", "delivered_at", "quality_note",
                  "recorded_by", "recorded_by_name"]
        read_only_fields = fields


class DeliveryDetailSerializer(DeliverySerializer):
    lines = DeliveryLineSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "lines", "available_actions"]
        read_only_fields = fields

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, delivery: Delivery) -> list[dict]:
        return _actions(DELIVERY_WORKFLOW, delivery, self.context.get("request"), _DELIVERY_ACTION_URLS)


class OrderDeliverySerializer(DeliveryDetailSerializer):
    """A delivery inside its order (the order's fields are on the order itself)."""

    class Meta(DeliveryDetailSerializer.Meta):
        fields = ["id", "number", "status", "status_label", "shipped_at", "carrier", "delivered_at", "quality_note",
                  "recorded_by", "recorded_by_name", "lines", "available_actions"]
        read_only_fields = fields


_PROGRESS_KINDS = [(k.value, k.label) for k in ContactEntry.PROGRESS_KINDS]


class ProgressNoteSerializer(ContactEntrySerializer):
    """ORD-2: an entry of the order's contact log (progress update or customer question), its published shape."""

    kind = enum_field("ProgressNoteKind", _PROGRESS_KINDS, read_only=True)
    text = serializers.CharField(source="summary", read_only=True)

    class Meta(ContactEntrySerializer.Meta):
        fields = ["id", "kind", "kind_label", "channel", "channel_label", "text", "occurred_at", "recorded_by",
                  "recorded_by_name", "answer", "answered_at", "answered_by", "answered_by_name"]
        read_only_fields = fields


class ProductionStepSerializer(serializers.ModelSerializer):
    """§3.2(2): a production step the production department reported."""

    stage = enum_field("ProductionStage", ProductionStep.Stage, read_only=True)
    stage_label = LabelField("stage")
    recorded_by_name = serializers.StringRelatedField(source="recorded_by", read_only=True)

    class Meta:
        model = ProductionStep
        fields = ["id", "stage", "stage_label", "note", "occurred_at", "recorded_by", "recorded_by_name"]
        read_only_fields = fields


class ProductionStepCreateSerializer(serializers.Serializer):
    stage = enum_field("ProductionStage", ProductionStep.Stage)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                 help_text="Required when the step is a delay or problem.")
    occurred_at = serializers.BoundedDateTimeField(past=True, required=False, allow_null=True, default=None)


class CommissioningCheckSerializer(serializers.Serializer):
    item = serializers.CleanCharField(multiline=False, max_length=200)
    ok = serializers.BooleanField()


class MeasurementSerializer(serializers.Serializer):
    name = serializers.CleanCharField(multiline=False, max_length=100)
    value = serializers.CleanCharField(multiline=False, max_length=50, allow_blank=True)
    unit = serializers.CleanCharField(multiline=False, max_length=20, required=False, allow_blank=True, default="")


class AcceptanceRoundSerializer(serializers.ModelSerializer):
    result = enum_field("AcceptanceResult", AcceptanceRound.Result, read_only=True)
    result_label = LabelField("result")
    recorded_by_name = serializers.StringRelatedField(source="recorded_by", read_only=True)

    class Meta:
        model = AcceptanceRound
        fields = ["id", "number", "result", "result_label", "remarks", "customer_feedback", "customer_signatory",
                  "recorded_by", "recorded_by_name", "decided_at"]
        read_only_fields = fields


class InstallationSerializer(serializers.ModelSerializer):
    """A row of the installation list (SEARCH-1)."""

    status = enum_field("InstallationStatus", Installation.Status, read_only=True)
    status_label = LabelField("status")
    order_number = serializers.CharField(source="order.number", read_only=True)
    customer = serializers.IntegerField(source="order.customer_id", read_only=True)
    customer_name = serializers.CharField(source="order.customer.name", read_only=True)
    department = serializers.IntegerField(source="order.department_id", read_only=True)
    department_name = serializers.CharField(source="order.department.name", read_only=True)
    site_address = serializers.CharField(source="order.site_address", read_only=True)
    engineers = NamedSerializer(many=True, read_only=True)

    class Meta:
        model = Installation
        fields = ["id", "order", "order_number", "status", "status_label", "customer", "customer_name", "department",
                  "department_name", "site_address", "scheduled_for", "engineers", "commissioned_at", "accepted_at",
                  "created_at"]
        read_only_fields = fields


class CommissioningRoundSerializer(serializers.ModelSerializer):
    """ORD-3: one commissioning test; a rework's commissioning is the next round, none overwritten."""

    checklist = CommissioningCheckSerializer(many=True, read_only=True)
    measurements = MeasurementSerializer(many=True, read_only=True)
    recorded_by_name = serializers.StringRelatedField(source="recorded_by", read_only=True, allow_null=True)

    class Meta:
        model = CommissioningRound
        fields = ["id", "number", "site_work", "checklist", "measurements", "notes", "recorded_by",
                  "recorded_by_name", "commissioned_at"]
        read_only_fields = fields


class InstallationDetailSerializer(InstallationSerializer):
    commissioning_rounds = CommissioningRoundSerializer(many=True, read_only=True,
                                                        help_text="Every commissioning, oldest first (ORD-3).")
    acceptance_rounds = AcceptanceRoundSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta(InstallationSerializer.Meta):
        fields = [*InstallationSerializer.Meta.fields, "commissioning_rounds", "acceptance_rounds",
                  "available_actions"]
        read_only_fields = fields

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, installation: Installation) -> list[dict]:
        return _actions(INSTALLATION_WORKFLOW, installation, self.context.get("request"), _INSTALLATION_ACTION_URLS)


class OrderInstallationSerializer(InstallationDetailSerializer):
    """The installation inside its order."""

    class Meta(InstallationDetailSerializer.Meta):
        fields = ["id", "status", "status_label", "scheduled_for", "engineers", "commissioning_rounds",
                  "commissioned_at", "accepted_at", "acceptance_rounds", "available_actions"]
        read_only_fields = fields


FOLLOW_UP_REASONS = [("delivered", _("Delivered")), ("accepted", _("Accepted"))]  # orders.workflows


class OrderDetailSerializer(OrderSerializer):
    """One order with what its page shows (ORD-1..4)."""

    follow_up_reason = enum_field("FollowUpReason", FOLLOW_UP_REASONS, blank_as_null=True,
                                  help_text="Why a follow-up visit is due; null when none is.")

    lines = OrderLineSerializer(many=True, read_only=True)
    review_checklist = serializers.SerializerMethodField(help_text="The items every review round checks (ORD-1).")
    review_rounds = ReviewRoundSerializer(many=True, read_only=True)
    deliveries = OrderDeliverySerializer(many=True, read_only=True)
    progress_notes = ProgressNoteSerializer(many=True, read_only=True)
    production_steps = ProductionStepSerializer(many=True, read_only=True)
    installation = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()
    visit_scheduled_at = serializers.SerializerMethodField(
        help_text="When the visit scheduler took the order's follow-up from the queue (ORD-4), or null.")

    class Meta(OrderSerializer.Meta):
        fields = [
            *OrderSerializer.Meta.fields, "needs", "site_address", "site_contact", "approved_at", "delivered_at",
            "accepted_at", "risk_flagged_at", "follow_up_due_at", "follow_up_reason", "visit_scheduled_at",
            "cancel_reason", "updated_at", "lines", "review_checklist", "review_rounds", "deliveries",
            "progress_notes", "production_steps", "installation", "available_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_visit_scheduled_at(self, order: Order):
        if "visit_scheduled_at" in order.__dict__:
            at = order.visit_scheduled_at
        else:
            from qsm.followup.selectors import follow_up_of

            follow_up = follow_up_of(order)
            at = follow_up.consumed_at if follow_up else None
        return serializers.DateTimeField().to_representation(at) if at else None

    @extend_schema_field(ChecklistEntrySerializer(many=True))
    def get_review_checklist(self, order: Order) -> list[dict]:
        return [{"item": item, "label": str(ChecklistItem(item).label)} for item in required_items(order)]

    @extend_schema_field(OrderInstallationSerializer(allow_null=True))
    def get_installation(self, order: Order):
        installation = selectors.installation_of(order)
        if installation is None:
            return None
        installation.order = order  # the rules read the order; it is loaded already
        return OrderInstallationSerializer(installation, context=self.context).data

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, order: Order) -> list[dict]:
        return _actions(ORDER_WORKFLOW, order, self.context.get("request"), _ORDER_ACTION_URLS)


# --- input ----------------------------------------------------------------------------------------

_products = Product.objects.filter(is_active=True)


def _refuse_unknown(serializer: serializers.Serializer, message) -> None:
    # WF-1: silently ignoring {"status": "approved"} would let a client believe it had approved.
    unknown = set(getattr(serializer, "initial_data", {}) or {}) - set(serializer.fields)
    if unknown:
        raise serializers.ValidationError({name: [message] for name in sorted(unknown)})


class OrderLineInputSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=_products)
    quantity = serializers.DecimalField(
        max_digits=12, decimal_places=2,
        help_text="Greater than 0; a whole number for a product counted in whole units (Product.whole_units).")
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2,
                                          help_text="Required, 0 or more: a line without a price has no amount.")


class OrderCreateSerializer(serializers.Serializer):
    """ORD-1: an order entered directly (``from-inquiry`` converts an inquiry instead). The customer is
    an existing one (``customer``) or created with the order (``new_customer``)."""

    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    new_customer = CustomerCreateSerializer(required=False, allow_null=True)
    lines = OrderLineInputSerializer(many=True)
    promised_date = serializers.DateField(required=False, allow_null=True, default=None)
    installation_required = serializers.BooleanField(required=False, default=False)
    site_address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    site_contact = serializers.CleanCharField(multiline=False, max_length=100, required=False, allow_blank=True, default="")
    customer_reference = serializers.CleanCharField(multiline=False, max_length=60, required=False, allow_blank=True, default="")
    needs = serializers.CleanCharField(required=False, allow_blank=True, default="")
    received_at = serializers.BoundedDateTimeField(past=True, required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if bool(attrs.get("customer")) == bool(attrs.get("new_customer")):
            raise serializers.ValidationError(
                {"customer": [_("Give either an existing customer or a new customer, not both.")]})
        return attrs


class OrderUpdateSerializer(serializers.Serializer):
    """Amend the order while it is in review or returned; each change lands on the timeline."""

    customer_reference = serializers.CleanCharField(multiline=False, max_length=60, required=False, allow_blank=True)
    needs = serializers.CleanCharField(required=False, allow_blank=True)
    promised_date = serializers.DateField(required=False, allow_null=True)
    installation_required = serializers.BooleanField(required=False)
    site_address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    site_contact = serializers.CleanCharField(multiline=False, max_length=100, required=False, allow_blank=True)
    lines = OrderLineInputSerializer(many=True, required=False,
                                     help_text="When given, replaces every line of the order.")
    comment = serializers.CleanCharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        _refuse_unknown(self, _("This field cannot be edited here; use the order's actions."))
        return attrs


class DraftLineSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product.pk")
    product_code = serializers.CharField(source="product.code")
    product_name = serializers.CharField(source="product.name")
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True,
                                          help_text="The product's list price; null when it has none.")


class OrderDraftSerializer(serializers.Serializer):
    """PRE-4: what converting an inquiry pre-fills; nothing is created. Send it back, completed with the
    customer's PO, promised date and installation, and corrected quantities and prices, to ``from-inquiry``."""

    customer = serializers.IntegerField(source="customer.pk")
    customer_name = serializers.CharField(source="customer.name")
    site_contact = serializers.CharField()
    needs = serializers.CharField()
    solution_version = serializers.IntegerField(allow_null=True,
                                                help_text="The tailored solution the products come from, or null.")
    lines = DraftLineSerializer(many=True)


class OrderFromInquirySerializer(serializers.Serializer):
    """PRE-4: the customer's order for an acknowledged inquiry (the customer is the inquiry's). The
    whole order is required: converting no longer invents quantity 1 at list price with no PO or date."""

    inquiry = serializers.IntegerField(min_value=1, help_text="The acknowledged inquiry to convert.")
    lines = OrderLineInputSerializer(many=True, allow_empty=False)
    customer_reference = serializers.CleanCharField(multiline=False, max_length=60,
                                                    help_text="The customer's order reference (PO number).")
    promised_date = serializers.DateField(help_text="The delivery date promised to the customer.")
    installation_required = serializers.BooleanField(help_text="Whether the order is installed on site (ORD-3).")
    site_address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                         help_text="Required when installation_required is true.")
    site_contact = serializers.CleanCharField(multiline=False, max_length=100, required=False, allow_blank=True,
                                              default="")
    needs = serializers.CleanCharField(required=False, allow_blank=True, default="")
    received_at = serializers.BoundedDateTimeField(past=True, required=False, allow_null=True, default=None)


class FindingInputSerializer(serializers.Serializer):
    item = enum_field("ChecklistItem", ChecklistItem)
    result = enum_field("ReviewFindingResult", ReviewFinding.Result)
    note = serializers.CleanCharField(required=False, allow_blank=True, default="",
                                      help_text="Required for a failed or waived item: why.")


class FindingsSerializer(serializers.Serializer):
    items = FindingInputSerializer(many=True, allow_empty=False,
                                   help_text="One result per checklist item, e.g. [{\"item\": \"prices\", "
                                             "\"result\": \"waived\", \"note\": \"framework agreement\"}].")

    def validate_items(self, value: list) -> list:
        seen = [finding["item"] for finding in value]
        if len(seen) != len(set(seen)):
            raise serializers.ValidationError(_("Give each checklist item once."), code="duplicate")
        return value


class _DecisionFindingsMixin(serializers.Serializer):
    findings = FindingInputSerializer(
        many=True, required=False, default=list,
        help_text="The checklist as the reviewer filled it in, saved with the decision in one step (nothing is "
                  "saved when the decision is refused). Items left out keep what was saved before.")

    def validate_findings(self, value: list) -> list:
        items = [entry["item"] for entry in value]
        if len(items) != len(set(items)):
            raise serializers.ValidationError(_("Give each checklist item once."), code="duplicate")
        return value


def findings_dict(entries: list) -> dict[str, tuple[str, str]]:
    """The typed list as the service's {item: (result, note)}."""
    return {entry["item"]: (entry["result"], entry.get("note", "")) for entry in entries}


class ApproveSerializer(_DecisionFindingsMixin):
    comment = serializers.CleanCharField(required=False, allow_blank=True, default="")


class ReturnSerializer(_DecisionFindingsMixin):
    problems = serializers.CleanCharField(help_text="The problems the customer must correct (required, not blank).")
    comment = serializers.CleanCharField(required=False, allow_blank=True, default="")


class ProgressNoteCreateSerializer(serializers.Serializer):
    kind = enum_field("ProgressNoteKind", _PROGRESS_KINDS)
    channel = enum_field("Channel", Channel)
    text = serializers.CleanCharField(allow_blank=True)
    occurred_at = serializers.BoundedDateTimeField(past=True, required=False, allow_null=True, default=None)


class AnswerSerializer(ContactAnswerSerializer):
    pass


class ShipLineSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(min_value=1, help_text="The order line's id.")
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="The quantity shipped now.")


class ShipSerializer(serializers.Serializer):
    quantities = ShipLineSerializer(many=True, allow_empty=False,
                                    help_text="The lines shipped now (lines left out are not shipped).")
    carrier = serializers.CleanCharField(multiline=False, max_length=120, required=False, allow_blank=True, default="")
    shipped_at = serializers.BoundedDateTimeField(past=True, required=False, allow_null=True, default=None)

    def validate_quantities(self, value: list) -> dict:
        lines = [row["order_line"] for row in value]
        if len(lines) != len(set(lines)):
            raise serializers.ValidationError(_("Give each order line once."), code="duplicate")
        return {row["order_line"]: row["quantity"] for row in value}


# ORD-3: only people who install may be named engineer (orders.rules.engineer_q); anyone else is a 400.
_engineers = selectors.engineer_candidates()


class ScheduleInstallationSerializer(serializers.Serializer):
    scheduled_for = serializers.DateField(required=False, allow_null=True, default=None,
                                          help_text="Not in the past, not before the delivery was completed, at most "
                                                    "ORDER_INSTALLATION_MAX_DAYS_AHEAD days ahead.")
    engineers = serializers.PrimaryKeyRelatedField(queryset=_engineers, many=True, required=False, default=list,
                                                   help_text="Installation engineers or staff of a supporting "
                                                             "department (such as production).")
    comment = serializers.CleanCharField(required=False, allow_blank=True, default="")


class RescheduleInstallationSerializer(serializers.Serializer):
    scheduled_for = serializers.DateField(help_text="The new date (the same rules as scheduling).")
    reason = serializers.CleanCharField(help_text="Why the date changes (required, not blank); on the timeline.")


class ChangeEngineersSerializer(serializers.Serializer):
    engineers = serializers.PrimaryKeyRelatedField(queryset=_engineers, many=True, allow_empty=False,
                                                   help_text="The engineers from now on (at least one).")
    reason = serializers.CleanCharField(help_text="Why the engineers change (required, not blank); on the timeline.")


class DeliveryConfirmSerializer(serializers.Serializer):
    quality_note = serializers.CharField(allow_blank=True, max_length=2000,
                                         help_text="Required, not blank: what was inspected at receipt "
                                                   "(quantities, appearance, documents …) and what was found.")
    delivered_at = serializers.BoundedDateTimeField(past=True, required=False, allow_null=True, default=None)


class DeliveryRejectSerializer(serializers.Serializer):
    comment = serializers.CleanCharField(help_text="Why it failed the quality check (required, not blank).")
    quality_note = serializers.CleanCharField(required=False, allow_blank=True, default="")


class CommissionSerializer(serializers.Serializer):
    site_work = serializers.CleanCharField(required=False, allow_blank=True, default="")
    checklist = CommissioningCheckSerializer(many=True, required=False, default=list)
    measurements = MeasurementSerializer(many=True, required=False, default=list)
    notes = serializers.CleanCharField(required=False, allow_blank=True, default="")


class AcceptanceSerializer(serializers.Serializer):
    result = enum_field("AcceptanceResult", AcceptanceRound.Result)
    remarks = serializers.CleanCharField(required=False, allow_blank=True, default="",
                                         help_text="Required unless accepted without remarks.")
    feedback = serializers.CleanCharField(required=False, allow_blank=True, default="",
                                          help_text="The customer's feedback at acceptance.")
    signatory = serializers.CleanCharField(multiline=False, max_length=100, required=False, allow_blank=True, default="")
