"""The published shapes of the special-solution flow (AFS-2): the plan with its steps and the case's
discussion. A module of its own so that the case's detail (aftersales.api.serializers) nests the plan
without importing the special-solution views."""
from __future__ import annotations

from django.utils import timezone

from aftersales.models import PlanStep, SpecialPlan
from qsm.api import drf as serializers
from qsm.api.fields import LabelField, enum_field
from qsm.discussions.api import CaseDiscussionNoteSerializer as CaseDiscussionNoteSerializer  # the core's
from qsm.discussions.api import CaseDiscussionSerializer as CaseDiscussionSerializer
from qsm.discussions.selectors import discussion_detail as discussion_detail

# --- output ------------------------------------------------------------------------------------------


class PlanStepSerializer(serializers.ModelSerializer):
    status = enum_field("PlanStepStatus", PlanStep.Status, read_only=True)
    status_label = LabelField("status")
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)
    done_by_name = serializers.StringRelatedField(source="done_by", read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = PlanStep
        fields = ["id", "position", "description", "owner", "owner_name", "due_date", "status", "status_label",
                  "is_overdue", "done_at", "done_by", "done_by_name", "done_note", "due_at"]
        read_only_fields = fields

    def get_is_overdue(self, step: PlanStep) -> bool:
        return step.status == PlanStep.Status.OPEN and step.due_date is not None and step.due_date < timezone.localdate()


class SpecialPlanSerializer(serializers.ModelSerializer):
    status = enum_field("SpecialPlanStatus", SpecialPlan.Status, read_only=True)
    status_label = LabelField("status")
    case_number = serializers.CharField(source="case.number", read_only=True)
    created_by_name = serializers.StringRelatedField(source="created_by", read_only=True)
    steps = PlanStepSerializer(many=True, read_only=True, source="loaded_steps")

    class Meta:
        model = SpecialPlan
        fields = ["id", "case", "case_number", "title", "content", "status", "status_label", "created_by",
                  "created_by_name", "created_at", "steps"]
        read_only_fields = fields


# --- reads ------------------------------------------------------------------------------------------

def plan_detail(plan: SpecialPlan) -> SpecialPlan:
    """The plan with its steps and their people (one query whatever the number of steps)."""
    plan.loaded_steps = list(PlanStep.objects.filter(plan=plan).select_related("owner", "done_by")
                             .order_by("position"))
    return plan


