"""Every read of QC-2, scoped to what the user may see (assessment/inspections/rules.py): the quality
department everything, an inspector their inspections, the inspected department's managers theirs
(read). Another department's inspection, finding, plan or checklist is not in the scope: a 404.
Lists select their related rows (a fixed number of queries whatever the number of rows, PERF-1)."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from qsm.parsing import parse_id
from qsm.workflow.models import Attachment

from .models import Checklist, ChecklistItem, Finding, InspectedRecord, Inspection, InspectionPlan
from .rules import (
    CHECKLIST_VISIBILITY,
    FINDING_VISIBILITY,
    INSPECTION_VISIBILITY,
    PLAN_VISIBILITY,
)

INSPECTION_RELATED = ("department", "inspector", "checklist", "plan")
FINDING_RELATED = ("inspection", "inspection__department", "sample", "item", "judged_by")


def _get(qs: QuerySet, pk, message: str):
    obj = qs.filter(pk=parse_id(pk)).first() if parse_id(pk) is not None else None
    if obj is None:
        raise Http404(message)
    return obj


# --- inspections ----------------------------------------------------------------------------------------

def inspection_scope(user) -> QuerySet[Inspection]:
    return INSPECTION_VISIBILITY.filter(Inspection.objects.all(), user)


def inspection_list(*, user) -> QuerySet[Inspection]:
    """The list page, the endpoint and the export: newest first (the created_at index)."""
    return inspection_scope(user).select_related(*INSPECTION_RELATED).order_by("-created_at", "-id")


def inspection_get(*, user, pk) -> Inspection:
    return _get(inspection_scope(user).select_related(*INSPECTION_RELATED), pk, _("No such inspection."))


def inspection_samples(inspection: Inspection) -> list[InspectedRecord]:
    """The sampled records in draw order, each with its findings (the items' order) and their
    evidence: four queries whatever the sample's size."""
    findings = (Finding.objects.select_related("item", "judged_by").order_by("item__position", "id")
                .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id"))))
    return list(InspectedRecord.objects.filter(inspection=inspection).select_related("department", "content_type")
                .prefetch_related(Prefetch("findings", queryset=findings)).order_by("position"))


def inspections_assigned(user) -> QuerySet[Inspection]:
    """"My work": the open inspections the user is to carry out (the inbox index)."""
    return (Inspection.objects.filter(inspector=user, status__in=Inspection.OPEN_STATES)
            .select_related("department").order_by("due_at", "id"))


# --- findings ---------------------------------------------------------------------------------------------

def finding_scope(user) -> QuerySet[Finding]:
    return FINDING_VISIBILITY.filter(Finding.objects.all(), user)


def finding_list(*, user) -> QuerySet[Finding]:
    """Judged findings first by when they were judged (the judged_at index); pending ones last."""
    return finding_scope(user).select_related(*FINDING_RELATED).order_by("-judged_at", "-id")


def finding_get(*, user, pk) -> Finding:
    qs = finding_scope(user).select_related(*FINDING_RELATED, "inspection__inspector", "item__standard",
                                            "sample__content_type")
    return _get(qs.prefetch_related("attachments"), pk, _("No such finding."))


def record_findings(record, user) -> list[Finding]:
    """The findings of the inspections that sampled ``record`` (its page's section), visible to the user."""
    ct = ContentType.objects.get_for_model(record)
    return list(finding_scope(user).filter(sample__content_type=ct, sample__object_id=record.pk)
                .exclude(result=Finding.Result.PENDING)
                .select_related("inspection", "item", "judged_by").order_by("-judged_at", "-id")[:50])


# --- checklists and plans -----------------------------------------------------------------------------------

def checklist_scope(user) -> QuerySet[Checklist]:
    return CHECKLIST_VISIBILITY.filter(Checklist.objects.all(), user)


def checklist_list(*, user) -> QuerySet[Checklist]:
    return checklist_scope(user).select_related("owner").order_by("-updated_at", "-id")


def checklist_get(*, user, pk) -> Checklist:
    items = ChecklistItem.objects.select_related("standard", "standard_version").order_by("position", "id")
    qs = checklist_scope(user).select_related("owner").prefetch_related(Prefetch("items", queryset=items),
                                                                        "created_from")
    return _get(qs, pk, _("No such checklist."))


def checklist_item_get(*, user, checklist: Checklist, pk) -> ChecklistItem:
    return _get(ChecklistItem.objects.filter(checklist=checklist), pk, _("No such item."))


def plan_scope(user) -> QuerySet[InspectionPlan]:
    return PLAN_VISIBILITY.filter(InspectionPlan.objects.all(), user)


def plan_list(*, user) -> QuerySet[InspectionPlan]:
    return plan_scope(user).select_related("department", "inspector", "checklist").order_by("next_run_on", "id")


def plan_get(*, user, pk) -> InspectionPlan:
    return _get(plan_scope(user).select_related("department", "inspector", "checklist"), pk,
                _("No such inspection plan."))


def plan_inspections(plan: InspectionPlan, limit: int = 20) -> list[Inspection]:
    return list(plan.inspections.select_related("department", "inspector").order_by("-period_start", "-id")[:limit])
