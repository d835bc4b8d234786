"""The after-sales lifecycle tables (AFS-2, VIS-1), every (state, action, role): the table is the spec.

Each row brings a fresh record to the state through the builders (the services and the workflow
tables), fires the action as the role and expects: allowed -> the record moved to the target;
a role the predicate refuses -> PermissionDenied; an allowed role in a wrong state ->
TransitionNotAllowed. Whatever is refused changes nothing: the status, the timeline, the deadlines.

Who (aftersales/rules.py): a case is worked by its owner, its department's members and the quality
officers; only its department's manager cancels it; "resume" is for a general case and
"resume_special" for a complex one. A plan is worked as its case; a plan step is done by its owner
too. A visit is recorded by its owner, its department's members and the quality officers.
"""
from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from aftersales.models import PlanStep, SpecialPlan, Visit
from qsm.errors import PermissionDenied, TransitionNotAllowed
from qsm.sla.models import Deadline
from qsm.workflow import engine
from qsm.workflow.models import Event
from tests.builders import aftersales as afs

pytestmark = pytest.mark.django_db

WORKERS = ("owner", "colleague", "manager", "quality")
ROLES = (*WORKERS, "outsider")

# --- case -------------------------------------------------------------------------------------------
# state -> (builder state, complex)
CASE_STATES = {
    "new": ("new", False), "in_progress": ("in_progress", False), "special": ("special", True),
    "waiting_customer": ("waiting_customer", False), "waiting_special": ("waiting_customer", True),
    "resolved": ("resolved", False), "closed": ("closed", False), "cancelled": ("cancelled", False),
}
# action -> (sources, target, roles, params); "resume"/"resume_special" depend on complexity below
CASE_ACTIONS = {
    "reply": (("new",), "in_progress", WORKERS, {"reply": "已电话回复客户"}),
    "mark_complex": (("in_progress",), "special", WORKERS, {}),
    "wait_customer": (("in_progress", "special"), "waiting_customer", WORKERS,
                      {"comment": "等待客户寄回故障件"}),
    "resume": (("waiting_customer",), "in_progress", WORKERS, {}),
    "resume_special": (("waiting_special",), "special", WORKERS, {}),
    "resolve": (("in_progress", "special"), "resolved", WORKERS, {}),
    "reopen": (("resolved",), "in_progress", WORKERS, {"comment": "客户反映问题复发"}),
    "close": (("resolved",), "closed", WORKERS, {}),
    "cancel": (("new", "in_progress"), "cancelled", ("manager",), {"comment": "重复登记"}),
}


def _case_expected(state: str, action: str, role: str) -> str:
    sources, _target, roles, _params = CASE_ACTIONS[action]
    complex_ = CASE_STATES[state][1]
    if role not in roles:
        return "denied"
    # the general/complex predicates refuse the other kind of case whatever its state
    if (action == "resume" and complex_) or (action == "resume_special" and not complex_):
        return "denied"
    # ("waiting_special" is the waiting_customer state of a complex case)
    return "allowed" if state in sources else "illegal"


def _snapshot(record) -> tuple:
    ct = ContentType.objects.get_for_model(record)
    fresh = type(record).objects.get(pk=record.pk)
    return (fresh.status, Event.objects.filter(content_type=ct, object_id=record.pk).count(),
            sorted(Deadline.objects.filter(content_type=ct, object_id=record.pk).values_list("stage", "state")))


def _expect(record, action: str, actor, expected: str, target: str, params: dict):
    before = _snapshot(record)
    if expected == "allowed":
        moved = engine.fire(record, action, actor=actor, **params)
        assert moved.status == target
        assert type(record).objects.get(pk=record.pk).status == target
        return
    error = PermissionDenied if expected == "denied" else TransitionNotAllowed
    with pytest.raises(error):
        engine.fire(record, action, actor=actor, **params)
    assert _snapshot(record) == before


@pytest.mark.spec("AFS-2", "WF-1")
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(CASE_ACTIONS))
@pytest.mark.parametrize("state", list(CASE_STATES))
def test_case_table(people, state, action, role):
    built, complex_ = CASE_STATES[state]
    case = afs.case_build(actor=people.owner, customer=people.customer, state=built, complex=complex_)
    expected = _case_expected(state, action, role)
    _sources, target, _roles, params = CASE_ACTIONS[action]
    if action == "resolve" and expected == "allowed":  # what the guard needs (tested in test_cases_clocks)
        afs.diagnose(case)
        if case.is_complex:
            afs.plan_build(case, actor=people.owner, state="done")
    _expect(case, action, getattr(people, role), expected, target, dict(params))


# --- special plan -----------------------------------------------------------------------------------
PLAN_ACTIONS = {
    "start": (("draft",), "in_progress", WORKERS, {}),
    "complete": (("in_progress",), "done", WORKERS, {}),
    "cancel": (("draft", "in_progress"), "cancelled", WORKERS, {"comment": "方案作废，重新制定"}),
}


@pytest.mark.spec("AFS-2", "WF-1")
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(PLAN_ACTIONS))
@pytest.mark.parametrize("state", [s.value for s in SpecialPlan.Status])
def test_special_plan_table(people, state, action, role):
    case = afs.case_build(actor=people.owner, customer=people.customer, state="special", complex=True)
    plan = afs.plan_build(case, actor=people.owner, state=state)
    sources, target, roles, params = PLAN_ACTIONS[action]
    expected = "denied" if role not in roles else "allowed" if state in sources else "illegal"
    if action == "complete" and expected == "allowed":
        for step in plan.steps.all():
            engine.fire(step, "complete", actor=people.owner, comment="已完成")
    _expect(plan, action, getattr(people, role), expected, target, dict(params))
    if expected == "allowed" and action == "cancel":
        # the open steps went with the plan: none of their clocks runs any more
        assert not PlanStep.objects.filter(plan=plan, status="open").exists()
        assert not Deadline.objects.filter(stage="step", state__in=["running", "paused"]).exists()


