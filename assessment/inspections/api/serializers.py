"""The published shapes of QC-2 (API-1): inspections with their samples and findings, findings,
checklists with their items, inspection plans; and the inputs of their actions."""
from __future__ import annotations

from qsm.api import drf as serializers
from qsm.api.fields import LabelField, enum_field
from qsm.org.models import Department, User

from ...choices import Module
from ...standards.models import Standard
from ..models import (
    MAX_SAMPLE_SIZE,
    Checklist,
    ChecklistItem,
    Finding,
    InspectedRecord,
    Inspection,
    InspectionPlan,
    ItemKind,
)

_people = User.objects.filter(is_active=True)
_departments = Department.objects.filter(is_active=True)

# --- output ------------------------------------------------------------------------------------------


class InspectionSerializer(serializers.ModelSerializer):
    kind = enum_field("InspectionKind", Inspection.Kind, read_only=True)
    kind_label = LabelField("kind")
    status = enum_field("InspectionStatus", Inspection.Status, read_only=True)
    status_label = LabelField("status")
    module = enum_field("QualityModule", Module, read_only=True)
    module_label = LabelField("module")
    department_name = serializers.CharField(source="department.name", read_only=True)
    inspector_name = serializers.StringRelatedField(source="inspector", read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "number", "kind", "kind_label", "title", "plan", "department", "department_name", "module",
                  "module_label", "checklist", "period_start", "period_end", "sample_size", "seed", "recheck_only",
                  "inspector", "inspector_name", "status", "status_label", "due_on", "due_at", "pass_count",
                  "fail_count", "na_count", "summary", "cancel_reason", "created_at", "started_at", "completed_at"]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    kind = enum_field("ChecklistItemKind", ItemKind, read_only=True)
    kind_label = LabelField("kind")
    result = enum_field("FindingResult", Finding.Result, read_only=True)
    result_label = LabelField("result")
    item_text = serializers.CharField(source="item.text", read_only=True)
    item_position = serializers.IntegerField(source="item.position", read_only=True)
    judged_by_name = serializers.StringRelatedField(source="judged_by", read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "inspection", "sample", "item", "item_position", "item_text", "kind", "kind_label", "result",
                  "result_label", "comment", "judged_by", "judged_by_name", "judged_at"]
        read_only_fields = fields


class FindingListSerializer(FindingSerializer):
    """A row of the finding list: the finding with its inspection and the inspected record."""

    inspection_number = serializers.CharField(source="inspection.number", read_only=True)
    department = serializers.IntegerField(source="inspection.department_id", read_only=True)
    department_name = serializers.CharField(source="inspection.department.name", read_only=True)
    module = enum_field("QualityModule", Module, source="inspection.module", read_only=True)
    record_number = serializers.CharField(source="sample.number", read_only=True)
    record_url = serializers.CharField(source="sample.url", read_only=True)

    class Meta(FindingSerializer.Meta):
        fields = [*FindingSerializer.Meta.fields, "inspection_number", "department", "department_name", "module",
                  "record_number", "record_url"]
        read_only_fields = fields


class InspectedRecordSerializer(serializers.ModelSerializer):
    record_type = serializers.CharField(source="content_type.model", read_only=True)
    record_id = serializers.IntegerField(source="object_id", read_only=True)
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = InspectedRecord
        fields = ["id", "position", "record_type", "record_id", "number", "title", "url", "department", "findings"]
        read_only_fields = fields


class InspectionDetailSerializer(InspectionSerializer):
    samples = InspectedRecordSerializer(many=True, read_only=True, source="loaded_samples")
    checklist_name = serializers.CharField(source="checklist.name", read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "checklist_name", "samples"]
        read_only_fields = fields


class InspectionChecklistItemSerializer(serializers.ModelSerializer):
    kind = enum_field("ChecklistItemKind", ItemKind, read_only=True)
    kind_label = LabelField("kind")

    class Meta:
        model = ChecklistItem
        fields = ["id", "position", "text", "kind", "kind_label", "standard", "standard_version", "guidance", "active"]
        read_only_fields = fields


