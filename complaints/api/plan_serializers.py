"""The published shapes of the investigation, the handling plans and the measures (CMP-2, CMP-3)."""
from __future__ import annotations

from django.utils import timezone

from aftersales.models import CauseCategory
from complaints.models import MAX_WHYS, WHY_MAX_LENGTH, Complaint, HandlingPlan, Measure
from qsm.api import drf as serializers
from qsm.api.fields import LabelField, enum_field
from qsm.org.models import Department, User

_departments = Department.objects.filter(is_active=True)
_people = User.objects.filter(is_active=True, department__isnull=False)

# --- output ------------------------------------------------------------------------------------------


class ComplaintMeasureSerializer(serializers.ModelSerializer):
    status = enum_field("ComplaintMeasureStatus", Measure.Status, read_only=True)
    status_label = LabelField("status")
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    done_by_name = serializers.StringRelatedField(source="done_by", read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = ["id", "position", "description", "owner", "owner_name", "department", "department_name",
                  "due_date", "status", "status_label", "is_overdue", "done_at", "done_by", "done_by_name",
                  "done_note", "due_at"]
        read_only_fields = fields

    def get_is_overdue(self, measure: Measure) -> bool:
        return measure.status == Measure.Status.OPEN and measure.due_date < timezone.localdate()


class ComplaintMeasureListSerializer(ComplaintMeasureSerializer):
    """A row of the measure list: the measure with its complaint and plan version."""

    complaint = serializers.IntegerField(source="plan.complaint_id", read_only=True)
    complaint_number = serializers.CharField(source="plan.complaint.number", read_only=True)
    complaint_subject = serializers.CharField(source="plan.complaint.subject", read_only=True)
    customer_name = serializers.CharField(source="plan.complaint.customer.name", read_only=True)
    severity = enum_field("ComplaintSeverity", Complaint.Severity, source="plan.complaint.severity", read_only=True)
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    plan_version = serializers.IntegerField(source="plan.version", read_only=True)

    class Meta(ComplaintMeasureSerializer.Meta):
        fields = [*ComplaintMeasureSerializer.Meta.fields, "complaint", "complaint_number", "complaint_subject",
                  "customer_name", "severity", "plan", "plan_version"]
        read_only_fields = fields


class HandlingPlanSerializer(serializers.ModelSerializer):
    status = enum_field("HandlingPlanStatus", HandlingPlan.Status, read_only=True)
    status_label = LabelField("status")
    author_name = serializers.StringRelatedField(source="author", read_only=True)
    decided_by_name = serializers.StringRelatedField(source="decided_by", read_only=True)
    measures = ComplaintMeasureSerializer(many=True, read_only=True, source="loaded_measures")

    class Meta:
        model = HandlingPlan
        fields = ["id", "complaint", "version", "round", "summary", "customer_objections", "status", "status_label",
                  "author", "author_name", "submitted_at", "decided_by", "decided_by_name", "decided_at",
                  "decision_reason", "created_at", "measures"]
        read_only_fields = fields


class ComplaintInvestigationSerializer(serializers.ModelSerializer):
    status = enum_field("ComplaintStatus", Complaint.Status, read_only=True)
    cause_name = serializers.StringRelatedField(source="cause", read_only=True)
    responsible_department_name = serializers.CharField(source="responsible_department.name", read_only=True,
                                                        default=None)
    responsible_person_name = serializers.StringRelatedField(source="responsible_person", read_only=True)
    whys = serializers.ListField(child=serializers.CharField(), read_only=True)
    missing = serializers.SerializerMethodField(help_text="What is still missing before a plan can be proposed.")

    class Meta:
        model = Complaint
        fields = ["id", "number", "status", "facts", "cause", "cause_name", "whys", "root_cause",
                  "responsible_department", "responsible_department_name", "responsible_person",
                  "responsible_person_name", "investigated_at", "missing"]
        read_only_fields = fields

    def get_missing(self, complaint: Complaint) -> list[str]:
        from complaints.services.investigation import investigation_missing

        return sorted(investigation_missing(complaint))


class SimilarComplaintSerializer(serializers.ModelSerializer):
    status = enum_field("ComplaintStatus", Complaint.Status, read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    similar_by = serializers.ListField(child=serializers.CharField(), read_only=True,
                                       help_text="Why it is similar: cause, product, customer.")

    class Meta:
        model = Complaint
        fields = ["id", "number", "subject", "status", "received_at", "customer", "customer_name", "cause", "product",
                  "similar_by"]
        read_only_fields = fields


# --- input -------------------------------------------------------------------------------------------


class ComplaintInvestigationInputSerializer(serializers.Serializer):
    facts = serializers.CleanCharField(required=False, allow_blank=True, default="")
    cause = serializers.PrimaryKeyRelatedField(queryset=CauseCategory.objects.all(), allow_null=True, required=False,
                                               default=None)
    whys = serializers.ListField(child=serializers.CleanCharField(multiline=False, max_length=WHY_MAX_LENGTH,
                                                                  allow_blank=True),
                                 max_length=MAX_WHYS, required=False, default=list)
    root_cause = serializers.CleanCharField(required=False, allow_blank=True, default="")
    responsible_department = serializers.PrimaryKeyRelatedField(queryset=_departments, allow_null=True,
                                                                required=False, default=None)
    responsible_person = serializers.PrimaryKeyRelatedField(queryset=_people, allow_null=True, required=False,
                                                            default=None,
                                                            help_text="A person of the responsible department.")


class ComplaintInvolveSerializer(serializers.Serializer):
    topic = serializers.CleanCharField(multiline=False, max_length=200, allow_blank=True)
    departments = serializers.PrimaryKeyRelatedField(queryset=_departments, many=True, required=False, default=list)
    users = serializers.PrimaryKeyRelatedField(queryset=_people, many=True, required=False, default=list)


class ComplaintMeasureInputSerializer(serializers.Serializer):
    description = serializers.CleanCharField(allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=_people, allow_null=True,
                                               help_text="The person responsible; their department executes it.")
    due_date = serializers.BoundedDateField(allow_null=True)


class HandlingPlanCreateSerializer(serializers.Serializer):
    summary = serializers.CleanCharField(allow_blank=True, help_text="The approach (required).")
    measures = ComplaintMeasureInputSerializer(many=True, help_text="At least one; more are added while it is a draft.")


class HandlingPlanUpdateSerializer(serializers.Serializer):
    summary = serializers.CleanCharField(allow_blank=True)


class HandlingPlanRejectSerializer(serializers.Serializer):
    reason = serializers.CleanCharField(allow_blank=True, help_text="Why the plan is rejected (required).")


class ComplaintMeasureCompleteSerializer(serializers.Serializer):
    note = serializers.CleanCharField(allow_blank=True, help_text="What was done (required).")
    evidence = serializers.FileField(required=False, allow_null=True, default=None,
                                     help_text="Evidence of what was done; required unless attached before.")


def plan_detail(plan: HandlingPlan) -> HandlingPlan:
    """The plan with its measures and their people (one query whatever the number of measures)."""
    plan.loaded_measures = list(Measure.objects.filter(plan=plan).select_related("owner", "department", "done_by")
                                .order_by("position"))
    return plan