# --- plan step --------------------------------------------------------------------------------------
STEP_ROLES = (*ROLES, "step_owner")
STEP_ACTIONS = {
    "complete": (("open",), "done", (*WORKERS, "step_owner"), {"comment": "已更换主轴轴承"}),
    "cancel": (("open",), "cancelled", WORKERS, {"comment": "步骤取消"}),
}


@pytest.mark.spec("AFS-2", "WF-1")
@pytest.mark.parametrize("role", STEP_ROLES)
@pytest.mark.parametrize("action", list(STEP_ACTIONS))
@pytest.mark.parametrize("state", [s.value for s in PlanStep.Status])
def test_plan_step_table(people, state, action, role):
    case = afs.case_build(actor=people.owner, customer=people.customer, state="special", complex=True)
    plan = afs.plan_build(case, actor=people.owner, steps=1, state="cancelled" if state == "cancelled" else "in_progress",
                          step_owner=people.step_owner)
    step = plan.steps.get()
    if state == "done":
        step = engine.fire(step, "complete", actor=people.step_owner, comment="已完成")
    assert step.status == state
    sources, target, roles, params = STEP_ACTIONS[action]
    expected = "denied" if role not in roles else "allowed" if state in sources else "illegal"
    _expect(step, action, getattr(people, role), expected, target, dict(params))
    if expected == "allowed" and action == "complete":
        step.refresh_from_db()
        assert (step.done_by, step.done_note) == (getattr(people, role), "已更换主轴轴承")


# --- visit ------------------------------------------------------------------------------------------
VISIT_ROLES = ("visitor", "colleague", "manager", "quality", "outsider")
VISIT_WORKERS = ("visitor", "colleague", "manager", "quality")
VISIT_ACTIONS = {
    "send_link": (("planned",), "link_sent", VISIT_WORKERS),
    "record": (("planned", "link_sent"), "done", VISIT_WORKERS),
    "cancel": (("planned", "link_sent"), "cancelled", VISIT_WORKERS),
}


@pytest.mark.spec("VIS-1", "WF-1")
@pytest.mark.parametrize("role", VISIT_ROLES)
@pytest.mark.parametrize("action", list(VISIT_ACTIONS))
@pytest.mark.parametrize("state", [s.value for s in Visit.Status])
def test_visit_table(people, state, action, role):
    # a visit of a sales-department case, owned by the customer-service visit owner
    subject = afs.case_build(actor=people.owner, customer=people.customer, state="resolved")
    visit = afs.visit_build(actor=people.visitor, subject=subject, owner=people.visitor, state=state)
    assert visit.department == subject.department != people.visitor.department
    sources, target, roles = VISIT_ACTIONS[action]
    expected = "denied" if role not in roles else "allowed" if state in sources else "illegal"
    params = {"send_link": {}, "record": {**afs.visit_answers(visit, satisfaction=5), "method": "phone"},
              "cancel": {"comment": "客户不再需要回访"}}[action]
    _expect(visit, action, getattr(people, role), expected, target, params)
    if expected == "allowed" and action == "record":
        visit.refresh_from_db()
        # VIS-2: who, when, how
        assert (visit.satisfaction, visit.method, visit.done_by) == (5, "phone", getattr(people, role))
        assert visit.done_at is not None and visit.answers.count() == visit.questionnaire_version.questions.count()


@pytest.mark.spec("VIS-1", "VIS-2")
@pytest.mark.parametrize("whose", ["own", "other_visit", "other_purpose"])
def test_only_the_customer_holding_the_visit_s_own_link_records_it(people, whose):
    import datetime as dt

    from django.utils import timezone

    from aftersales.rules import VISIT_LINK_PURPOSE
    from qsm.links.models import SignedLink
    from qsm.workflow.actors import CustomerActor

    subject = afs.case_build(actor=people.owner, customer=people.customer, state="resolved")
    visit = afs.visit_build(actor=people.visitor, subject=subject, owner=people.visitor, state="link_sent")
    other = afs.visit_build(actor=people.visitor, subject=subject, owner=people.visitor, state="link_sent")

    def link(for_visit, n):
        return SignedLink.objects.create(content_type=ContentType.objects.get_for_model(Visit), object_id=for_visit.pk,
                                         purpose=VISIT_LINK_PURPOSE, token_hash=f"{n:064d}",
                                         expires_at=timezone.now() + dt.timedelta(days=14))
    Visit.objects.filter(pk=visit.pk).update(link=link(visit, 1))
    Visit.objects.filter(pk=other.pk).update(link=link(other, 2))
    visit.refresh_from_db()
    link_id = {"own": visit.link_id, "other_visit": Visit.objects.get(pk=other.pk).link_id,
               "other_purpose": visit.link_id}[whose]
    purpose = "complaint_confirm" if whose == "other_purpose" else VISIT_LINK_PURPOSE
    customer = CustomerActor(name="王工", link_id=link_id, purpose=purpose)
    params = {**afs.visit_answers(visit, satisfaction=2), "ip": "203.0.113.7", "user_agent": "Mobile Safari"}
    if whose != "own":
        _expect(visit, "record", customer, "denied", "done", params)
        return
    engine.fire(visit, "record", actor=customer, **params)
    visit.refresh_from_db()
    # VIS-2: answered by the customer through the link: no staff "done by", the IP and the browser kept
    assert (visit.status, visit.method, visit.done_by, visit.satisfaction) == ("done", "link", None, 2)
    assert (visit.answer_ip, visit.answer_user_agent) == ("203.0.113.7", "Mobile Safari")
