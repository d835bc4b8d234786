"""PRE-1..4 API. Inputs are plain serializers (types only; the services hold the rules);
outputs are model serializers with names and translated labels."""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from presales.models import Channel, DiscussionNote, Inquiry, Priority, Solution
from presales.workflows import INQUIRY_WORKFLOW
from qsm.api import drf as serializers
from qsm.api.fields import LabelField, enum_field
from qsm.api.serializers import (  # noqa: F401  (shared: one schema component each)
    AttachmentSerializer,
    AttachmentUploadSerializer,
    AvailableActionSerializer,
    ChangeSerializer,
    CommentSerializer,
    NamedSerializer,
    ReasonSerializer,
    TimelineEntrySerializer,
)
from qsm.contacts.api.serializers import ContactCreateSerializer, ContactEntrySerializer
from qsm.contacts.models import ContactEntry
from qsm.org.api.serializers import CustomerCreateSerializer
from qsm.org.models import Customer, Department, Product, User

# --- output -----------------------------------------------------------------------------------


class ProductBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "code", "name"]


def _action_url(action: str, inquiry: Inquiry) -> str:
    # "convert" is the orders module's endpoint; it is linked by URL name only (DESIGN.md).
    try:
        if action == "convert":
            return reverse("api-order-from-inquiry")
        return reverse(f"api-inquiry-{action.replace('_', '-')}", args=[inquiry.pk])
    except NoReverseMatch:
        return ""


class InquirySerializer(serializers.ModelSerializer):
    """A row of the inquiry list."""

    channel = enum_field("Channel", Channel, read_only=True)
    channel_label = LabelField("channel")
    priority = enum_field("InquiryPriority", Priority, read_only=True)
    priority_label = LabelField("priority")
    status = enum_field("InquiryStatus", Inquiry.Status, read_only=True)
    status_label = LabelField("status")
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)
    handover_department_name = serializers.CharField(source="handover_department.name", read_only=True,
                                                     allow_null=True, default=None)
    is_overdue = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Inquiry
        fields = [
            "id", "number", "channel", "channel_label", "priority", "priority_label", "status", "status_label",
            "subject", "customer", "customer_name", "contact_name", "contact_phone", "department",
            "department_name", "owner", "owner_name", "handover_department", "handover_department_name",
            "is_complex", "received_at", "responded_at", "due_at", "is_overdue", "created_at", "updated_at",
            "available_actions",
        ]
        read_only_fields = fields

    def get_is_overdue(self, inquiry: Inquiry) -> bool:
        return inquiry.is_open and inquiry.due_at is not None and inquiry.due_at < self._now()

    def _now(self):
        if "now" not in self.context:
            self.context["now"] = timezone.now()  # one instant for the whole page
        return self.context["now"]

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, inquiry: Inquiry) -> list[dict]:
        """What the requesting user may do now (guards are checked when the action is fired)."""
        request = self.context.get("request")
        if request is None:
            return []
        return [
            {"action": t.action, "label": str(t.label), "comment_required": t.comment_required, "style": t.style,
             "url": _action_url(t.action, inquiry)}
            for t in INQUIRY_WORKFLOW.available(inquiry, request.user)
        ]


class SolutionSerializer(serializers.ModelSerializer):
    products = ProductBriefSerializer(many=True, read_only=True)
    created_by_name = serializers.StringRelatedField(source="created_by", read_only=True)
    sent_via = enum_field("Channel", Channel, blank_as_null=True, help_text="The channel it was sent by; null until sent.")
    sent_via_label = LabelField("sent_via")

    class Meta:
        model = Solution
        fields = ["id", "version", "title", "content", "products", "created_by", "created_by_name", "created_at",
                  "sent_at", "sent_via", "sent_via_label"]
        read_only_fields = fields


class CommunicationSerializer(ContactEntrySerializer):
    """PRE-4: an entry of the inquiry's communication log (the core contact log, its published shape)."""

    direction = enum_field("CommunicationDirection", ContactEntry.Direction, read_only=True)

    class Meta(ContactEntrySerializer.Meta):
        fields = ["id", "channel", "channel_label", "direction", "direction_label", "summary", "occurred_at",
                  "recorded_by", "recorded_by_name", "created_at"]
        read_only_fields = fields


class DiscussionSerializer(serializers.Serializer):
    topic = serializers.CharField()
    opened_by_name = serializers.StringRelatedField(source="opened_by")
    opened_at = serializers.DateTimeField()
    invited_departments = NamedSerializer(many=True, source="invited_departments.all")
    invited_users = NamedSerializer(many=True, source="invited_users.all")


class InquiryDetailSerializer(InquirySerializer):
    """One inquiry with what its page shows."""

    products = ProductBriefSerializer(many=True, read_only=True)
    recommended_products = ProductBriefSerializer(many=True, read_only=True)
    acknowledged_by_name = serializers.StringRelatedField(source="acknowledged_by", read_only=True)
    discussion = serializers.SerializerMethodField()
    solutions = SolutionSerializer(many=True, read_only=True)
    communications = CommunicationSerializer(many=True, read_only=True)

    class Meta(InquirySerializer.Meta):
        fields = [
            *InquirySerializer.Meta.fields, "question", "products", "answer", "needs_analysis", "recommendation",
            "recommended_products", "handover_note", "handed_over_at", "acknowledged_by", "acknowledged_by_name",
            "acknowledged_at", "closed_at", "discussion", "solutions", "communications",
        ]
        read_only_fields = fields

    @extend_schema_field(DiscussionSerializer(allow_null=True))
    def get_discussion(self, inquiry: Inquiry):
        from qsm.discussions.selectors import discussion_of

        discussion = discussion_of(inquiry)
        return None if discussion is None else DiscussionSerializer(discussion).data


