"""The minimal, complete writes of a complaint's investigation (CMP-2), handling plans and measures
(CMP-3), the customer's answer (CMP-4) and preventive measures (CMP-5): the foundation that the
richer services of the module (investigation.py, plans.py, measures.py, confirmation.py,
prevention.py) build on, and that the test builders drive.

Every write locks the complaint first (the root, REL-1), re-checks the state and the actor on the
locked row, and only then touches a plan, a measure or an answer; the cascades run inside that
lock: a plan approved opens its measures and moves the complaint to executing; the last measure
done finishes the plan and moves the complaint to confirming, exactly once even when two measures
are completed at the same moment; a "not satisfied" supersedes the plan and the next version is
proposed in the next round.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.notify.services import notify
from qsm.org.selectors import department_managers
from qsm.workflow import engine
from qsm.workflow.locking import lock, locked

from ..models import Complaint, CustomerAnswer, HandlingPlan, Measure, PreventiveMeasure, validate_whys
from ..rules import (
    can_answer_complaint,
    can_complete_measure,
    can_complete_preventive,
    can_decide_plan,
    can_investigate,
    can_manage_preventive,
    can_propose_plan,
    can_write_report,
)
from ..validation import clean_date, clean_text
from ..validation import require as _require
from ..workflows import (
    KIND_ANSWERED,
    KIND_CONFIRMING,
    KIND_MEASURE_ASSIGNED,
    KIND_PLAN_DECIDED,
    KIND_PLAN_SUBMITTED,
    SYSTEM,
)

S = Complaint.Status
P = HandlingPlan.Status
M = Measure.Status
PM = PreventiveMeasure.Status

MAX_MEASURES = 50
INVESTIGATION_STATES = (S.INVESTIGATING, S.PLANNING)
PREVENTION_STATES = (S.INVESTIGATING, S.PLANNING, S.EXECUTING, S.CONFIRMING, S.CLOSED, S.CLOSED_UNRESOLVED)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors, code="invalid")


def _active_user(errors: dict, name: str, user) -> None:
    if user is None or not getattr(user, "is_active", False):
        errors[name] = _("Choose an active person.")


# --- CMP-2 investigation ---------------------------------------------------------------------------

_UNSET = object()


def investigation_record(*, complaint: Complaint, actor, facts=_UNSET, cause=_UNSET, whys=_UNSET,
                         root_cause=_UNSET, responsible_department=_UNSET, responsible_person=_UNSET) -> Complaint:
    """CMP-2: record the facts, the cause category, the why-chain (≤ 5), the root cause and the
    responsible department and person (only the arguments given change; one timeline line)."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    errors: dict = {}
    data: dict = {}
    if facts is not _UNSET:
        data["facts"] = clean_text(errors, "facts", facts)
    if root_cause is not _UNSET:
        data["root_cause"] = clean_text(errors, "root_cause", root_cause)
    if whys is not _UNSET:
        whys = [w.strip() if isinstance(w, str) else w for w in (whys or [])]
        whys = [w for w in whys if w != ""]
        try:
            validate_whys(whys)
            data["whys"] = whys
        except DjangoValidationError as e:
            errors["whys"] = e.messages[0]
    if cause is not _UNSET:
        if cause is not None and not cause.is_active:
            errors["cause"] = _("Choose an active cause category.")
        data["cause"] = cause
    if responsible_department is not _UNSET:
        data["responsible_department"] = responsible_department
    if responsible_person is not _UNSET:
        if responsible_person is not None:
            _active_user(errors, "responsible_person", responsible_person)
        data["responsible_person"] = responsible_person
    _raise(errors)
    with locked(complaint, actor=actor, allowed=can_investigate, states=INVESTIGATION_STATES,
                denied=_("Only the investigator or the quality department records the investigation."),
                wrong_state=_("The investigation is recorded while the complaint is investigated or planned "
                              "(it is “%(state)s”).")) as root:
        engine.edit(root, actor=actor, data=data, tracked=Complaint.TRACKED_FIELDS)
    return complaint


# --- CMP-3 plans ------------------------------------------------------------------------------------

