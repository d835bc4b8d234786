"""Serializers of the core endpoints (who am I, my work, token) and the ones every record endpoint shares."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from qsm.api import drf as serializers
from qsm.org.models import Department, Role, User
from qsm.sla.models import Deadline
from qsm.workflow.models import Attachment, Event

from .fields import BlankAsNullCharField, LabelField, enum_field
from .schema import dynamic_enum


class DepartmentBriefSerializer(serializers.ModelSerializer):
    kind = enum_field("DepartmentKind", Department.Kind, read_only=True)
    kind_label = LabelField("kind")

    class Meta:
        model = Department
        fields = ["id", "name", "code", "kind", "kind_label"]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(source="__str__", read_only=True)
    email = serializers.EmailField(read_only=True)
    language = enum_field("Language", User.language.field.choices, read_only=True)
    department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    roles = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=enum_field("Role", Role)))
    def get_roles(self, user) -> list[str]:
        # Only the roles QSM knows (ORG-1), in a stable order; superusers are administrators.
        return [r for r in Role.values if user.has_role(r)]


@extend_schema_field(dynamic_enum("InboxModule"))
class _InboxModuleField(serializers.CharField):
    pass


class InboxItemSerializer(serializers.Serializer):
    module = _InboxModuleField(source="module_code")
    module_label = serializers.CharField(source="module", help_text="The module's name in the caller's language.")
    number = serializers.CharField()
    title = serializers.CharField()
    status_label = serializers.CharField()
    url = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    waiting_for = serializers.CharField()

    def get_is_overdue(self, item) -> bool:
        return item.due_at is not None and item.due_at < self.context.get("now", timezone.now())


class InboxSerializer(serializers.Serializer):
    overdue_count = serializers.IntegerField()
    items = InboxItemSerializer(many=True)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()  # SEC-2: then 401; obtain a new one


# --- shared by every record endpoint (one schema component each) ---------------------------------


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class CauseSerializer(serializers.Serializer):
    """A node of the cause taxonomy that after-sales cases and complaints share: a top-level cause
    or one of its children (``parent``)."""

    id = serializers.IntegerField(read_only=True)
    code = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True, label="Parent cause")
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True, default=None)


@extend_schema_field(dynamic_enum("TimelineAction"))
class _ActionField(serializers.CharField):
    pass


class AvailableActionSerializer(serializers.Serializer):
    action = _ActionField(help_text="The transition (the same values as a timeline entry's action).")
    label = serializers.CharField()
    comment_required = serializers.BooleanField()
    style = serializers.CharField()
    url = serializers.CharField(allow_blank=True, help_text="The endpoint that fires it (POST).")


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)


@extend_schema_field(dynamic_enum("TimelineAction", nullable=True))
class TimelineActionField(BlankAsNullCharField):
    pass


@extend_schema_field(dynamic_enum("WorkflowState", nullable=True))
class WorkflowStateField(BlankAsNullCharField):
    pass


class TimelineEntrySerializer(serializers.Serializer):
    """WF-2: one line of the audit trail (a ``qsm.workflow.selectors.TimelineEntry``), in the reader's language."""

    id = serializers.IntegerField(source="event.id")
    at = serializers.DateTimeField()
    actor = serializers.IntegerField(source="event.actor_id", allow_null=True, help_text="The staff user, if staff acted")
    actor_kind = enum_field("TimelineActorKind", Event.ActorKind)
    actor_name = serializers.CharField(help_text="The staff user, the customer's contact name and link, or System")
    via = enum_field("TimelineVia", Event.Via)
    via_label = serializers.CharField()
    subject = serializers.CharField(help_text="The child record it belongs to (a delivery, the installation), or empty")
    kind = enum_field("TimelineEventKind", Event.Kind)
    kind_label = serializers.CharField()
    action = TimelineActionField(source="event.action",
                                 help_text="The transition fired, or what the note records; null for neither.")
    action_label = serializers.CharField()
    from_state = WorkflowStateField(source="event.from_state")
    from_label = serializers.CharField()
    to_state = WorkflowStateField(source="event.to_state")
    to_label = serializers.CharField()
    changes = ChangeSerializer(many=True)
    summary = serializers.CharField(help_text="What the service's line says (a solution, review results), "
                                    "in the reader's language")
    comment = serializers.CharField()


class AttachmentSerializer(serializers.ModelSerializer):
    """WF-3: an attachment of any record; its download address is the record endpoint's
    ``api-<model>-attachment-download`` route (see ``qsm.api.records.RecordAttachmentsMixin``)."""

    uploaded_by_name = serializers.StringRelatedField(source="uploaded_by", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "size", "mime_type", "description", "uploaded_by", "uploaded_by_name",
                  "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        model = ContentType.objects.get_for_id(attachment.content_type_id).model  # cached: no query per row
        return reverse(f"api-{model}-attachment-download", args=[attachment.object_id, attachment.pk])


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CommentSerializer(serializers.Serializer):
    comment = serializers.CleanCharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    comment = serializers.CleanCharField(help_text="Why (required, not blank).")


class ReplySerializer(serializers.Serializer):
    reply = serializers.CleanCharField(allow_blank=True, help_text="The reply given to the customer.")
    comment = serializers.CleanCharField(required=False, allow_blank=True, default="")


class SendLinkSerializer(serializers.Serializer):
    contact_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class DeadlineSerializer(serializers.ModelSerializer):
    """SLA-1: a clock of the case; ``paused`` while the customer is waited for."""

    state = enum_field("DeadlineState", Deadline.State, read_only=True)
    state_label = LabelField("state")
    paused = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = ["stage", "state", "state_label", "paused", "started_at", "due_at", "paused_at", "completed_at"]
        read_only_fields = fields

    def get_paused(self, deadline: Deadline) -> bool:
        return deadline.state == Deadline.State.PAUSED
