"""The after-sales lifecycles (§3.3): case, special plan, plan step and follow-up visit tables.

Case:
    new --reply--> in_progress --mark_complex--> special                 (AFS-2 complex problem)
    in_progress|special --wait_customer--> waiting_customer --resume--> in_progress (general)
                                           waiting_customer --resume_special--> special (complex)
    in_progress|special --resolve--> resolved --close--> closed
    resolved --reopen--> in_progress       (within AFTERSALES_REOPEN_DAYS of resolving; counted)
    new|in_progress --cancel--> cancelled
Special plan:  draft --start--> in_progress --complete--> done ; draft|in_progress --cancel--> cancelled
Plan step:     open --complete--> done
Visit:         planned --send_link--> link_sent ; planned|link_sent --record--> done
               planned|link_sent --cancel--> cancelled   (failed phone attempts keep it planned)

Case clocks (SLA-1/SLA-2, run by the engine): ``reply`` runs while the case is new (policy by
severity and case type); ``resolution`` runs from intake until it is resolved, stands still while
waiting for the customer, and is cancelled by cancelling. Reopening a resolved case starts a new
``resolution`` clock (the resolved one stays on record as met or late: one open deadline per
stage). A plan step runs to its date (``step``); a visit to its planned date (``visit``).
"""
from __future__ import annotations

import datetime as dt

import rules
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import ValidationError
from qsm.followup.reasons import register_reason
from qsm.notify.kinds import register_kind
from qsm.workflow.clocks import MANAGERS, OWNER, QUALITY, Clock, Recipients
from qsm.workflow.colours import declare_colours
from qsm.workflow.engine import Transition, Workflow, register

from .models import Case, PhoneAttempt, PlanStep, Question, SpecialPlan, Visit
from .rules import (
    can_answer_visit,
    can_cancel_step,
    can_complete_step,
    can_manage_case,
    can_record_visit,
    can_work_case,
    can_work_plan,
    owns_a_plan_step,
)

S = Case.Status
P = SpecialPlan.Status
ST = PlanStep.Status
V = Visit.Status

REPLY = "reply"
RESOLUTION = "resolution"
STEP = "step"
VISIT = "visit"
CASE_RESOLVED = "case_resolved"


def reopen_days() -> int:
    return int(getattr(settings, "AFTERSALES_REOPEN_DAYS", 30))


# --- case ------------------------------------------------------------------------------------------

def _text(params: dict, name: str) -> str:
    return (params.get(name) or "").strip()


def _reply_guard(case: Case, actor, params: dict) -> None:
    if not (_text(params, "reply") or case.reply.strip()):
        raise ValidationError({"reply": _("Write the reply given to the customer.")}, code="required")


def _reply(case: Case, actor, params: dict) -> None:
    if _text(params, "reply"):
        case.reply = _text(params, "reply")
    case.replied_at = timezone.now()


def _mark_complex(case: Case, actor, params: dict) -> None:
    case.is_complex = True


@rules.predicate
def _is_general(user, case: Case) -> bool:
    return not case.is_complex


@rules.predicate
def _is_complex(user, case: Case) -> bool:
    return case.is_complex


def _resolve_guard(case: Case, actor, params: dict) -> None:
    errors = {}
    if not case.diagnosis.strip():
        errors["diagnosis"] = _("Record the diagnosis before resolving the case.")
    if case.cause_id is None:
        errors["cause"] = _("Choose the cause before resolving the case.")
    if not case.solution.strip():
        errors["solution"] = _("Record the solution before resolving the case.")
    if case.is_complex:
        plan = SpecialPlan.objects.filter(case=case).first()
        if plan is None or plan.status != P.DONE:
            errors["plan"] = _("A complex case is resolved when its special solution plan is done.")
    if errors:
        raise ValidationError(errors, code="invalid")


def _resolve(case: Case, actor, params: dict) -> None:
    # VIS-1: the resolved case asks for its follow-up visit (the core queue; the scheduler plans it).
    from qsm.followup.services import follow_up_request

    case.resolved_at = timezone.now()
    follow_up_request(case, CASE_RESOLVED, case.resolved_at, customer=case.customer, department=case.department)