class DiscussionNoteSerializer(serializers.ModelSerializer):
    author_name = serializers.StringRelatedField(source="author", read_only=True)

    class Meta:
        model = DiscussionNote
        fields = ["id", "author", "author_name", "meeting_at", "body", "created_at"]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------------------

_products = Product.objects.filter(is_active=True)
_departments = Department.objects.filter(is_active=True)
_users = User.objects.filter(is_active=True)


class InquiryCreateSerializer(serializers.Serializer):
    """PRE-1 intake. The customer is an existing one (``customer``) or created now (``new_customer``)."""

    channel = enum_field("Channel", Channel)
    priority = enum_field("InquiryPriority", Priority, default=Priority.NORMAL)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    new_customer = CustomerCreateSerializer(required=False, allow_null=True)
    contact_name = serializers.CleanCharField(multiline=False, max_length=100, required=False, allow_blank=True, default="")
    contact_phone = serializers.CleanCharField(multiline=False, max_length=40, required=False, allow_blank=True, default="")
    subject = serializers.CleanCharField(multiline=False, max_length=200)
    question = serializers.CleanCharField()
    products = serializers.PrimaryKeyRelatedField(queryset=_products, many=True, required=False, default=list)
    answer = serializers.CleanCharField(required=False, allow_blank=True, default="",
                                        help_text="The answer given during the call: records the first response at once.")
    received_at = serializers.BoundedDateTimeField(past=True, required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if bool(attrs.get("customer")) == bool(attrs.get("new_customer")):
            raise serializers.ValidationError(
                {"customer": [_("Give either an existing customer or a new customer, not both.")]})
        return attrs


class InquiryUpdateSerializer(serializers.Serializer):
    """Intake fields that may be corrected while the inquiry is open (each change lands on the timeline)."""

    channel = enum_field("Channel", Channel, required=False)
    priority = enum_field("InquiryPriority", Priority, required=False)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)
    contact_name = serializers.CleanCharField(multiline=False, max_length=100, required=False, allow_blank=True)
    contact_phone = serializers.CleanCharField(multiline=False, max_length=40, required=False, allow_blank=True)
    subject = serializers.CleanCharField(multiline=False, max_length=200, required=False)
    question = serializers.CleanCharField(required=False)
    products = serializers.PrimaryKeyRelatedField(queryset=_products, many=True, required=False)
    comment = serializers.CleanCharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        # WF-1: the status and the analysis move only through their actions; silently ignoring
        # {"status": "closed"} would let a client believe it had closed the inquiry.
        unknown = set(getattr(self, "initial_data", {}) or {}) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {name: [_("This field cannot be edited here; use the inquiry's actions.")] for name in sorted(unknown)})
        return attrs


class RespondSerializer(serializers.Serializer):
    answer = serializers.CleanCharField(required=False, allow_blank=True, default="",
                                        help_text="The answer given; may be omitted when already recorded.")


class AnalyseSerializer(serializers.Serializer):
    needs_analysis = serializers.CleanCharField(allow_blank=True)
    recommendation = serializers.CleanCharField(required=False, allow_blank=True, default="")
    recommended_products = serializers.PrimaryKeyRelatedField(queryset=_products, many=True, required=False)
    is_complex = serializers.BooleanField(required=False, allow_null=True, default=None)


class MarkComplexSerializer(serializers.Serializer):
    is_complex = serializers.BooleanField(default=True)
    comment = serializers.CleanCharField(required=False, allow_blank=True, default="")


class OpenDiscussionSerializer(serializers.Serializer):
    topic = serializers.CleanCharField(multiline=False, max_length=200, allow_blank=True)
    departments = serializers.PrimaryKeyRelatedField(queryset=_departments, many=True, required=False, default=list)
    users = serializers.PrimaryKeyRelatedField(queryset=_users, many=True, required=False, default=list)
    comment = serializers.CleanCharField(required=False, allow_blank=True, default="")


class HandOverSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(),
                                                    help_text="An active business department.")
    note = serializers.CleanCharField(required=False, allow_blank=True, default="")


class DiscussionNoteCreateSerializer(serializers.Serializer):
    body = serializers.CleanCharField(allow_blank=True)
    meeting_at = serializers.BoundedDateTimeField(past=True, required=False, allow_null=True, default=None)


class SolutionCreateSerializer(serializers.Serializer):
    title = serializers.CleanCharField(multiline=False, max_length=200, allow_blank=True)
    content = serializers.CleanCharField(allow_blank=True)
    products = serializers.PrimaryKeyRelatedField(queryset=_products, many=True, required=False, default=list)


class SolutionMarkSentSerializer(serializers.Serializer):
    via = enum_field("Channel", Channel)


class CommunicationCreateSerializer(ContactCreateSerializer):
    direction = enum_field("CommunicationDirection", ContactEntry.Direction)
