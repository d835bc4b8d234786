"""AFS-1/2 API (cases). Inputs are plain serializers (types only; the services hold the rules);
outputs are model serializers with names and translated labels."""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from aftersales.models import Case, CauseCategory, SpecialPlan
from aftersales.workflows import CASE_WORKFLOW
from orders.models import Delivery, Order
from qsm.api import drf as serializers
from qsm.api.fields import LabelField, enum_field
from qsm.api.serializers import AvailableActionSerializer, CauseSerializer, DeadlineSerializer
from qsm.api.serializers import ReplySerializer as ReplySerializer  # the core's, re-exported for the views
from qsm.contacts.api.serializers import CaseContactCreateSerializer as CaseContactCreateSerializer
from qsm.contacts.api.serializers import CaseContactSerializer
from qsm.contacts.models import Channel
from qsm.org.api.serializers import CustomerCreateSerializer
from qsm.org.models import Customer, Department, Product, User

from .plan_serializers import SpecialPlanSerializer, plan_detail

# --- output -----------------------------------------------------------------------------------------

# The URL names of the actions whose endpoint is not "api-case-<action>".
_ACTION_URLS = {"resume_special": "resume"}


def _action_url(action: str, case: Case) -> str:
    try:
        return reverse(f"api-case-{_ACTION_URLS.get(action, action).replace('_', '-')}", args=[case.pk])
    except NoReverseMatch:
        return ""


class CaseSerializer(serializers.ModelSerializer):
    """A row of the case list."""

    channel = enum_field("Channel", Channel, read_only=True)
    channel_label = LabelField("channel")
    case_type = enum_field("CaseType", Case.Type, read_only=True)
    case_type_label = LabelField("case_type")
    severity = enum_field("CaseSeverity", Case.Severity, read_only=True)
    severity_label = LabelField("severity")
    status = enum_field("CaseStatus", Case.Status, read_only=True)
    status_label = LabelField("status")
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True, allow_null=True, default=None)
    cause_name = serializers.CharField(source="cause.name", read_only=True, allow_null=True, default=None)
    is_overdue = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id", "number", "channel", "channel_label", "case_type", "case_type_label", "severity", "severity_label",
            "status", "status_label", "subject", "customer", "customer_name", "contact_name", "contact_phone",
            "order", "order_number", "delivery", "product", "is_complex", "department", "department_name", "owner",
            "owner_name", "cause", "cause_name", "reopen_count", "received_at", "replied_at", "resolved_at",
            "closed_at", "due_at", "is_overdue", "created_at", "updated_at", "available_actions",
        ]
        read_only_fields = fields

    def get_is_overdue(self, case: Case) -> bool:
        return case.is_open and case.due_at is not None and case.due_at < self._now()

    def _now(self):
        if "now" not in self.context:
            self.context["now"] = timezone.now()  # one instant for the whole page
        return self.context["now"]

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, case: Case) -> list[dict]:
        """What the requesting user may do now (guards are checked when the action is fired)."""
        request = self.context.get("request")
        if request is None:
            return []
        return [
            {"action": t.action, "label": str(t.label), "comment_required": t.comment_required, "style": t.style,
             "url": _action_url(t.action, case)}
            for t in CASE_WORKFLOW.available(case, request.user)
        ]


