"""CMP-1 API (complaints). Inputs are plain serializers (types only; the services hold the rules);
outputs are model serializers with names and translated labels."""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from aftersales.models import Case, Visit
from orders.models import Order
from qsm.api import drf as serializers
from qsm.api.fields import LabelField, enum_field
from qsm.api.serializers import AvailableActionSerializer, CauseSerializer, DeadlineSerializer
from qsm.contacts.api.serializers import CaseContactSerializer
from qsm.contacts.models import Channel
from qsm.org.api.serializers import CustomerCreateSerializer
from qsm.org.models import Customer, Department, Product, User

from ..models import Complaint
from ..promise import promise_text, reply_verdict
from ..workflows import COMPLAINT_WORKFLOW

_CHANNELS = Complaint._meta.get_field("channel").choices
_CHANNEL_ENUM = "Channel" if list(_CHANNELS) == list(Channel.choices) else "ComplaintChannel"


def _action_url(action: str, complaint: Complaint) -> str:
    try:
        return reverse(f"api-complaint-{action.replace('_', '-')}", args=[complaint.pk])
    except NoReverseMatch:
        return ""


class ComplaintSerializer(serializers.ModelSerializer):
    """A row of the complaint list."""

    channel = enum_field(_CHANNEL_ENUM, _CHANNELS, read_only=True)
    channel_label = LabelField("channel")
    severity = enum_field("ComplaintSeverity", Complaint.Severity, read_only=True)
    severity_label = LabelField("severity")
    status = enum_field("ComplaintStatus", Complaint.Status, read_only=True)
    status_label = LabelField("status")
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    receiving_department_name = serializers.CharField(source="receiving_department.name", read_only=True,
                                                      allow_null=True, default=None)
    responsible_department_name = serializers.CharField(source="responsible_department.name", read_only=True,
                                                        allow_null=True, default=None)
    investigator_name = serializers.StringRelatedField(source="investigator", read_only=True, allow_null=True)
    cause_name = serializers.CharField(source="cause.name", read_only=True, allow_null=True, default=None)
    is_overdue = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id", "number", "channel", "channel_label", "severity", "severity_label", "status", "status_label",
            "subject", "customer", "customer_name", "contact_name", "contact_phone", "order", "product",
            "source_visit", "source_case", "receiving_department", "receiving_department_name", "received_by",
            "investigator", "investigator_name", "cause", "cause_name", "responsible_department",
            "responsible_department_name", "round", "plan_version", "received_at", "promised_reply_at",
            "replied_at", "closed_at", "closed_satisfied", "due_at", "is_overdue", "available_actions",
        ]
        read_only_fields = fields

    def _now(self):
        if "now" not in self.context:
            self.context["now"] = timezone.now()  # one instant for the whole page
        return self.context["now"]

    def get_is_overdue(self, complaint: Complaint) -> bool:
        if not complaint.is_open:
            return False
        now = self._now()
        reply_late = (complaint.replied_at is None and complaint.promised_reply_at is not None
                      and complaint.promised_reply_at < now)
        return reply_late or (complaint.due_at is not None and complaint.due_at < now)

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, complaint: Complaint) -> list[dict]:
        """What the requesting user may do now (guards are checked when the action is fired)."""
        request = self.context.get("request")
        if request is None:
            return []
        return [
            {"action": t.action, "label": str(t.label), "comment_required": t.comment_required, "style": t.style,
             "url": _action_url(t.action, complaint)}
            for t in COMPLAINT_WORKFLOW.available(complaint, request.user)
        ]


