"""The complaint lifecycle tables (§5, CMP-1..5), every (state, action, role): the table is the spec.

For each state one record is built through the builders (the services and the workflow tables);
every (action, role) is then tried on it inside a savepoint that is rolled back, through the
service a page or the API calls (the engine for the plain transitions). Expected: an allowed role
in a source state moves the record to the target; a role the rules refuse -> PermissionDenied; an
allowed role in another state -> TransitionNotAllowed. Whatever is refused changes nothing: the
status, the timeline, the deadlines of the record and of its complaint.

Roles (tests/builders/complaints.py ``cast``): receiver, receiving_manager, investigator (an
engineer: his rights come from being named), quality (officer), quality_manager, responsible
(staff of the responsible department, owner of the measures), approver (its manager), author
(of the plan: the investigator), outsider and outside_manager (an unrelated department). The
investigator's rights exist once he is named (not in "received" or "cancelled").
"""
from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from complaints.models import Complaint, HandlingPlan, Measure, PreventiveMeasure
from complaints.services import core
from complaints.services.intake import complaint_cancel, complaint_close_unresolved
from complaints.workflows import COMPLAINT_WORKFLOW, MEASURE_WORKFLOW, PLAN_WORKFLOW, PREVENTIVE_WORKFLOW, SYSTEM
from qsm.errors import PermissionDenied, TransitionNotAllowed
from qsm.sla.models import Deadline
from qsm.workflow import engine
from qsm.workflow.models import Event
from tests.builders import complaints as b

pytestmark = pytest.mark.django_db

ROLES = ("receiver", "receiving_manager", "investigator", "quality", "quality_manager", "responsible", "approver",
         "outsider", "outside_manager")
WORKERS = ("investigator", "quality", "quality_manager")  # can_investigate
DECIDERS = ("approver", "quality_manager")  # can_approve_for(responsible department), not the author


class _Rollback(Exception):
    pass


def _snapshot(record) -> tuple:
    ct = ContentType.objects.get_for_model(record)
    fresh = type(record).objects.get(pk=record.pk)
    return (fresh.status, Event.objects.filter(content_type=ct, object_id=record.pk).count(),
            sorted(Deadline.objects.filter(content_type=ct, object_id=record.pk).values_list("stage", "state")))


def _root(record) -> Complaint:
    if isinstance(record, Complaint):
        return record
    if isinstance(record, Measure):
        return record.plan.complaint
    return record.complaint


def _try(record, actor, expected: str, target: str, run) -> str | None:
    """Run ``run(fresh record, actor)`` in a rolled-back savepoint; a mismatch as text, or None."""
    model = type(record)
    root = _root(record)
    before = (_snapshot(record), _snapshot(root))
    outcome = None
    try:
        with transaction.atomic():
            fresh = model.objects.get(pk=record.pk)
            try:
                run(fresh, actor)
                outcome = "allowed"
                moved = model.objects.get(pk=record.pk).status
                if moved != target:
                    outcome = f"allowed but moved to {moved}"
            except PermissionDenied:
                outcome = "denied"
            except TransitionNotAllowed:
                outcome = "illegal"
            if outcome in ("denied", "illegal"):
                after = (_snapshot(record), _snapshot(root))
                if after != before:
                    outcome += " and changed something"
            raise _Rollback
    except _Rollback:
        pass
    return None if outcome == expected else f"expected {expected}, got {outcome}"


def _check(record, table: dict, roles: dict, *, state_of=None, named=True) -> list[str]:
    state = state_of or record.status
    problems = []
    for action, (sources, target, allowed, run) in table.items():
        for role, actor in roles.items():
            permitted = role in allowed and (named or role != "investigator")
            expected = ("allowed" if state in sources else "illegal") if permitted else "denied"
            problem = _try(record, actor, expected, target, run)
            if problem:
                problems.append(f"{state} / {action} / {role}: {problem}")
    return problems


def _roles(people, **extra) -> dict:
    return {**{r: getattr(people, r) for r in ROLES}, **extra}


# --- complaint --------------------------------------------------------------------------------------

def _fire(action, **params):
    def run(record, actor):
        engine.fire(record, action, actor=actor, **params)
    return run