class CaseDetailSerializer(CaseSerializer):
    """One case with what its page shows."""

    description = serializers.CharField(read_only=True)
    cause_detail = serializers.CharField(read_only=True)
    cause = CauseSerializer(read_only=True, allow_null=True)
    order_reference = serializers.CharField(source="order.customer_reference", read_only=True, allow_null=True,
                                            default=None)
    delivery_number = serializers.IntegerField(source="delivery.number", read_only=True, allow_null=True, default=None)
    product_name = serializers.CharField(source="product.name", read_only=True, allow_null=True, default=None)
    deadlines = serializers.SerializerMethodField()
    contacts = serializers.SerializerMethodField()
    special_plan = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields, "description", "order_reference", "delivery_number", "product_name",
            "reply", "diagnosis", "cause_detail", "solution", "last_reopened_at", "deadlines", "contacts",
            "special_plan",
        ]
        read_only_fields = fields

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, case: Case) -> list[dict]:
        from aftersales.selectors import case_deadlines

        return DeadlineSerializer(case_deadlines(case), many=True).data

    @extend_schema_field(CaseContactSerializer(many=True))
    def get_contacts(self, case: Case) -> list[dict]:
        from aftersales.selectors import case_contacts

        return CaseContactSerializer(case_contacts(case), many=True).data

    @extend_schema_field(SpecialPlanSerializer(allow_null=True))
    def get_special_plan(self, case: Case) -> dict | None:
        """AFS-2: a complex case's special plan with its steps (two queries whatever the steps)."""
        if not case.is_complex:
            return None
        plan = SpecialPlan.objects.select_related("created_by").filter(case=case).first()
        if plan is None:
            return None
        plan.case = case
        return SpecialPlanSerializer(plan_detail(plan)).data


# --- input ------------------------------------------------------------------------------------------

_products = Product.objects.filter(is_active=True)
_causes = CauseCategory.objects.all()  # an inactive cause is refused by the service, with its reason


class CaseCreateSerializer(serializers.Serializer):
    """AFS-1 intake. The customer is an existing one (``customer``), created now (``new_customer``),
    or, when neither is given, the customer of ``order``."""

    channel = enum_field("Channel", Channel)
    case_type = enum_field("CaseType", Case.Type)
    severity = enum_field("CaseSeverity", Case.Severity, default=Case.Severity.NORMAL)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    new_customer = CustomerCreateSerializer(required=False, allow_null=True)
    contact_name = serializers.CleanCharField(multiline=False, max_length=100, required=False, allow_blank=True,
                                              default="")
    contact_phone = serializers.CleanCharField(multiline=False, max_length=40, required=False, allow_blank=True,
                                               default="")
    subject = serializers.CleanCharField(multiline=False, max_length=200)
    description = serializers.CleanCharField()
    order = serializers.PrimaryKeyRelatedField(queryset=Order.objects.all(), required=False, allow_null=True,
                                               default=None, help_text="An order the user may see.")
    delivery = serializers.PrimaryKeyRelatedField(queryset=Delivery.objects.all(), required=False, allow_null=True,
                                                  default=None, help_text="A delivery of the order.")
    product = serializers.PrimaryKeyRelatedField(queryset=_products, required=False, allow_null=True, default=None)
    received_at = serializers.BoundedDateTimeField(past=True, required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if attrs.get("customer") and attrs.get("new_customer"):
            raise serializers.ValidationError(
                {"customer": [_("Give either an existing customer or a new customer, not both.")]})
        if not attrs.get("customer") and not attrs.get("new_customer") and not attrs.get("order"):
            raise serializers.ValidationError(
                {"customer": [_("Give the customer, a new customer or the order the case concerns.")]})
        return attrs


class CaseDiagnoseSerializer(serializers.Serializer):
    """AFS-2: the diagnosis fields; only those given change (each change lands on the timeline)."""

    diagnosis = serializers.CleanCharField(required=False, allow_blank=True)
    cause = serializers.PrimaryKeyRelatedField(queryset=_causes, required=False, allow_null=True)
    cause_detail = serializers.CleanCharField(required=False, allow_blank=True)
    solution = serializers.CleanCharField(required=False, allow_blank=True)
    comment = serializers.CleanCharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        unknown = set(getattr(self, "initial_data", {}) or {}) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {name: [_("This field cannot be edited here; use the case's actions.")] for name in sorted(unknown)})
        return attrs


class RerouteSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                    allow_null=True, default=None)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True,
                                               default=None)
    reason = serializers.CleanCharField(allow_blank=True, help_text="Why (required, not blank).")