class ComplaintDetailSerializer(ComplaintSerializer):
    """One complaint with what its page shows (the investigation, plans and answers have their own
    endpoints)."""

    description = serializers.CharField(read_only=True)
    customer_demand = serializers.CharField(read_only=True)
    reply = serializers.CharField(read_only=True)
    cause = CauseSerializer(read_only=True, allow_null=True)
    order_number = serializers.CharField(source="order.number", read_only=True, allow_null=True, default=None)
    product_name = serializers.CharField(source="product.name", read_only=True, allow_null=True, default=None)
    received_by_name = serializers.StringRelatedField(source="received_by", read_only=True, allow_null=True)
    promise = serializers.SerializerMethodField()
    reply_verdict = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    contacts = serializers.SerializerMethodField()

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "description", "customer_demand", "reply", "order_number",
                  "product_name", "received_by_name", "promise", "reply_verdict", "close_decision_reason",
                  "deadlines", "contacts"]
        read_only_fields = fields

    def get_promise(self, complaint: Complaint) -> str:
        """The promised reply time as the sentence read to the customer, in the user's language."""
        return promise_text(complaint)

    def get_reply_verdict(self, complaint: Complaint) -> str:
        """"met" or "late" once replied, "overdue" while the promise is broken, "" while on time."""
        return reply_verdict(complaint)

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, complaint: Complaint) -> list[dict]:
        from ..selectors.complaints import complaint_deadlines

        return DeadlineSerializer(complaint_deadlines(complaint), many=True).data

    @extend_schema_field(CaseContactSerializer(many=True))
    def get_contacts(self, complaint: Complaint) -> list[dict]:
        from ..selectors.complaints import complaint_contacts

        return CaseContactSerializer(complaint_contacts(complaint), many=True).data


# --- input ------------------------------------------------------------------------------------------

_products = Product.objects.filter(is_active=True)


class ComplaintCreateSerializer(serializers.Serializer):
    """CMP-1 intake. The customer is an existing one (``customer``), created now (``new_customer``),
    or, when neither is given, the customer of ``order``."""

    channel = enum_field(_CHANNEL_ENUM, _CHANNELS)
    severity = enum_field("ComplaintSeverity", Complaint.Severity, default=Complaint.Severity.GENERAL)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    new_customer = CustomerCreateSerializer(required=False, allow_null=True)
    contact_name = serializers.CleanCharField(multiline=False, max_length=100, required=False, allow_blank=True,
                                              default="")
    contact_phone = serializers.CleanCharField(multiline=False, max_length=40, required=False, allow_blank=True,
                                               default="")
    subject = serializers.CleanCharField(multiline=False, max_length=200)
    description = serializers.CleanCharField()
    customer_demand = serializers.CleanCharField(required=False, allow_blank=True, default="")
    order = serializers.PrimaryKeyRelatedField(queryset=Order.objects.all(), required=False, allow_null=True,
                                               default=None, help_text="An order the user may see.")
    product = serializers.PrimaryKeyRelatedField(queryset=_products, required=False, allow_null=True, default=None)
    source_visit = serializers.PrimaryKeyRelatedField(queryset=Visit.objects.all(), required=False, allow_null=True,
                                                      default=None, help_text="A follow-up visit the user may see.")
    source_case = serializers.PrimaryKeyRelatedField(queryset=Case.objects.all(), required=False, allow_null=True,
                                                     default=None, help_text="An after-sales case the user may see.")
    received_at = serializers.BoundedDateTimeField(past=True, required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if attrs.get("customer") and attrs.get("new_customer"):
            raise serializers.ValidationError(
                {"customer": [_("Give either an existing customer or a new customer, not both.")]})
        if not attrs.get("customer") and not attrs.get("new_customer") and not attrs.get("order"):
            raise serializers.ValidationError(
                {"customer": [_("Give the customer, a new customer or the order the complaint concerns.")]})
        if attrs.get("source_visit") and attrs.get("source_case"):
            raise serializers.ValidationError(
                {"source_case": [_("A complaint is opened from one visit or one case, not both.")]})
        return attrs


class ComplaintUpdateSerializer(serializers.Serializer):
    """The intake fields, while the complaint is received (only those given change)."""

    channel = enum_field(_CHANNEL_ENUM, _CHANNELS, required=False)
    severity = enum_field("ComplaintSeverity", Complaint.Severity, required=False)
    contact_name = serializers.CleanCharField(multiline=False, max_length=100, required=False, allow_blank=True)
    contact_phone = serializers.CleanCharField(multiline=False, max_length=40, required=False, allow_blank=True)
    subject = serializers.CleanCharField(multiline=False, max_length=200, required=False)
    description = serializers.CleanCharField(required=False)
    customer_demand = serializers.CleanCharField(required=False, allow_blank=True)
    product = serializers.PrimaryKeyRelatedField(queryset=_products, required=False, allow_null=True)

    def validate(self, attrs):
        unknown = set(getattr(self, "initial_data", {}) or {}) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {name: [_("This field cannot be edited here; use the complaint's actions.")]
                 for name in sorted(unknown)})
        return attrs


class AssignSerializer(serializers.Serializer):
    investigator = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True, department__kind=Department.Kind.QUALITY),
        help_text="An active person of the quality department.")


