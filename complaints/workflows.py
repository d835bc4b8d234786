"""The complaint lifecycles (§5): complaint, handling plan, measure, preventive measure, case report.

Complaint:
    received --assign (quality dept; the investigator)--> investigating
    investigating --start_planning (guard: cause, a why or the root cause, responsible dept + person)--> planning
    planning --execute (system: its current plan was approved)--> executing
    executing --confirm (system: every measure of the current plan done)--> confirming
    confirming --satisfied (caller or customer link: the round's answer)--> closed     (follow-up queue)
    confirming --not_satisfied (same; objections required)--> planning                 (round + 1)
    received|investigating|planning|executing|confirming --close_unresolved (quality manager,
        reason required)--> closed_unresolved                                          (follow-up queue)
    received --cancel (quality manager, reason required)--> cancelled
  The reply given to the customer is not a state: ``complaints.services.intake.complaint_reply``
  records it once, in any open state, and completes the ``reply`` clock (qsm.workflow.milestones).
Handling plan:
    draft --submit--> submitted --approve (can_approve_for(responsible dept), not its author)--> approved
    submitted --reject (reason required)--> rejected       (revised as the next version, in draft)
    draft --withdraw--> cancelled
    approved --finish (system: every measure done)--> done --supersede (system: customer not satisfied)--> superseded
    draft|submitted|approved --cancel (system: the complaint closed unresolved)--> cancelled
Measure:          planned --open (system: plan approved)--> open --complete (note)--> done
                  planned|open --cancel (system, with its plan)--> cancelled
Preventive:       open --complete (note)--> done ; open --cancel (reason)--> cancelled
Case report:      draft --finalize--> final

The cascades (a plan approved opens its measures and moves the complaint; the last measure done
finishes the plan and asks the customer) are the services' (complaints.services.core): they lock
the complaint first, then fire the children and the "system" transitions, so two measures done at
once move the complaint exactly once. The system transitions are fired with ``SYSTEM`` only.

Clocks (SLA-1/SLA-2, policies by severity: complaints.reference): ``reply`` from intake until the
reply is recorded (its due is the promised reply time, stored at intake); ``investigation`` while
investigating; ``resolution`` from intake to closing, paused while the customer is asked;
``approval`` while a plan awaits its decision (the responsible department's managers are reminded;
the quality department hears of it when late); ``measure`` and ``preventive`` run to their dates.
"""
from __future__ import annotations

import rules
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import ValidationError
from qsm.notify.kinds import register_kind
from qsm.parsing import has_control_chars
from qsm.workflow.actors import SystemActor, is_system
from qsm.workflow.clocks import MANAGERS, OWNER, QUALITY, Clock, Recipients
from qsm.workflow.colours import declare_colours
from qsm.workflow.engine import Transition, Workflow, register

from .models import CaseReport, Complaint, CustomerAnswer, HandlingPlan, Measure, PreventiveMeasure
from .rules import (
    can_answer_complaint,
    can_assign_complaint,
    can_cancel_complaint,
    can_close_unresolved,
    can_complete_measure,
    can_complete_preventive,
    can_decide_plan,
    can_finalize_report,
    can_investigate,
    can_manage_preventive,
    can_propose_plan,
)

S = Complaint.Status
P = HandlingPlan.Status
M = Measure.Status
PM = PreventiveMeasure.Status
R = CaseReport.Status

# The actor of the transitions nobody fires by hand (the cascades of complaints.services.core).
SYSTEM = SystemActor("complaints")

REPLY = "reply"
INVESTIGATION = "investigation"
RESOLUTION = "resolution"
APPROVAL = "approval"
MEASURE = "measure"
PREVENTIVE = "preventive"
COMPLAINT_CLOSED = "complaint_closed"  # the follow-up reason (registered by aftersales too)

OPEN = (S.RECEIVED, S.INVESTIGATING, S.PLANNING, S.EXECUTING, S.CONFIRMING)


@rules.predicate
def system_only(actor, record) -> bool:
    """The cascades' transitions: fired by ``SYSTEM`` inside a service's lock, never by a person."""
    return is_system(actor)


def _text(params: dict, name: str) -> str:
    return (params.get(name) or "").strip()


def _actor_user(actor):
    return actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None


# --- complaint -------------------------------------------------------------------------------------