def _reopen_guard(case: Case, actor, params: dict) -> None:
    days = reopen_days()
    if case.resolved_at is None or timezone.now() - case.resolved_at > dt.timedelta(days=days):
        raise ValidationError(
            {"status": _("A case can be reopened within %(days)d days of being resolved; log a new case instead.")
             % {"days": days}}, code="reopen_expired")


def _reopen(case: Case, actor, params: dict) -> None:
    case.reopen_count += 1
    case.last_reopened_at = timezone.now()


def _close(case: Case, actor, params: dict) -> None:
    case.closed_at = timezone.now()


def _case_title(case: Case) -> str:
    return f"{case.number} {case.subject}"


CASE_CLOCKS = [
    Clock(REPLY, label=gettext_lazy("Reply to customer"), states=(S.NEW,), cancel_on=("cancel",), title=_case_title,
          priority="severity", category="case_type", owner=lambda c: c.owner, department=lambda c: c.department,
          started=lambda c: c.received_at, completed=lambda c: c.replied_at),
    Clock(RESOLUTION, label=gettext_lazy("Resolution"), states=(S.NEW, S.IN_PROGRESS, S.SPECIAL),
          pauses=(S.WAITING_CUSTOMER,), cancel_on=("cancel",), title=_case_title, priority="severity",
          category="case_type", owner=lambda c: c.owner, department=lambda c: c.department,
          started=lambda c: c.received_at),
]

CASE_WORKFLOW = register(Workflow(model=Case, clocks=CASE_CLOCKS, transitions=[
    Transition("reply", (S.NEW,), S.IN_PROGRESS, gettext_lazy("Reply to customer"), can_work_case,
               guard=_reply_guard, effect=_reply),
    Transition("mark_complex", (S.IN_PROGRESS,), S.SPECIAL, gettext_lazy("Complex: open special solution"),
               can_work_case, effect=_mark_complex, style="warning"),
    Transition("wait_customer", (S.IN_PROGRESS, S.SPECIAL), S.WAITING_CUSTOMER, gettext_lazy("Wait for customer"),
               can_work_case, comment_required=True, style="secondary"),
    Transition("resume", (S.WAITING_CUSTOMER,), S.IN_PROGRESS, gettext_lazy("Resume"), can_work_case & _is_general),
    Transition("resume_special", (S.WAITING_CUSTOMER,), S.SPECIAL, gettext_lazy("Resume special solution"),
               can_work_case & _is_complex),
    Transition("resolve", (S.IN_PROGRESS, S.SPECIAL), S.RESOLVED, gettext_lazy("Resolve"), can_work_case,
               guard=_resolve_guard, effect=_resolve, style="success"),
    Transition("reopen", (S.RESOLVED,), S.IN_PROGRESS, gettext_lazy("Reopen"), can_work_case,
               guard=_reopen_guard, effect=_reopen, comment_required=True, style="warning"),
    Transition("close", (S.RESOLVED,), S.CLOSED, gettext_lazy("Close"), can_work_case, effect=_close,
               style="secondary"),
    Transition("cancel", (S.NEW, S.IN_PROGRESS), S.CANCELLED, gettext_lazy("Cancel"), can_manage_case,
               comment_required=True, style="danger"),
]))


# --- special plan and its steps ----------------------------------------------------------------------

def _start_plan_guard(plan: SpecialPlan, actor, params: dict) -> None:
    steps = list(plan.steps.all())
    if not steps:
        raise ValidationError({"steps": _("Add at least one step to the plan.")}, code="no_steps")
    if any(s.owner_id is None or s.due_date is None for s in steps):
        raise ValidationError({"steps": _("Every step needs an owner and a date.")}, code="incomplete_steps")


def _complete_plan_guard(plan: SpecialPlan, actor, params: dict) -> None:
    if plan.steps.exclude(status=ST.DONE).exists():
        raise ValidationError({"steps": _("Every step must be done before the plan is complete.")},
                              code="steps_open")


def _cancel_plan(plan: SpecialPlan, actor, params: dict) -> None:
    # The open steps go with the plan: their date clocks must not keep reminding their owners.
    from qsm.workflow.engine import fire

    for step in plan.steps.filter(status=ST.OPEN):
        fire(step, "cancel", actor=actor, comment=_("The special solution plan was cancelled."))


