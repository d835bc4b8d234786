"""The published shapes of rectification notices, plans and measures (QC-3)."""
from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from qsm.api import drf as serializers
from qsm.api.fields import LabelField, enum_field
from qsm.api.serializers import AvailableActionSerializer
from qsm.org.models import Department, User

from ..models import Notice, RectificationMeasure, RectificationPlan
from ..workflows import NOTICE_WORKFLOW, RECTIFICATION_PLAN_WORKFLOW

_departments = Department.objects.filter(is_active=True)
_people = User.objects.filter(is_active=True, department__isnull=False)


def _actions(workflow, record, request) -> list[dict]:
    if request is None:
        return []
    return [{"action": t.action, "label": str(t.label), "comment_required": t.comment_required, "style": t.style,
             "url": ""} for t in workflow.available(record, request.user)]


class RectificationNoticeSerializer(serializers.ModelSerializer):
    status = enum_field("RectificationNoticeStatus", Notice.Status, read_only=True)
    status_label = LabelField("status")
    source = enum_field("RectificationNoticeSource", Notice.Source, read_only=True)
    source_label = LabelField("source")
    department_name = serializers.CharField(source="department.name", read_only=True)
    issued_by_name = serializers.StringRelatedField(source="issued_by", read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = ["id", "number", "title", "department", "department_name", "source", "source_label",
                  "record_number", "status", "status_label", "round", "deadline", "is_overdue", "issued_by",
                  "issued_by_name", "issued_at", "completed_at", "closed_at", "due_at"]
        read_only_fields = fields

    def get_is_overdue(self, notice: Notice) -> bool:
        return notice.status in ("issued", "rectifying") and notice.deadline < timezone.localdate()


class RectificationNoticeDetailSerializer(RectificationNoticeSerializer):
    finding = serializers.IntegerField(source="finding_id", read_only=True, allow_null=True)
    inspection = serializers.IntegerField(source="inspection_id", read_only=True, allow_null=True)
    record_type = serializers.SerializerMethodField()
    record_id = serializers.IntegerField(source="object_id", read_only=True, allow_null=True)
    completed_by_name = serializers.StringRelatedField(source="completed_by", read_only=True)
    verified_by_name = serializers.StringRelatedField(source="verified_by", read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta(RectificationNoticeSerializer.Meta):
        fields = [*RectificationNoticeSerializer.Meta.fields, "requirement", "finding", "inspection", "record_type", "record_id",
                  "completion_note", "completed_by", "completed_by_name", "verified_by", "verified_by_name",
                  "verified_at", "verification_note", "reopen_reason", "cancel_reason", "available_actions"]
        read_only_fields = fields

    def get_record_type(self, notice: Notice) -> str | None:
        return notice.content_type.model if notice.content_type_id else None

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, notice: Notice) -> list[dict]:
        """What the requesting user may do now (guards are checked when the action is fired)."""
        return _actions(NOTICE_WORKFLOW, notice, self.context.get("request"))


class RectificationMeasureSerializer(serializers.ModelSerializer):
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)

    class Meta:
        model = RectificationMeasure
        fields = ["id", "position", "description", "owner", "owner_name", "due_on", "done", "done_at"]
        read_only_fields = fields


class RectificationPlanSerializer(serializers.ModelSerializer):
    status = enum_field("RectificationPlanStatus", RectificationPlan.Status, read_only=True)
    status_label = LabelField("status")
    author_name = serializers.StringRelatedField(source="author", read_only=True)
    decided_by_name = serializers.StringRelatedField(source="decided_by", read_only=True)
    measures = RectificationMeasureSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = RectificationPlan
        fields = ["id", "notice", "version", "round", "status", "status_label", "cause", "author", "author_name",
                  "submitted_at", "decided_by", "decided_by_name", "decided_at", "reject_reason", "created_at",
                  "measures", "available_actions"]
        read_only_fields = fields

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, plan: RectificationPlan) -> list[dict]:
        return _actions(RECTIFICATION_PLAN_WORKFLOW, plan, self.context.get("request"))


# --- input -------------------------------------------------------------------------------------------

class RectificationNoticeCreateSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=_departments, allow_null=True, required=False,
                                                    default=None, help_text="Defaults to the finding's department.")
    title = serializers.CleanCharField(multiline=False, max_length=200, allow_blank=True)
    requirement = serializers.CleanCharField(allow_blank=True, help_text="What must be rectified (required).")
    deadline = serializers.BoundedDateField(allow_null=True)
    finding = serializers.IntegerField(required=False, allow_null=True, default=None,
                                       help_text="A failed finding: its inspection, record and department are carried over.")


class RectificationMeasureInputSerializer(serializers.Serializer):
    description = serializers.CleanCharField(allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=_people, allow_null=True,
                                               help_text="A member of the responsible department.")
    due_on = serializers.BoundedDateField(allow_null=True)


class RectificationPlanCreateSerializer(serializers.Serializer):
    cause = serializers.CleanCharField(allow_blank=True, help_text="The cause (required).")
    measures = RectificationMeasureInputSerializer(many=True, max_length=30)


class RectificationPlanUpdateSerializer(serializers.Serializer):
    cause = serializers.CleanCharField(allow_blank=True, required=False)
    measures = RectificationMeasureInputSerializer(many=True, required=False, max_length=30)


class RectificationRejectSerializer(serializers.Serializer):
    reason = serializers.CleanCharField(allow_blank=True, help_text="Why the plan is rejected (required).")


class RectificationReportSerializer(serializers.Serializer):
    note = serializers.CleanCharField(allow_blank=True, help_text="What was rectified (required).")
    evidence = serializers.FileField(required=False, allow_null=True, default=None,
                                     help_text="Evidence; required unless attached before in this round.")


class RectificationVerifySerializer(serializers.Serializer):
    note = serializers.CleanCharField(required=False, allow_blank=True, default="")