def _assign_guard(complaint: Complaint, actor, params: dict) -> None:
    investigator = params.get("investigator") or complaint.investigator
    if investigator is None:
        raise ValidationError({"investigator": _("Choose the investigator.")}, code="required")
    if not getattr(investigator, "is_active", False):
        raise ValidationError({"investigator": _("The investigator's account is not active.")}, code="inactive")


def _assign(complaint: Complaint, actor, params: dict) -> None:
    if params.get("investigator") is not None:
        complaint.investigator = params["investigator"]


def investigation_missing(complaint: Complaint) -> dict:
    """CMP-2: what must be recorded before a plan is proposed (field -> message); empty when complete."""
    errors = {}
    if complaint.cause_id is None:
        errors["cause"] = _("Choose the cause category.")
    if not (complaint.root_cause.strip() or any(str(w).strip() for w in (complaint.whys or []))):
        errors["root_cause"] = _("Record the root cause: at least one “why?” or the root cause itself.")
    if complaint.responsible_department_id is None:
        errors["responsible_department"] = _("Name the responsible department.")
    if complaint.responsible_person_id is None:
        errors["responsible_person"] = _("Name the responsible person.")
    return errors


def _start_planning_guard(complaint: Complaint, actor, params: dict) -> None:
    errors = investigation_missing(complaint)
    if errors:
        raise ValidationError(errors, code="investigation_incomplete")


def _start_planning(complaint: Complaint, actor, params: dict) -> None:
    complaint.investigated_at = timezone.now()


def _execute_guard(complaint: Complaint, actor, params: dict) -> None:
    plan = complaint.current_plan()
    if plan is None or plan.status != P.APPROVED:
        raise ValidationError({"plan": _("The current handling plan is not approved.")}, code="plan_not_approved")


def _confirm_guard(complaint: Complaint, actor, params: dict) -> None:
    plan = complaint.current_plan()
    if plan is None or plan.measures.exclude(status__in=(M.DONE, M.CANCELLED)).exists() \
            or not plan.measures.filter(status=M.DONE).exists():
        raise ValidationError({"measures": _("Every measure of the plan must be done first.")}, code="measures_open")


def _answer_guard(satisfied: bool):
    def guard(complaint: Complaint, actor, params: dict) -> None:
        errors = {}
        objections = _text(params, "objections") or _text(params, "comment")
        if not satisfied and not objections:
            errors["objections"] = _("Write what the customer is not satisfied with.")
        if len(objections) > 10000 or has_control_chars(objections):
            errors["objections"] = _("Enter plain text of at most 10,000 characters.")
        if CustomerAnswer.objects.filter(complaint=complaint, round=complaint.round).exists():
            errors["satisfied"] = _("The customer has already answered this round.")
        if complaint.current_plan() is None:
            errors["plan"] = _("There is no plan to ask the customer about.")
        if errors:
            raise ValidationError(errors, code="invalid")
    return guard


def _record_answer(complaint: Complaint, actor, params: dict, *, satisfied: bool) -> CustomerAnswer:
    user = _actor_user(actor)
    link = params.get("link")
    return CustomerAnswer.objects.create(
        complaint=complaint, round=complaint.round, plan=complaint.current_plan(),
        method=CustomerAnswer.Method.PHONE if user else CustomerAnswer.Method.LINK, satisfied=satisfied,
        objections=_text(params, "objections") or _text(params, "comment"), answered_at=params.get("answered_at") or timezone.now(),
        recorded_by=user, link=link if user is None else None, ip=params.get("ip") or None,
        user_agent=(params.get("user_agent") or "")[:300])


def _queue_follow_up(complaint: Complaint) -> None:
    # CMP-5 / VIS-1: a closed complaint (either way) asks for its follow-up visit.
    from qsm.followup.services import follow_up_request

    follow_up_request(complaint, COMPLAINT_CLOSED, complaint.closed_at, customer=complaint.customer,
                      department=complaint.responsible_department or complaint.receiving_department)


def _satisfied(complaint: Complaint, actor, params: dict) -> None:
    _record_answer(complaint, actor, params, satisfied=True)
    complaint.closed_at = timezone.now()
    complaint.closed_satisfied = True
    complaint.closed_by = _actor_user(actor)
    _queue_follow_up(complaint)