def _clean_measure(m: dict, *, complaint: Complaint) -> tuple[dict | None, dict]:
    """One measure's fields checked: (the row to create, or None; field errors)."""
    e: dict = {}
    description = clean_text(e, "description", m.get("description"), required=_("Describe the measure."))
    owner = m.get("owner")
    _active_user(e, "owner", owner)
    due = clean_date(e, "due_date", m.get("due_date"), required=_("Give the deadline."))
    if isinstance(due, dt.datetime):
        due = timezone.localtime(due).date() if timezone.is_aware(due) else due.date()
    if due is not None and "due_date" not in e and due < timezone.localdate():
        e["due_date"] = _("The deadline cannot be in the past.")
    department = m.get("department") or complaint.responsible_department or getattr(owner, "department", None)
    if department is None and "owner" not in e:
        e["department"] = _("Name the department that carries the measure out.")
    if e:
        return None, e
    return {"description": description, "owner": owner, "due_date": due, "department": department}, e


def _clean_measures(errors: dict, measures, *, complaint: Complaint) -> list[dict]:
    """The measures of a plan; errors as ``measures`` plus ``measures-<i>-<field>`` for each field."""
    rows = []
    if not measures:
        errors["measures"] = _("Add at least one measure.")
        return rows
    if len(measures) > MAX_MEASURES:
        errors["measures"] = _("A plan has at most %(max)d measures.") % {"max": MAX_MEASURES}
        return rows
    for i, m in enumerate(measures):
        row, e = _clean_measure(m if isinstance(m, dict) else {}, complaint=complaint)
        if e:
            errors["measures"] = _("Check the measures.")
            errors.update({f"measures-{i}-{name}": message for name, message in e.items()})
        else:
            rows.append(row)
    return rows


def _create_measures(plan: HandlingPlan, rows: list[dict], *, actor) -> None:
    for position, row in enumerate(rows, start=1):
        measure = Measure.objects.create(plan=plan, position=position, **row)
        engine.record_created(measure, actor=actor)


def _last_objections(complaint: Complaint) -> str:
    answer = (CustomerAnswer.objects.filter(complaint=complaint, satisfied=False).order_by("-round").first())
    return answer.objections if answer else ""


def plan_create(*, complaint: Complaint, actor, summary: str, measures: list[dict],
                customer_objections: str | None = None) -> HandlingPlan:
    """CMP-3: draft the next plan version with its measures (``{"description", "owner", "due_date",
    "department"?}``; department defaults to the responsible department). In a later round the
    customer's objections of the last answer are carried into the plan."""
    errors: dict = {}
    summary = clean_text(errors, "summary", summary, required=_("Describe the approach of the plan."))
    objections = None if customer_objections is None else clean_text(errors, "customer_objections",
                                                                        customer_objections)
    with locked(complaint, actor=actor, allowed=can_investigate, states=(S.PLANNING,),
                denied=_("Only the investigator or the quality department proposes plans."),
                wrong_state=_("Plans are proposed while the complaint is being planned (it is “%(state)s”).")) as root:
        rows = _clean_measures(errors, measures, complaint=root)
        _raise(errors)
        if HandlingPlan.objects.filter(complaint=root, status__in=HandlingPlan.LIVE_STATES).exists():
            raise TransitionNotAllowed(_("A plan of this complaint is being worked on already: revise or withdraw "
                                         "it first."), action="plan_create")
        version = (HandlingPlan.objects.filter(complaint=root).aggregate(v=Max("version"))["v"] or 0) + 1
        plan = HandlingPlan.objects.create(
            complaint=root, version=version, round=root.round, summary=summary, author=actor,
            customer_objections=objections if objections is not None else _last_objections(root))
        engine.record_created(plan, actor=actor)
        _create_measures(plan, rows, actor=actor)
        Complaint.objects.filter(pk=root.pk).update(plan_version=version)
        root.plan_version = version
    complaint.plan_version = version
    return plan