PLAN_WORKFLOW = register(Workflow(model=SpecialPlan, transitions=[
    Transition("start", (P.DRAFT,), P.IN_PROGRESS, gettext_lazy("Start the plan"), can_work_plan,
               guard=_start_plan_guard),
    Transition("complete", (P.IN_PROGRESS,), P.DONE, gettext_lazy("Plan done"), can_work_plan | owns_a_plan_step,
               guard=_complete_plan_guard, style="success"),
    Transition("cancel", (P.DRAFT, P.IN_PROGRESS), P.CANCELLED, gettext_lazy("Cancel the plan"), can_work_plan,
               effect=_cancel_plan, comment_required=True, style="danger"),
]))


def _complete_step(step: PlanStep, actor, params: dict) -> None:
    step.done_at = timezone.now()
    step.done_by = actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None
    step.done_note = _text(params, "comment")  # what was done (the transition's required comment)


def _step_guard(step: PlanStep, actor, params: dict) -> None:
    if step.plan.status != P.IN_PROGRESS:
        raise ValidationError({"status": _("Steps are done while the plan is in progress.")}, code="plan_not_running")


STEP_WORKFLOW = register(Workflow(model=PlanStep, clocks=[
    Clock(STEP, label=gettext_lazy("Plan step"), states=(ST.OPEN,), due="due_date", lead_days=1, cancel_on=("cancel",),
          title=lambda s: f"{s.number} {s.description[:80]}", owner=lambda s: s.owner,
          department=lambda s: s.plan.case.department),
], transitions=[
    Transition("complete", (ST.OPEN,), ST.DONE, gettext_lazy("Step done"), can_complete_step, guard=_step_guard,
               effect=_complete_step, comment_required=True, style="success"),
    # Only with its plan (the plan's "cancel"): who may cancel the plan cancels its open steps.
    Transition("cancel", (ST.OPEN,), ST.CANCELLED, gettext_lazy("Cancel the step"), can_cancel_step,
               comment_required=True, style="danger"),
]))


# --- visit -----------------------------------------------------------------------------------------

def _record_guard(visit: Visit, actor, params: dict) -> None:
    score = params.get("satisfaction")
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = None
    if score is None or not 1 <= score <= 5:
        raise ValidationError({"satisfaction": _("Give the overall satisfaction from 1 to 5.")}, code="invalid")
    if visit.questionnaire_version_id:
        answers = params.get("answers") or {}
        missing = [q for q in Question.objects.filter(version_id=visit.questionnaire_version_id, required=True)
                   if not _answered(q, answers.get(q.pk, answers.get(str(q.pk))))]
        if missing:
            raise ValidationError({"answers": _("Answer every required question.")}, code="required")


def _answered(question: Question, value) -> bool:
    if value is None:
        return False
    if question.kind == Question.Kind.SCALE:
        try:
            return 1 <= int(value) <= 5
        except (TypeError, ValueError):
            return False
    if question.kind == Question.Kind.CHOICE:
        return str(value) in [str(c) for c in question.choices]
    return bool(str(value).strip())


def _record(visit: Visit, actor, params: dict) -> None:
    """Writes what the guard checked: the score, the texts, the answers; who, when and how (VIS-2)."""
    from .models import VisitAnswer

    now = timezone.now()
    visit.satisfaction = int(params["satisfaction"])
    visit.comments = _text(params, "comments")
    visit.suggestions = _text(params, "suggestions")
    visit.done_at = now
    staff = getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None)
    visit.done_by = actor if staff else None
    visit.method = params.get("method") or (Visit.Method.PHONE if staff else Visit.Method.LINK)
    if visit.method == Visit.Method.PHONE:
        visit.called_at = params.get("called_at") or now
        seconds = params.get("call_seconds")
        visit.call_seconds = int(seconds) if seconds not in (None, "") else None
    else:
        visit.answer_ip = params.get("ip") or None
        visit.answer_user_agent = (params.get("user_agent") or "")[:300]
    if visit.questionnaire_version_id:
        answers = params.get("answers") or {}
        rows = []
        for q in Question.objects.filter(version_id=visit.questionnaire_version_id):
            value = answers.get(q.pk, answers.get(str(q.pk)))
            if not _answered(q, value):
                continue
            row = VisitAnswer(visit=visit, question=q)
            if q.kind == Question.Kind.SCALE:
                row.score = int(value)
            elif q.kind == Question.Kind.CHOICE:
                row.choice = str(value)[:100]
            else:
                row.text = str(value).strip()
            rows.append(row)
        VisitAnswer.objects.bulk_create(rows)