def _not_satisfied(complaint: Complaint, actor, params: dict) -> None:
    from qsm.workflow.engine import fire

    _record_answer(complaint, actor, params, satisfied=False)
    # the plan that did not satisfy is kept as superseded; the next version is drafted in planning
    plan = complaint.current_plan()
    if plan is not None and plan.status == P.DONE:
        fire(plan, "supersede", actor=SYSTEM)
    complaint.round += 1


def _close_unresolved(complaint: Complaint, actor, params: dict) -> None:
    from qsm.workflow.engine import fire

    # the plan being worked on goes with it, its planned and open measures first (children after
    # the complaint, which ``fire`` locked: REL-1's order)
    for plan in HandlingPlan.objects.filter(complaint=complaint, status__in=HandlingPlan.LIVE_STATES):
        for measure in plan.measures.filter(status__in=(M.PLANNED, M.OPEN)):
            fire(measure, "cancel", actor=SYSTEM)
        fire(plan, "cancel", actor=SYSTEM)
    complaint.close_decision_reason = _text(params, "comment")
    complaint.closed_at = timezone.now()
    complaint.closed_satisfied = False
    complaint.closed_by = _actor_user(actor)
    _queue_follow_up(complaint)


def _title(complaint: Complaint) -> str:
    return f"{complaint.number} {complaint.subject}"


def _handler(complaint: Complaint):
    return complaint.investigator


def _handling_department(complaint: Complaint):
    return complaint.responsible_department or complaint.receiving_department


COMPLAINT_CLOCKS = [
    Clock(REPLY, label=gettext_lazy("Reply to the complainant"), states=OPEN, cancel_on=("cancel", "close_unresolved"),
          title=_title, category="severity", owner=lambda c: c.received_by, department=lambda c: c.receiving_department,
          started=lambda c: c.received_at, completed=lambda c: c.replied_at),
    Clock(INVESTIGATION, label=gettext_lazy("Complaint investigation"), states=(S.INVESTIGATING,),
          cancel_on=("close_unresolved",), title=_title, category="severity", owner=_handler,
          department=_handling_department),
    Clock(RESOLUTION, label=gettext_lazy("Complaint resolution"), states=(S.RECEIVED, S.INVESTIGATING, S.PLANNING,
                                                                           S.EXECUTING),
          pauses=(S.CONFIRMING,), cancel_on=("cancel", "close_unresolved"), title=_title, category="severity",
          owner=_handler, department=_handling_department, started=lambda c: c.received_at),
]

COMPLAINT_WORKFLOW = register(Workflow(model=Complaint, clocks=COMPLAINT_CLOCKS, transitions=[
    Transition("assign", (S.RECEIVED,), S.INVESTIGATING, gettext_lazy("Assign the investigator"),
               can_assign_complaint, guard=_assign_guard, effect=_assign),
    Transition("start_planning", (S.INVESTIGATING,), S.PLANNING, gettext_lazy("Investigation done: plan"),
               can_investigate, guard=_start_planning_guard, effect=_start_planning),
    Transition("execute", (S.PLANNING,), S.EXECUTING, gettext_lazy("Plan approved: execute"), system_only,
               guard=_execute_guard),
    Transition("confirm", (S.EXECUTING,), S.CONFIRMING, gettext_lazy("Measures done: ask the customer"), system_only,
               guard=_confirm_guard),
    Transition("satisfied", (S.CONFIRMING,), S.CLOSED, gettext_lazy("Customer satisfied"), can_answer_complaint,
               guard=_answer_guard(True), effect=_satisfied, style="success"),
    Transition("not_satisfied", (S.CONFIRMING,), S.PLANNING, gettext_lazy("Customer not satisfied"),
               can_answer_complaint, guard=_answer_guard(False), effect=_not_satisfied, style="warning"),
    Transition("close_unresolved", OPEN, S.CLOSED_UNRESOLVED, gettext_lazy("Close unresolved"), can_close_unresolved,
               effect=_close_unresolved, comment_required=True, style="danger"),
    Transition("cancel", (S.RECEIVED,), S.CANCELLED, gettext_lazy("Cancel"), can_cancel_complaint,
               comment_required=True, style="danger"),
]))


# --- handling plan ---------------------------------------------------------------------------------