def plan_revise(*, plan: HandlingPlan, actor, summary: str | None = None) -> HandlingPlan:
    """CMP-3/CMP-4: the current plan, rejected by its manager or superseded because the customer was
    not satisfied, is revised as the next version: a draft with a copy of its measures (deadlines in
    the past move to today); a superseded plan's revision carries the customer's objections."""
    with locked(plan.complaint, actor=actor, allowed=can_investigate, states=(S.PLANNING,),
                denied=_("Only the investigator or the quality department revises plans."),
                wrong_state=_("Plans are revised while the complaint is being planned (it is “%(state)s”).")) as root:
        old = lock(plan)
        if old.status not in (P.REJECTED, P.SUPERSEDED) or old.version != root.plan_version:
            raise TransitionNotAllowed(_("Only the current plan, once rejected or superseded, is revised."), action="revise")
        rows = [{"description": m.description, "owner": m.owner, "due_date": max(m.due_date, timezone.localdate()),
                 "department": m.department} for m in old.measures.exclude(status=M.CANCELLED).order_by("position")]
        errors: dict = {}
        summary = old.summary if summary is None else clean_text(errors, "summary", summary,
                                                                 required=_("Describe the approach of the plan."))
        _raise(errors)
        new = HandlingPlan.objects.create(complaint=root, version=old.version + 1, round=root.round, summary=summary,
                                          customer_objections=_last_objections(root) if old.status == P.SUPERSEDED
                                          else old.customer_objections, author=actor)
        engine.record_created(new, actor=actor, action="revise", data={"revises": old.version})
        _create_measures(new, rows, actor=actor)
        Complaint.objects.filter(pk=root.pk).update(plan_version=new.version)
    return new


def _plan_in_lock(plan: HandlingPlan, root: Complaint) -> HandlingPlan:
    current = lock(plan)
    current.complaint = root
    return current


def _already_decided(plan: HandlingPlan) -> TransitionNotAllowed:
    return TransitionNotAllowed(_("This plan was already decided: it is “%(state)s”.")
                                % {"state": plan.get_status_display()}, action="decide", state=plan.status)


def _decidable(plan: HandlingPlan, root: Complaint) -> None:
    """Decided on the locked rows: the loser of two decisions at once hears it was already decided."""
    if plan.status != P.SUBMITTED:
        raise _already_decided(plan)
    if root.status != S.PLANNING:
        raise TransitionNotAllowed(_("This plan was already decided (the complaint is “%(state)s”).")
                                   % {"state": root.get_status_display()}, action="decide", state=root.status)


def plan_submit(*, plan: HandlingPlan, actor) -> HandlingPlan:
    """CMP-3: submit the draft for approval; the approvers (managers of the responsible department)
    are told, and the approval clock runs."""
    _require(can_propose_plan(actor, plan), _("Only the investigator or the quality department submits plans."))
    with locked(plan.complaint, actor=actor, states=(S.PLANNING,),
                wrong_state=_("The complaint is “%(state)s”: no plan is submitted now.")) as root:
        current = _plan_in_lock(plan, root)
        done = engine.fire(current, "submit", actor=actor)
        notify(recipients=department_managers(department=root.responsible_department), exclude=actor,
               kind=KIND_PLAN_SUBMITTED,
               title=gettext_lazy("Handling plan %(number)s awaits your approval"),
               params={"number": done.number}, url=done.get_absolute_url())
    engine.sync_fields(done, plan)
    return plan


def plan_approve(*, plan: HandlingPlan, actor, comment: str = "") -> HandlingPlan:
    """CMP-3: the manager who approves for the responsible department (never the author) approves:
    the measures open (their date clocks run) and the complaint is executed. Two managers at once:
    one decision, the other is told it was already decided."""
    _require(can_decide_plan(actor, plan), _("Only a manager who approves for the responsible department, "
                                             "and not the plan's author, decides it."))
    with locked(plan.complaint, actor=actor) as root:
        current = _plan_in_lock(plan, root)
        _decidable(current, root)
        done = engine.fire(current, "approve", actor=actor, comment=comment)
        owners = []
        for measure in Measure.objects.filter(plan=done, status=M.PLANNED).select_related("owner"):
            engine.fire(measure, "open", actor=SYSTEM)
            owners.append(measure.owner)
        engine.fire(root, "execute", actor=SYSTEM)
        notify(recipients=owners, exclude=actor, kind=KIND_MEASURE_ASSIGNED,
               title=gettext_lazy("A measure of complaint %(number)s is yours to carry out"),
               params={"number": root.number}, url=root.get_absolute_url())
        notify(recipients=[done.author], exclude=actor, kind=KIND_PLAN_DECIDED,
               title=gettext_lazy("Handling plan %(number)s was approved"), params={"number": done.number},
               url=done.get_absolute_url())
    engine.sync_fields(done, plan)
    return plan