def _visit_title(visit: Visit) -> str:
    return f"{visit.number} {visit.customer.name}"


VISIT_WORKFLOW = register(Workflow(model=Visit, clocks=[
    # SLA-2: the owner is reminded the working day before; past the date the owner, the
    # department's managers and the quality department hear of it. Nobody owns it: the managers.
    Clock(VISIT, label=gettext_lazy("Follow-up visit"), states=(V.PLANNED, V.LINK_SENT), due="planned_for",
          lead_days=1, cancel_on=("cancel",), title=_visit_title, owner=lambda v: v.owner,
          department=lambda v: v.department,
          remind_to=Recipients(assigned=(OWNER,), unassigned=(MANAGERS,)),
          escalate_to=Recipients(assigned=(OWNER, MANAGERS, QUALITY), unassigned=(MANAGERS, QUALITY))),
], transitions=[
    Transition("send_link", (V.PLANNED,), V.LINK_SENT, gettext_lazy("Send survey link"), can_record_visit),
    Transition("record", (V.PLANNED, V.LINK_SENT), V.DONE, gettext_lazy("Record the visit"), can_answer_visit,
               guard=_record_guard, effect=_record, style="success"),
    Transition("cancel", (V.PLANNED, V.LINK_SENT), V.CANCELLED, gettext_lazy("Cancel the visit"), can_record_visit,
               comment_required=True, style="danger"),
]))


# --- status colours (qsm.workflow.colours) ---------------------------------------------------------

declare_colours(Case, {
    S.NEW: "warning", S.IN_PROGRESS: "primary", S.SPECIAL: "danger", S.WAITING_CUSTOMER: "info",
    S.RESOLVED: "success", S.CLOSED: "secondary", S.CANCELLED: "light",
})
declare_colours(SpecialPlan, {P.DRAFT: "secondary", P.IN_PROGRESS: "primary", P.DONE: "success", P.CANCELLED: "light"})
declare_colours(PlanStep, {ST.OPEN: "primary", ST.DONE: "success", ST.CANCELLED: "light"})
declare_colours(Visit, {V.PLANNED: "warning", V.LINK_SENT: "info", V.DONE: "success", V.CANCELLED: "light"})
declare_colours(Visit, {
    Visit.Recheck.NONE: "light", Visit.Recheck.REQUESTED: "warning", Visit.Recheck.CONFIRMED: "success",
    Visit.Recheck.DISCREPANCY: "danger",
}, field="recheck_status")
declare_colours(PhoneAttempt, {
    PhoneAttempt.Outcome.NO_ANSWER: "warning", PhoneAttempt.Outcome.BUSY: "warning",
    PhoneAttempt.Outcome.WRONG_NUMBER: "danger", PhoneAttempt.Outcome.REFUSED: "danger",
    PhoneAttempt.Outcome.REACHED: "success",
}, field="outcome")


# The notifications this module sends (``Notification.kind``), named for the admin and the API.
for _kind, _label in [
    ("case_assigned", gettext_lazy("After-sales case assigned")),
    ("case_rerouted", gettext_lazy("After-sales case re-routed")),
    ("case_reopened", gettext_lazy("After-sales case reopened")),
    ("plan_step_assigned", gettext_lazy("Special plan step assigned")),
    ("visit_assigned", gettext_lazy("Follow-up visit assigned")),
    ("visit_low_score", gettext_lazy("Low satisfaction score")),
]:
    register_kind(_kind, _label)
# Why the case asks for a follow-up visit (FollowUp.reason).
register_reason(CASE_RESOLVED, gettext_lazy("After-sales case resolved"))
# "complaint_closed" (a closed complaint asks for a visit) is the complaints module's reason and
# registered there (complaints/survey.py); its visit rule and questionnaire are reference data here.
