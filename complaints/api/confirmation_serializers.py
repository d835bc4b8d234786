"""CMP-4/CMP-5 API serializers: answers, links, closing, case report, preventive measures."""
from __future__ import annotations

from qsm.api import drf as serializers
from qsm.api.fields import LabelField, enum_field
from qsm.api.serializers import NamedSerializer
from qsm.org.models import User

from ..models import CaseReport, CustomerAnswer, PreventiveMeasure


class ComplaintAnswerInputSerializer(serializers.Serializer):
    satisfied = serializers.BooleanField()
    objections = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    answered_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ComplaintAnswerSerializer(serializers.ModelSerializer):
    method = enum_field("VisitMethod", CustomerAnswer.Method, read_only=True)  # the same choices: one component
    method_label = LabelField("method")
    recorded_by = NamedSerializer(read_only=True, allow_null=True)
    plan_version = serializers.IntegerField(source="plan.version", read_only=True, allow_null=True, default=None)

    class Meta:
        model = CustomerAnswer
        fields = ["id", "round", "plan_version", "method", "method_label", "satisfied", "objections", "answered_at",
                  "recorded_by"]


class ComplaintIssuedLinkSerializer(serializers.Serializer):
    """The link just issued: its address and the text to copy are shown once (only a hash is stored)."""

    url = serializers.CharField()
    text = serializers.CharField()
    qr_png = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ComplaintLinksRevokedSerializer(serializers.Serializer):
    revoked = serializers.IntegerField()


class ComplaintCaseReportSerializer(serializers.ModelSerializer):
    status = enum_field("CaseReportStatus", CaseReport.Status, read_only=True)
    status_label = LabelField("status")
    written_by = NamedSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CaseReport
        fields = ["id", "status", "status_label", "summary", "cause_text", "responsibility_text", "measures_text",
                  "lessons_learned", "written_by", "written_at"]


class ComplaintCaseReportInputSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    cause_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    responsibility_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    measures_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    lessons_learned = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class PreventiveComplaintSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class ComplaintPreventiveSerializer(serializers.ModelSerializer):
    status = enum_field("PlanStepStatus", PreventiveMeasure.Status, read_only=True)  # the same choices: one component
    status_label = LabelField("status")
    complaint = PreventiveComplaintSerializer(read_only=True)
    owner = NamedSerializer(read_only=True)
    department = NamedSerializer(read_only=True)

    class Meta:
        model = PreventiveMeasure
        fields = ["id", "complaint", "description", "owner", "department", "due_date", "status", "status_label",
                  "done_at", "done_note"]


class ComplaintPreventiveCreateSerializer(serializers.Serializer):
    complaint = serializers.IntegerField(min_value=1)
    description = serializers.CharField(max_length=2000)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    due_date = serializers.DateField()


class ComplaintPreventiveDoneSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="What was done (required).")