def plan_reject(*, plan: HandlingPlan, actor, reason: str) -> HandlingPlan:
    """CMP-3: reject with a reason; the author revises it as the next version (``plan_revise``)."""
    errors: dict = {}
    reason = clean_text(errors, "comment", reason, required=_("Give the reason for rejecting the plan."))
    _raise(errors)
    _require(can_decide_plan(actor, plan), _("Only a manager who approves for the responsible department, "
                                             "and not the plan's author, decides it."))
    with locked(plan.complaint, actor=actor) as root:
        current = _plan_in_lock(plan, root)
        _decidable(current, root)
        done = engine.fire(current, "reject", actor=actor, comment=reason)
        notify(recipients=[done.author], exclude=actor, kind=KIND_PLAN_DECIDED,
               title=gettext_lazy("Handling plan %(number)s was rejected"), params={"number": done.number},
               url=done.get_absolute_url())
    engine.sync_fields(done, plan)
    return plan


def plan_withdraw(*, plan: HandlingPlan, actor) -> HandlingPlan:
    """A draft that will not be submitted (its measures go with it); a new version may be drafted."""
    _require(can_propose_plan(actor, plan), _("Only the investigator or the quality department withdraws plans."))
    with locked(plan.complaint, actor=actor, states=(S.PLANNING,),
                wrong_state=_("The complaint is “%(state)s”: no plan is withdrawn now.")) as root:
        current = _plan_in_lock(plan, root)
        done = engine.fire(current, "withdraw", actor=actor)
        for measure in Measure.objects.filter(plan=done, status=M.PLANNED):
            engine.fire(measure, "cancel", actor=SYSTEM)
    engine.sync_fields(done, plan)
    return plan


# --- CMP-3 measures ---------------------------------------------------------------------------------

def measure_complete(*, measure: Measure, actor, note: str) -> Measure:
    """CMP-3: the responsible department reports what was done (evidence: attachments on the measure).
    The last measure done finishes the plan and the complaint waits for the customer's answer."""
    errors: dict = {}
    note = clean_text(errors, "note", note, required=_("Say what was done."))
    _raise(errors)
    _require(can_complete_measure(actor, measure), _("Only the measure's owner or its department completes it."))
    complaint = measure.plan.complaint
    with locked(complaint, actor=actor, states=(S.EXECUTING,),
                wrong_state=_("Measures are done while the complaint is executed (it is “%(state)s”).")) as root:
        plan = _plan_in_lock(measure.plan, root)
        current = lock(measure)
        current.plan = plan
        if current.status != M.OPEN:
            raise TransitionNotAllowed(_("This measure is “%(state)s” already.") % {
                "state": current.get_status_display()}, action="complete", state=current.status)
        done = engine.fire(current, "complete", actor=actor, note=note)
        if not Measure.objects.filter(plan=plan).exclude(status__in=(M.DONE, M.CANCELLED)).exists():
            engine.fire(plan, "finish", actor=SYSTEM)
            engine.fire(root, "confirm", actor=SYSTEM)
            notify(recipients=[root.investigator] if root.investigator_id else [], exclude=actor,
                   kind=KIND_CONFIRMING,
                   title=gettext_lazy("Every measure of complaint %(number)s is done: ask the customer"),
                   params={"number": root.number}, url=root.get_absolute_url())
    engine.sync_fields(done, measure)
    return measure


# --- CMP-4 the customer's answer --------------------------------------------------------------------

