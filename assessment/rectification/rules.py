"""QC-3: who sees and who works rectification notices. assessment/rectification/workflows.py says when.

Sees a notice, its plans and their measures: the quality department (everything), the members of
the responsible department, whoever issued it and the owners of its measures. Another
department's notice is a 404 (pages, API, exports).
Who may:
- issue a notice: the quality department's staff;
- propose (draft, submit, withdraw) a rectification plan and report completion: the members (staff
  and managers) of the responsible department;
- approve or reject a plan: who approves for the department (``can_approve_for``: its managers,
  the quality manager for any department), never the plan's author (four eyes);
- verify and close, or reopen: the quality department's staff; cancel: the quality manager.
"""
from __future__ import annotations

import rules

from qsm.org.rules import can_approve_for, passes_four_eyes, works_in
from qsm.visibility import Visibility, register

from ..rules import is_quality_manager, quality_staff, quality_staff_or_admin
from .models import Notice, RectificationMeasure, RectificationPlan

NOTICE_VISIBILITY = register(Notice, Visibility(
    owner="issued_by", departments=("department",), users=("plans__measures__owner",),
))
PLAN_VISIBILITY = register(RectificationPlan, Visibility(through="notice"))
MEASURE_VISIBILITY = register(RectificationMeasure, Visibility(through="plan"))

can_view_notice = rules.predicate(NOTICE_VISIBILITY.can_view, name="can_view_notice")
can_view_plan = rules.predicate(PLAN_VISIBILITY.can_view, name="can_view_rectification_plan")


@rules.predicate
def in_notice_department(user, notice) -> bool:
    return works_in(user, notice.department_id)


can_issue_notice = quality_staff_or_admin
# QC-3: the responsible department answers: proposes the plan, reports completion.
can_answer_notice = in_notice_department
can_verify_notice = quality_staff
can_cancel_notice = is_quality_manager


@rules.predicate
def can_propose_rectification(user, plan) -> bool:
    return in_notice_department(user, plan.notice)


@rules.predicate
def can_decide_rectification(user, plan) -> bool:
    """QC-3: a manager of the department (the quality manager for any), never the plan's author."""
    return bool(can_approve_for(user, plan.notice.department_id) and passes_four_eyes(user, [plan.author_id]))


rules.add_perm("assessment.view_notice", can_view_notice)
rules.add_perm("assessment.add_notice", can_issue_notice)


def notice_attach_states(user, notice) -> tuple[str, ...]:
    """WF-3: the notice states in which ``user`` adds evidence of the rectification: the responsible
    department while rectifying; the quality department while rectifying and while it verifies the
    reported result. Never on an issued notice (no approved plan: nothing rectified yet) nor a
    closed or cancelled one."""
    states = []
    if can_verify_notice(user, notice):
        states = [Notice.Status.RECTIFYING, Notice.Status.REPORTED]
    elif in_notice_department(user, notice):
        states = [Notice.Status.RECTIFYING]
    return tuple(states)


def can_attach_to_notice(user, notice) -> bool:
    return notice.status in notice_attach_states(user, notice)