OPEN = ("received", "investigating", "planning", "executing", "confirming")


def _complaint_table(people) -> dict:
    return {
        "assign": (("received",), "investigating", ("quality", "quality_manager"),
                   _fire("assign", investigator=people.investigator)),
        "start_planning": (("investigating",), "planning", WORKERS, _fire("start_planning")),
        "execute": (("planning",), "executing", (), _fire("execute")),
        "confirm": (("executing",), "confirming", (), _fire("confirm")),
        "satisfied": (("confirming",), "closed", WORKERS,
                      lambda c, a: core.answer_record(complaint=c, actor=a, satisfied=True)),
        "not_satisfied": (("confirming",), "planning", WORKERS,
                          lambda c, a: core.answer_record(complaint=c, actor=a, satisfied=False, objections="仍有异响")),
        "close_unresolved": (OPEN, "closed_unresolved", ("quality_manager",),
                             lambda c, a: complaint_close_unresolved(complaint=c, actor=a, reason="管理层决定")),
        "cancel": (("received",), "cancelled", ("quality_manager",),
                   lambda c, a: complaint_cancel(complaint=c, actor=a, reason="重复登记")),
    }


def test_complaint_table_lists_every_action(people):
    assert set(_complaint_table(people)) == set(COMPLAINT_WORKFLOW.by_action)


@pytest.mark.spec("CMP-1", "CMP-2", "CMP-4")
@pytest.mark.parametrize("state", Complaint.Status.values)
def test_complaint_lifecycle(people, state):
    complaint = b.complaint_in(state, plan=None)
    assert complaint.status == state
    if state == "investigating":
        b.investigate(complaint)  # what the guard of start_planning asks for
    named = state not in ("received", "cancelled")
    problems = _check(complaint, _complaint_table(people), _roles(people), named=named)
    assert problems == []


# --- handling plan ----------------------------------------------------------------------------------

def _plan_table() -> dict:
    return {
        "submit": (("draft",), "submitted", (*WORKERS, "author"), lambda p, a: core.plan_submit(plan=p, actor=a)),
        "approve": (("submitted",), "approved", DECIDERS, lambda p, a: core.plan_approve(plan=p, actor=a)),
        "reject": (("submitted",), "rejected", DECIDERS,
                   lambda p, a: core.plan_reject(plan=p, actor=a, reason="措施不具体")),
        "withdraw": (("draft",), "cancelled", (*WORKERS, "author"), lambda p, a: core.plan_withdraw(plan=p, actor=a)),
        "finish": (("approved",), "done", (), _fire("finish")),
        "supersede": (("done",), "superseded", (), _fire("supersede")),
        "cancel": (("draft", "submitted", "approved"), "cancelled", (), _fire("cancel")),
    }


def test_plan_table_lists_every_action():
    assert set(_plan_table()) == set(PLAN_WORKFLOW.by_action)


@pytest.mark.spec("CMP-3", "CMP-4")
@pytest.mark.parametrize("state", HandlingPlan.Status.values)
def test_plan_lifecycle(people, state):
    plan = b.plan_in(state)
    assert plan.author == people.investigator
    problems = _check(plan, _plan_table(), _roles(people, author=plan.author))
    assert problems == []


@pytest.mark.spec("CMP-3")
def test_the_quality_manager_does_not_approve_a_plan_he_wrote(people):
    complaint = b.complaint_in("planning", plan=None)
    plan = b.propose(complaint, people=people, actor=people.quality_manager)
    core.plan_submit(plan=plan, actor=people.quality_manager)
    before = _snapshot(plan)
    with pytest.raises(PermissionDenied):
        core.plan_approve(plan=plan, actor=people.quality_manager)
    with pytest.raises(PermissionDenied):
        core.plan_reject(plan=plan, actor=people.quality_manager, reason="自己驳回")
    assert _snapshot(plan) == before
    core.plan_approve(plan=plan, actor=people.approver)
    assert HandlingPlan.objects.get(pk=plan.pk).status == "approved"