def answer_record(*, complaint: Complaint, actor, satisfied: bool, objections: str = "", link=None,
                  ip: str | None = None, user_agent: str = "", answered_at: dt.datetime | None = None) -> CustomerAnswer:
    """CMP-4: the customer's answer of this round, by phone (``actor`` the caller) or through the
    signed link (``actor`` the ``CustomerActor``, ``link`` the link). Satisfied closes the complaint
    (a follow-up visit is queued); not satisfied supersedes the plan and returns it to planning in
    the next round, with the objections kept for the next plan version."""
    if not isinstance(satisfied, bool):
        raise ValidationError({"satisfied": _("Say whether the customer is satisfied.")}, code="required")
    errors: dict = {}
    objections = clean_text(errors, "objections", objections,
                            required="" if satisfied else _("Write what the customer is not satisfied with."))
    if answered_at is not None:
        answered_at = clean_date(errors, "answered_at", answered_at, past=True)
    _raise(errors)
    _require(can_answer_complaint(actor, complaint), _("You are not allowed to record the customer's answer."))
    with locked(complaint, actor=actor, states=(S.CONFIRMING,),
                wrong_state=_("The customer's answer is not awaited (the complaint is “%(state)s”).")) as root:
        round_ = root.round
        done = engine.fire(root, "satisfied" if satisfied else "not_satisfied", actor=actor, objections=objections,
                           link=link, ip=ip, user_agent=user_agent, answered_at=answered_at)
        answer = CustomerAnswer.objects.get(complaint=root, round=round_)
        notify(recipients=[root.investigator] if root.investigator_id else [], exclude=actor, kind=KIND_ANSWERED,
               title=(gettext_lazy("The customer is satisfied: complaint %(number)s is closed") if satisfied else
                      gettext_lazy("The customer is not satisfied: complaint %(number)s needs a new plan")),
               params={"number": root.number}, url=root.get_absolute_url())
    engine.sync_fields(done, complaint)
    return answer


# --- CMP-5 preventive measures ----------------------------------------------------------------------

def preventive_add(*, complaint: Complaint, actor, description: str, owner, due_date,
                   department=None) -> PreventiveMeasure:
    """CMP-5: a preventive measure with its owner and deadline (its date clock reminds and escalates)."""
    row, errors = _clean_measure({"description": description, "owner": owner, "due_date": due_date,
                                  "department": department or getattr(owner, "department", None)},
                                 complaint=complaint)
    _raise(errors)
    with locked(complaint, actor=actor, allowed=can_write_report, states=PREVENTION_STATES,
                denied=_("Only the investigator or the quality department records preventive measures."),
                wrong_state=_("The complaint is “%(state)s”: no preventive measure is recorded.")) as root:
        measure = PreventiveMeasure.objects.create(complaint=root, created_by=actor, **row)
        engine.record_created(measure, actor=actor)
    return measure


def _preventive_fire(measure: PreventiveMeasure, *, actor, allowed: bool, denied: str, action: str,
                     **params) -> PreventiveMeasure:
    """Fire ``action`` on a preventive measure under its complaint's lock (root first)."""
    _require(allowed, denied)
    with locked(measure.complaint) as root:
        current = lock(measure)
        current.complaint = root
        done = engine.fire(current, action, actor=actor, **params)
    engine.sync_fields(done, measure)
    return measure


def preventive_complete(*, measure: PreventiveMeasure, actor, note: str) -> PreventiveMeasure:
    """CMP-5: what was done (its owner, its department, or who works the complaint)."""
    errors: dict = {}
    note = clean_text(errors, "note", note, required=_("Say what was done."))
    _raise(errors)
    return _preventive_fire(measure, actor=actor, allowed=can_complete_preventive(actor, measure), action="complete",
                            denied=_("You are not allowed to complete this preventive measure."), note=note)


def preventive_cancel(*, measure: PreventiveMeasure, actor, reason: str) -> PreventiveMeasure:
    """CMP-5: a preventive measure that will not be carried out (reason required)."""
    errors: dict = {}
    reason = clean_text(errors, "comment", reason, required=_("Give the reason for cancelling."))
    _raise(errors)
    return _preventive_fire(measure, actor=actor, allowed=can_manage_preventive(actor, measure), action="cancel",
                            denied=_("You are not allowed to cancel this preventive measure."), comment=reason)
