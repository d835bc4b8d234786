"""QC-2: the lifecycle of an inspection (WF-1) and its clock (SLA-1/SLA-2).

Inspection:
    planned --start (inspector, quality dept)--> in_progress
    in_progress --complete (same; guard: every item of every sampled record judged)--> completed
        (its effect counts pass / fail / not applicable)
    planned|in_progress --cancel (quality manager; reason required)--> cancelled

Clock ``inspection``: runs to ``due_on`` (a date; 1 working day's notice) while planned or in
progress; the inspector is reminded, late the quality department hears of it.
"""
from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import ValidationError
from qsm.notify.kinds import register_kind
from qsm.workflow.clocks import MANAGERS, OWNER, QUALITY, Clock, Recipients
from qsm.workflow.colours import declare_colours
from qsm.workflow.engine import Transition, Workflow, register

from .models import Finding, Inspection
from .rules import can_cancel_inspection, can_work_inspection

S = Inspection.Status
R = Finding.Result

INSPECTION = "inspection"


def _start(inspection: Inspection, actor, params: dict) -> None:
    inspection.started_at = timezone.now()


def counts(inspection: Inspection) -> dict[str, int]:
    """Findings of the inspection by result (one query)."""
    return Finding.objects.filter(inspection=inspection).aggregate(
        pending=Count("id", filter=Q(result=R.PENDING)), passed=Count("id", filter=Q(result=R.PASS)),
        failed=Count("id", filter=Q(result=R.FAIL)), na=Count("id", filter=Q(result=R.NA)))


def _complete_guard(inspection: Inspection, actor, params: dict) -> None:
    found = counts(inspection)
    if not any(found.values()):
        raise ValidationError({"samples": _("Nothing was sampled: there is nothing to judge.")}, code="empty")
    if found["pending"]:
        raise ValidationError({"findings": _("Judge every item of every sampled record first (%(n)d left).")
                               % {"n": found["pending"]}}, code="findings_pending")


def _complete(inspection: Inspection, actor, params: dict) -> None:
    found = counts(inspection)
    inspection.pass_count, inspection.fail_count, inspection.na_count = found["passed"], found["failed"], found["na"]
    inspection.completed_at = timezone.now()
    summary = (params.get("summary") or "").strip()
    if summary:
        inspection.summary = summary


def _cancel(inspection: Inspection, actor, params: dict) -> None:
    inspection.cancel_reason = (params.get("comment") or "").strip()


def _title(inspection: Inspection) -> str:
    return f"{inspection.number} {inspection.title}".strip()


INSPECTION_WORKFLOW = register(Workflow(model=Inspection, clocks=[
    Clock(INSPECTION, label=gettext_lazy("Inspection"), states=Inspection.OPEN_STATES, due="due_on", lead_days=1,
          cancel_on=("cancel",), title=_title, owner=lambda i: i.inspector, department=lambda i: i.inspector.department,
          remind_to=Recipients(assigned=(OWNER,), unassigned=(MANAGERS,)),
          escalate_to=Recipients(assigned=(OWNER, QUALITY), unassigned=(QUALITY,))),
], transitions=[
    Transition("start", (S.PLANNED,), S.IN_PROGRESS, gettext_lazy("Start the inspection"), can_work_inspection,
               effect=_start),
    Transition("complete", (S.IN_PROGRESS,), S.COMPLETED, gettext_lazy("Complete the inspection"),
               can_work_inspection, guard=_complete_guard, effect=_complete, style="success"),
    Transition("cancel", Inspection.OPEN_STATES, S.CANCELLED, gettext_lazy("Cancel"), can_cancel_inspection,
               effect=_cancel, comment_required=True, style="danger"),
]))

declare_colours(Inspection, {S.PLANNED: "secondary", S.IN_PROGRESS: "primary", S.COMPLETED: "success",
                             S.CANCELLED: "light"})
declare_colours(Inspection, {Inspection.Kind.SCHEDULED: "info", Inspection.Kind.SPOT: "warning"}, field="kind")
declare_colours(Finding, {R.PENDING: "secondary", R.PASS: "success", R.FAIL: "danger", R.NA: "light"},
                field="result")

KIND_INSPECTION_ASSIGNED = "inspection_assigned"
KIND_FINDING_FAILED = "inspection_finding_failed"
for _kind, _label in [
    (KIND_INSPECTION_ASSIGNED, gettext_lazy("Inspection assigned to you")),
    (KIND_FINDING_FAILED, gettext_lazy("Inspection item failed")),
]:
    register_kind(_kind, _label)