def _submit_guard(plan: HandlingPlan, actor, params: dict) -> None:
    errors = {}
    if plan.complaint.status != S.PLANNING:
        errors["status"] = _("A plan is submitted while the complaint is being planned.")
    if not plan.summary.strip():
        errors["summary"] = _("Describe the approach of the plan.")
    measures = list(plan.measures.exclude(status=M.CANCELLED))
    if not measures:
        errors["measures"] = _("Add at least one measure.")
    elif any(not m.description.strip() or m.owner_id is None or m.due_date is None for m in measures):
        errors["measures"] = _("Every measure needs a description, a person responsible and a deadline.")
    if errors:
        raise ValidationError(errors, code="invalid")


def _submit(plan: HandlingPlan, actor, params: dict) -> None:
    plan.submitted_at = timezone.now()


def _decide_guard(plan: HandlingPlan, actor, params: dict) -> None:
    if plan.complaint.status != S.PLANNING:
        raise ValidationError({"status": _("The complaint is no longer being planned.")}, code="not_planning")


def _decided(plan: HandlingPlan, actor, params: dict) -> None:
    plan.decided_by = _actor_user(actor)
    plan.decided_at = timezone.now()
    plan.decision_reason = _text(params, "comment")


def _finish_guard(plan: HandlingPlan, actor, params: dict) -> None:
    if plan.measures.exclude(status__in=(M.DONE, M.CANCELLED)).exists():
        raise ValidationError({"measures": _("Every measure of the plan must be done first.")}, code="measures_open")


def _plan_department(plan: HandlingPlan):
    return plan.complaint.responsible_department


PLAN_WORKFLOW = register(Workflow(model=HandlingPlan, clocks=[
    # CMP-3: the approvers (managers of the responsible department) are reminded; late, the quality
    # department hears of it (its manager approves for every department).
    Clock(APPROVAL, label=gettext_lazy("Plan approval"), states=(P.SUBMITTED,), cancel_on=("cancel",),
          title=lambda p: f"{p.number} {p.complaint.subject}", owner=None, department=_plan_department,
          remind_to=Recipients(assigned=(MANAGERS,), unassigned=(MANAGERS,)),
          escalate_to=Recipients(assigned=(MANAGERS, QUALITY), unassigned=(MANAGERS, QUALITY))),
], transitions=[
    Transition("submit", (P.DRAFT,), P.SUBMITTED, gettext_lazy("Submit for approval"), can_propose_plan,
               guard=_submit_guard, effect=_submit),
    Transition("approve", (P.SUBMITTED,), P.APPROVED, gettext_lazy("Approve"), can_decide_plan,
               guard=_decide_guard, effect=_decided, style="success"),
    Transition("reject", (P.SUBMITTED,), P.REJECTED, gettext_lazy("Reject"), can_decide_plan,
               guard=_decide_guard, effect=_decided, comment_required=True, style="danger"),
    Transition("withdraw", (P.DRAFT,), P.CANCELLED, gettext_lazy("Withdraw"), can_propose_plan, style="secondary"),
    Transition("finish", (P.APPROVED,), P.DONE, gettext_lazy("Every measure done"), system_only, guard=_finish_guard),
    Transition("supersede", (P.DONE,), P.SUPERSEDED, gettext_lazy("Superseded"), system_only),
    Transition("cancel", (P.DRAFT, P.SUBMITTED, P.APPROVED), P.CANCELLED, gettext_lazy("Cancel"), system_only),
]))


# --- measures --------------------------------------------------------------------------------------

def _done_guard(record, actor, params: dict) -> None:
    note = _text(params, "note") or _text(params, "comment")
    if not note:
        raise ValidationError({"note": _("Say what was done.")}, code="required")
    if len(note) > 10000 or has_control_chars(note):
        raise ValidationError({"note": _("Enter plain text of at most 10,000 characters.")}, code="invalid")


def _done(record, actor, params: dict) -> None:
    record.done_at = timezone.now()
    record.done_by = _actor_user(actor)
    record.done_note = _text(params, "note") or _text(params, "comment")


def _measure_guard(measure: Measure, actor, params: dict) -> None:
    if measure.plan.status != P.APPROVED:
        raise ValidationError({"status": _("Measures are done once their plan is approved.")}, code="plan_not_running")
    _done_guard(measure, actor, params)


def _escalation() -> dict:
    # SLA-2: the owner is reminded the working day before; late, the owner, the managers of the
    # measure's department and the quality department hear of it.
    return {"remind_to": Recipients(assigned=(OWNER,), unassigned=(MANAGERS,)),
            "escalate_to": Recipients(assigned=(OWNER, MANAGERS, QUALITY), unassigned=(MANAGERS, QUALITY))}