@pytest.mark.spec("CMP-3")
def test_a_manager_of_the_responsible_department_who_wrote_the_plan_does_not_decide_it(people):
    complaint = b.complaint_in("planning", plan=None)
    plan = b.propose(complaint, people=people, actor=people.quality)
    core.plan_submit(plan=plan, actor=people.quality)
    # the quality officer is no manager: the approver and the quality manager decide
    with pytest.raises(PermissionDenied):
        core.plan_approve(plan=plan, actor=people.quality)
    core.plan_reject(plan=plan, actor=people.quality_manager, reason="措施不具体")
    assert HandlingPlan.objects.get(pk=plan.pk).status == "rejected"


# --- measure ----------------------------------------------------------------------------------------

def _measure_table() -> dict:
    return {
        "complete": (("open",), "done", ("responsible", "approver"),
                     lambda m, a: core.measure_complete(measure=m, actor=a, note="已更换轴承")),
        "open": (("planned",), "open", (), _fire("open")),
        "cancel": (("planned", "open"), "cancelled", (), _fire("cancel")),
    }


def test_measure_table_lists_every_action():
    assert set(_measure_table()) == set(MEASURE_WORKFLOW.by_action)


@pytest.mark.spec("CMP-3")
@pytest.mark.parametrize("state", Measure.Status.values)
def test_measure_lifecycle(people, state):
    measure = b.measure_in(state)
    assert measure.owner == people.responsible
    problems = _check(measure, _measure_table(), _roles(people))
    assert problems == []


# --- preventive measure -----------------------------------------------------------------------------

def _preventive_table() -> dict:
    return {
        "complete": (("open",), "done", ("responsible", "approver", *WORKERS),
                     lambda m, a: core.preventive_complete(measure=m, actor=a, note="规程已修订")),
        "cancel": (("open",), "cancelled", WORKERS,
                   lambda m, a: core.preventive_cancel(measure=m, actor=a, reason="并入年度计划")),
    }


def test_preventive_table_lists_every_action():
    assert set(_preventive_table()) == set(PREVENTIVE_WORKFLOW.by_action)


@pytest.mark.spec("CMP-5")
@pytest.mark.parametrize("state", PreventiveMeasure.Status.values)
def test_preventive_lifecycle(people, state):
    measure = b.preventive_in(state)
    problems = _check(measure, _preventive_table(), _roles(people))
    assert problems == []


# --- the system's transitions are the cascades' ------------------------------------------------------

@pytest.mark.spec("CMP-3")
def test_system_transitions_refuse_people_but_not_the_system(people):
    complaint = b.complaint_in("planning", plan=None)
    plan = b.propose(complaint, people=people)
    core.plan_submit(plan=plan, actor=people.investigator)
    # the complaint's "execute" needs its plan approved, even for the system
    with pytest.raises(Exception) as refused:
        engine.fire(complaint, "execute", actor=SYSTEM)
    assert "plan" in str(refused.value)
    for role in ROLES:
        with pytest.raises(PermissionDenied):
            engine.fire(complaint, "execute", actor=getattr(people, role))
    assert Complaint.objects.get(pk=complaint.pk).status == "planning"


@pytest.mark.spec("CMP-2")
def test_no_plan_before_root_cause_and_responsibility(people):
    from qsm.errors import ValidationError

    complaint = b.complaint_in("investigating")
    before = _snapshot(complaint)
    with pytest.raises(ValidationError) as refused:
        engine.fire(complaint, "start_planning", actor=people.investigator)
    assert set(refused.value.message_dict) == {"cause", "root_cause", "responsible_department", "responsible_person"}
    assert _snapshot(complaint) == before
    core.investigation_record(complaint=complaint, actor=people.investigator, cause=b.any_cause(),
                              whys=["为什么异响：轴承磨损"], responsible_department=people.responsible_department)
    with pytest.raises(ValidationError) as refused:
        engine.fire(complaint, "start_planning", actor=people.investigator)
    assert set(refused.value.message_dict) == {"responsible_person"}
    core.investigation_record(complaint=complaint, actor=people.investigator, responsible_person=people.responsible)
    assert engine.fire(complaint, "start_planning", actor=people.investigator).status == "planning"
    # and a plan cannot be drafted before that: the complaint must be in planning