class ChecklistSerializer(serializers.ModelSerializer):
    module = enum_field("QualityModule", Module, read_only=True)
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)

    class Meta:
        model = Checklist
        fields = ["id", "name", "module", "owner", "owner_name", "active", "description", "created_at", "updated_at"]
        read_only_fields = fields


class ChecklistDetailSerializer(ChecklistSerializer):
    items = InspectionChecklistItemSerializer(many=True, read_only=True)
    created_from = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(ChecklistSerializer.Meta):
        fields = [*ChecklistSerializer.Meta.fields, "created_from", "items"]
        read_only_fields = fields


class InspectionPlanSerializer(serializers.ModelSerializer):
    module = enum_field("QualityModule", Module, read_only=True)
    frequency = enum_field("InspectionFrequency", InspectionPlan.Frequency, read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    inspector_name = serializers.StringRelatedField(source="inspector", read_only=True)
    checklist_name = serializers.CharField(source="checklist.name", read_only=True)

    class Meta:
        model = InspectionPlan
        fields = ["id", "title", "department", "department_name", "module", "checklist", "checklist_name",
                  "frequency", "sample_size", "inspector", "inspector_name", "next_run_on", "last_run_on", "active",
                  "created_at", "updated_at"]
        read_only_fields = fields


# --- input -------------------------------------------------------------------------------------------


class JudgeSerializer(serializers.Serializer):
    result = enum_field("FindingJudgement", [c for c in Finding.Result.choices if c[0] != Finding.Result.PENDING])
    comment = serializers.CleanCharField(required=False, allow_blank=True, default="",
                                         help_text="What was found (required for a failure).")


class CompleteSerializer(serializers.Serializer):
    summary = serializers.CleanCharField(required=False, allow_blank=True, default="")


class ItemInputSerializer(serializers.Serializer):
    text = serializers.CleanCharField(multiline=False, max_length=500)
    kind = enum_field("ChecklistItemKind", ItemKind)
    guidance = serializers.CleanCharField(required=False, allow_blank=True, default="")


class ItemUpdateSerializer(serializers.Serializer):
    text = serializers.CleanCharField(multiline=False, max_length=500, required=False)
    kind = enum_field("ChecklistItemKind", ItemKind, required=False)
    guidance = serializers.CleanCharField(required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class ChecklistCreateSerializer(serializers.Serializer):
    name = serializers.CleanCharField(multiline=False, max_length=200)
    module = enum_field("QualityModule", Module)
    standards = serializers.PrimaryKeyRelatedField(many=True, required=False, default=list,
                                                   queryset=Standard.objects.filter(retired=False),
                                                   help_text="Standards whose effective versions give the items.")
    items = ItemInputSerializer(many=True, required=False, help_text="The items; without them, from the standards.")
    description = serializers.CleanCharField(required=False, allow_blank=True, default="")


class ChecklistUpdateSerializer(serializers.Serializer):
    name = serializers.CleanCharField(multiline=False, max_length=200, required=False)
    description = serializers.CleanCharField(required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class InspectionPlanInputSerializer(serializers.Serializer):
    title = serializers.CleanCharField(multiline=False, max_length=200)
    department = serializers.PrimaryKeyRelatedField(queryset=_departments)
    module = enum_field("QualityModule", Module)
    checklist = serializers.PrimaryKeyRelatedField(queryset=Checklist.objects.filter(active=True))
    frequency = enum_field("InspectionFrequency", InspectionPlan.Frequency)
    sample_size = serializers.IntegerField(min_value=1, max_value=MAX_SAMPLE_SIZE)
    inspector = serializers.PrimaryKeyRelatedField(queryset=_people)
    next_run_on = serializers.DateField()
    active = serializers.BooleanField(required=False, default=True)