MEASURE_WORKFLOW = register(Workflow(model=Measure, clocks=[
    Clock(MEASURE, label=gettext_lazy("Complaint measure"), states=(M.OPEN,), due="due_date", lead_days=1,
          cancel_on=("cancel",), title=lambda m: f"{m.number} {m.description[:80]}", owner=lambda m: m.owner,
          department=lambda m: m.department, **_escalation()),
], transitions=[
    Transition("open", (M.PLANNED,), M.OPEN, gettext_lazy("Open"), system_only),
    Transition("complete", (M.OPEN,), M.DONE, gettext_lazy("Measure done"), can_complete_measure,
               guard=_measure_guard, effect=_done, style="success"),
    Transition("cancel", (M.PLANNED, M.OPEN), M.CANCELLED, gettext_lazy("Cancel"), system_only),
]))


PREVENTIVE_WORKFLOW = register(Workflow(model=PreventiveMeasure, clocks=[
    Clock(PREVENTIVE, label=gettext_lazy("Preventive measure"), states=(PM.OPEN,), due="due_date", lead_days=1,
          cancel_on=("cancel",), title=lambda m: f"{m.number} {m.description[:80]}",
          owner=lambda m: m.owner, department=lambda m: m.department, **_escalation()),
], transitions=[
    Transition("complete", (PM.OPEN,), PM.DONE, gettext_lazy("Preventive measure done"), can_complete_preventive,
               guard=_done_guard, effect=_done, style="success"),
    Transition("cancel", (PM.OPEN,), PM.CANCELLED, gettext_lazy("Cancel"), can_manage_preventive,
               comment_required=True, style="danger"),
]))


REPORT_WORKFLOW = register(Workflow(model=CaseReport, transitions=[
    Transition("finalize", (R.DRAFT,), R.FINAL, gettext_lazy("Finalize the report"), can_finalize_report,
               style="success"),
]))


# --- status colours (qsm.workflow.colours) ---------------------------------------------------------

declare_colours(Complaint, {
    S.RECEIVED: "warning", S.INVESTIGATING: "primary", S.PLANNING: "info", S.EXECUTING: "primary",
    S.CONFIRMING: "info", S.CLOSED: "success", S.CLOSED_UNRESOLVED: "danger", S.CANCELLED: "light",
})
declare_colours(Complaint, {
    Complaint.Severity.GENERAL: "secondary", Complaint.Severity.SERIOUS: "warning",
    Complaint.Severity.CRITICAL: "danger",
}, field="severity")
declare_colours(HandlingPlan, {
    P.DRAFT: "secondary", P.SUBMITTED: "warning", P.APPROVED: "primary", P.REJECTED: "danger", P.DONE: "success",
    P.CANCELLED: "light", P.SUPERSEDED: "light",
})
declare_colours(Measure, {M.PLANNED: "secondary", M.OPEN: "primary", M.DONE: "success", M.CANCELLED: "light"})
declare_colours(PreventiveMeasure, {PM.OPEN: "primary", PM.DONE: "success", PM.CANCELLED: "light"})
declare_colours(CaseReport, {R.DRAFT: "secondary", R.FINAL: "success"})


# The notifications this module sends (``Notification.kind``), named for the admin and the API.
KIND_ASSIGNED = "complaint_assigned"
KIND_PLAN_SUBMITTED = "complaint_plan_submitted"
KIND_PLAN_DECIDED = "complaint_plan_decided"
KIND_MEASURE_ASSIGNED = "complaint_measure_assigned"
KIND_CONFIRMING = "complaint_confirming"
KIND_ANSWERED = "complaint_answered"
for _kind, _label in [
    (KIND_ASSIGNED, gettext_lazy("Complaint assigned for investigation")),
    (KIND_PLAN_SUBMITTED, gettext_lazy("Handling plan awaiting approval")),
    (KIND_PLAN_DECIDED, gettext_lazy("Handling plan decided")),
    (KIND_MEASURE_ASSIGNED, gettext_lazy("Complaint measure assigned")),
    (KIND_CONFIRMING, gettext_lazy("Complaint measures done: ask the customer")),
    (KIND_ANSWERED, gettext_lazy("Customer answered about a complaint")),
]:
    register_kind(_kind, _label)
# The follow-up reason "complaint_closed" is registered by aftersales (its visit rule and
# questionnaire are after-sales reference data); h4 moves or deduplicates the registration.
