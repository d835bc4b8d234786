"""AFS-2, the special-solution flow of a complex case, through its services: the discussion with
invited departments and people (they see the case and are told), its notes, the special plan and its
steps (edited while a draft, started with every step owned and dated, each done by its owner with
what was done), the plan done by its last step, the case resolved only then, overdue steps reminded
by the sweep, and the progress told to the customer in the contact log.

March 2026 has no public holiday: Monday 2 March is a plain working Monday."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from aftersales.models import Case, PlanStep, SpecialPlan
from aftersales.rules import CASE_VISIBILITY, can_view_case
from aftersales.services import plans
from qsm.contacts.models import ContactEntry
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.notify.models import Notification
from qsm.org.models import Role
from qsm.sla import services as sla
from qsm.sla.models import Deadline
from qsm.workflow import engine
from qsm.workflow.models import Event
from qsm.workflow.selectors import timeline
from tests.builders.aftersales import case_build, diagnose
from tests.factories import DepartmentFactory, UserFactory

S = Case.Status
P = SpecialPlan.Status
SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def crew(staff_user, colleague, quality_officer, other_department_staff, production_user, customer):
    """``owner`` logs and works the case (customer service); ``engineer`` (production) and the
    engineering department are invited; ``outsider`` works in engineering; ``stranger`` nowhere near."""
    stranger = UserFactory(username="stranger", department=DepartmentFactory(name="财务部", code="finance"),
                           roles=[Role.STAFF])
    return SimpleNamespace(owner=staff_user, colleague=colleague, quality=quality_officer,
                           outsider=other_department_staff, engineer=production_user, stranger=stranger,
                           customer=customer)


def special_case(crew, **kw) -> Case:
    return case_build(actor=crew.owner, state=S.SPECIAL, complex=True, customer=crew.customer, **kw)


def fresh(record):
    return type(record).objects.get(pk=record.pk)


def in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def draft_with_steps(case: Case, crew, *owners) -> SpecialPlan:
    """A draft plan with a step for each of ``owners``; the engineer (another department) is invited first."""
    if crew.engineer in owners:
        invite(case, crew)
    plan = plans.plan_create(case=case, actor=crew.owner, title="主轴异响专项方案", content="拆检主轴，更换轴承，复测")
    for n, owner in enumerate(owners or (crew.owner,), start=1):
        plans.plan_step_add(plan=plan, actor=crew.owner, description=f"步骤{n}", owner=owner, due_date=in_days(n))
    return plan


def invite(case: Case, crew) -> None:
    plans.case_discussion_open(case=case, actor=crew.owner, topic="研讨", users=[crew.engineer])


def events(record, action: str) -> int:
    return Event.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
                                action=action).count()


# --- the discussion ----------------------------------------------------------------------------------

@pytest.mark.spec("AFS-2", "ORG-1", "NTF-1")
def test_invited_departments_and_people_see_the_case_and_are_told(crew, other_department):
    case = special_case(crew)
    assert not can_view_case(crew.engineer, case) and not can_view_case(crew.outsider, case)

    plans.case_discussion_open(case=case, actor=crew.owner, topic="主轴异响原因研讨",
                               departments=[other_department], users=[crew.engineer])

    case = fresh(case)
    for person in (crew.engineer, crew.outsider):
        assert can_view_case(person, case)
        assert list(CASE_VISIBILITY.filter(Case.objects.all(), person)) == [case]
        told = Notification.objects.get(recipient=person, kind=plans.KIND_INVITED)
        assert case.number in told.title and "主轴异响原因研讨" in told.title
    assert not can_view_case(crew.stranger, case)
    assert not CASE_VISIBILITY.filter(Case.objects.all(), crew.stranger).exists()
    assert not Notification.objects.filter(recipient=crew.owner, kind=plans.KIND_INVITED).exists()
    line = [e for e in timeline(case) if e.event.action == "discussion_invite"]
    assert len(line) == 1 and "主轴异响原因研讨" in line[0].summary and "工程部" in line[0].summary


@pytest.mark.spec("AFS-2", "NTF-1")
def test_inviting_more_adds_up_and_tells_only_the_new(crew, other_department):
    case = special_case(crew)
    plans.case_discussion_open(case=case, actor=crew.owner, topic="研讨", users=[crew.engineer])

    plans.case_discussion_open(case=case, actor=crew.owner, topic="研讨", users=[crew.engineer],
                               departments=[other_department])

    assert Notification.objects.filter(recipient=crew.engineer, kind=plans.KIND_INVITED).count() == 1
    assert Notification.objects.filter(recipient=crew.outsider, kind=plans.KIND_INVITED).count() == 1
    with pytest.raises(ValidationError) as refused:
        plans.case_discussion_open(case=case, actor=crew.owner, topic="研讨", users=[crew.engineer])
    assert "departments" in refused.value.message_dict
    assert events(case, "discussion_invite") == 2


@pytest.mark.spec("AFS-2")
@pytest.mark.parametrize("topic, who, field", [("", "person", "topic"), ("研讨", "", "departments")])
def test_a_discussion_needs_a_topic_and_someone_invited(crew, topic, who, field):
    case = special_case(crew)
    with pytest.raises(ValidationError) as refused:
        plans.case_discussion_open(case=case, actor=crew.owner, topic=topic,
                                   users=[crew.engineer] if who else [])
    assert field in refused.value.message_dict
    assert not case.discussions.exists() and not can_view_case(crew.engineer, fresh(case))


@pytest.mark.spec("AFS-2", "ORG-1", "WF-1")
def test_only_a_complex_case_in_the_special_flow_is_discussed_by_those_who_work_it(crew):
    general = case_build(actor=crew.owner, state=S.IN_PROGRESS, customer=crew.customer)
    with pytest.raises(TransitionNotAllowed):
        plans.case_discussion_open(case=general, actor=crew.owner, topic="研讨", users=[crew.engineer])
    case = special_case(crew)
    with pytest.raises(PermissionDenied):
        plans.case_discussion_open(case=case, actor=crew.stranger, topic="研讨", users=[crew.engineer])
    assert not case.discussions.exists() and not general.discussions.exists()


@pytest.mark.spec("AFS-2", "ORG-1")
def test_the_invited_write_notes_others_do_not(crew):
    case = special_case(crew)
    plans.case_discussion_open(case=case, actor=crew.owner, topic="研讨", users=[crew.engineer])

    note = plans.case_discussion_note_add(case=case, actor=crew.engineer, body="建议先拆检主轴轴承")

    assert note.discussion.notes.get().body == "建议先拆检主轴轴承"
    assert [e.comment for e in timeline(fresh(case)) if e.event.action == "discussion_note"] == ["建议先拆检主轴轴承"]
    with pytest.raises(PermissionDenied):
        plans.case_discussion_note_add(case=case, actor=crew.stranger, body="路过")
    with pytest.raises(ValidationError):
        plans.case_discussion_note_add(case=case, actor=crew.engineer, body="  ")
    assert note.discussion.notes.count() == 1


# --- the plan ----------------------------------------------------------------------------------------

@pytest.mark.spec("AFS-2", "WF-2")
def test_steps_are_added_changed_and_removed_while_the_plan_is_a_draft(crew):
    case = special_case(crew)
    plan = draft_with_steps(case, crew, crew.owner, crew.engineer, crew.colleague)
    first, second, third = plan.steps.order_by("position")

    plans.plan_step_update(step=second, actor=crew.owner, description="更换主轴轴承", owner=crew.colleague,
                           due_date=in_days(5))
    plans.plan_step_remove(step=first, actor=crew.owner)

    steps = list(fresh(plan).steps.order_by("position").values_list("position", "description", "owner", "due_date"))
    assert steps == [(1, "更换主轴轴承", crew.colleague.pk, in_days(5)), (2, "步骤3", crew.colleague.pk, in_days(3))]
    # nothing runs for a draft's steps: no deadline, nobody reminded
    assert not Deadline.objects.filter(content_type=ContentType.objects.get_for_model(PlanStep)).exists()
    lines = {e.event.action: e.summary for e in timeline(plan)}
    assert "更换主轴轴承" in lines["step_change"] and "步骤1" in lines["step_remove"]


@pytest.mark.spec("AFS-2")
@pytest.mark.parametrize("field", ["description", "owner", "due_date"])
def test_a_step_needs_what_who_and_when(crew, field):
    plan = draft_with_steps(special_case(crew), crew)
    data = {"description": "复测", "owner": crew.owner, "due_date": in_days(2)}
    data[field] = {"description": " ", "owner": None, "due_date": None}[field]
    with pytest.raises(ValidationError) as refused:
        plans.plan_step_add(plan=plan, actor=crew.owner, **data)
    assert field in refused.value.message_dict
    assert plan.steps.count() == 1


@pytest.mark.spec("AFS-2", "ORG-1")
def test_a_step_is_owned_by_someone_taking_part(crew, other_department):
    case = special_case(crew)
    plan = draft_with_steps(case, crew)
    assert set(plans.step_owner_candidates(case)) == {crew.owner, crew.colleague, crew.quality}
    with pytest.raises(ValidationError) as refused:
        plans.plan_step_add(plan=plan, actor=crew.owner, description="拆检", owner=crew.outsider, due_date=in_days(2))
    assert list(refused.value.message_dict) == ["owner"]
    # invited (the department, or the person): then a step is theirs
    plans.case_discussion_open(case=case, actor=crew.owner, topic="研讨", departments=[other_department],
                               users=[crew.engineer])
    assert {crew.outsider, crew.engineer} <= set(plans.step_owner_candidates(case))
    plans.plan_step_add(plan=plan, actor=crew.owner, description="拆检", owner=crew.outsider, due_date=in_days(2))
    assert plan.steps.count() == 2


@pytest.mark.spec("AFS-2")
def test_a_step_is_not_due_in_the_past(crew):
    plan = draft_with_steps(special_case(crew), crew)
    with pytest.raises(ValidationError) as refused:
        plans.plan_step_add(plan=plan, actor=crew.owner, description="复测", owner=crew.owner,
                            due_date=timezone.localdate() - dt.timedelta(days=1))
    assert list(refused.value.message_dict) == ["due_date"]
    assert plan.steps.count() == 1


@pytest.mark.spec("AFS-2", "WF-1")
def test_a_plan_starts_with_a_step_and_then_its_steps_are_fixed(crew):
    case = special_case(crew)
    invite(case, crew)
    plan = plans.plan_create(case=case, actor=crew.owner, title="方案", content="内容")
    with pytest.raises(ValidationError) as refused:
        plans.plan_start(plan=plan, actor=crew.owner)
    assert "steps" in refused.value.message_dict and fresh(plan).status == P.DRAFT
    with pytest.raises(TransitionNotAllowed):
        plans.plan_create(case=case, actor=crew.owner, title="第二个方案", content="内容")

    step = plans.plan_step_add(plan=plan, actor=crew.owner, description="更换轴承", owner=crew.engineer,
                               due_date=in_days(3))
    plans.plan_start(plan=plan, actor=crew.owner)

    assert fresh(plan).status == P.IN_PROGRESS
    assert Notification.objects.filter(recipient=crew.engineer, kind=plans.KIND_STEP).count() == 1
    with pytest.raises(TransitionNotAllowed):
        plans.plan_step_add(plan=plan, actor=crew.owner, description="再加", owner=crew.owner, due_date=in_days(1))
    with pytest.raises(TransitionNotAllowed):
        plans.plan_step_update(step=step, actor=crew.owner, description="改", owner=crew.owner, due_date=in_days(1))
    with pytest.raises(TransitionNotAllowed):
        plans.plan_step_remove(step=step, actor=crew.owner)
    # the text of the plan is still revised, on the timeline
    plans.plan_update(plan=plan, actor=crew.owner, title="方案 v2", content="内容")
    assert fresh(plan).title == "方案 v2" and events(plan, "") >= 1


@pytest.mark.spec("AFS-2", "ORG-1", "WF-1")
def test_each_step_is_done_by_its_owner_with_what_was_done_and_the_last_completes_the_plan(crew):
    case = special_case(crew)
    diagnose(case)
    plan = draft_with_steps(case, crew, crew.engineer, crew.owner)
    plans.plan_start(plan=plan, actor=crew.owner)
    first, second = plan.steps.order_by("position")

    # the case cannot be resolved while its plan runs
    with pytest.raises(ValidationError) as refused:
        engine.fire(fresh(case), "resolve", actor=crew.owner)
    assert "plan" in refused.value.message_dict
    # nobody outside the case completes a step; what was done is required
    with pytest.raises(PermissionDenied):
        plans.plan_step_complete(step=first, actor=crew.stranger, note="完成")
    with pytest.raises(PermissionDenied):
        plans.plan_step_complete(step=second, actor=crew.engineer, note="不是我的步骤")
    with pytest.raises(ValidationError) as refused:
        plans.plan_step_complete(step=first, actor=crew.engineer, note=" ")
    assert "note" in refused.value.message_dict

    # the engineer (another department) does the first step; it is done, the plan still runs
    plans.plan_step_complete(step=first, actor=crew.engineer, note="已拆检，轴承磨损")
    first = fresh(first)
    assert (first.status, first.done_by, first.done_note) == ("done", crew.engineer, "已拆检，轴承磨损")
    assert fresh(plan).status == P.IN_PROGRESS
    with pytest.raises(TransitionNotAllowed):
        plans.plan_step_complete(step=first, actor=crew.engineer, note="再来一次")

    # the last step done completes the plan and tells the case owner; the case can now be resolved
    plans.plan_step_complete(step=second, actor=crew.quality, note="更换轴承并复测合格")
    assert fresh(plan).status == P.DONE and events(plan, "complete") == 1
    assert Notification.objects.filter(recipient=crew.owner, kind=plans.KIND_PLAN_DONE).count() == 1
    engine.fire(fresh(case), "resolve", actor=crew.owner)
    assert fresh(case).status == S.RESOLVED


@pytest.mark.spec("AFS-2", "WF-1")
def test_a_step_is_not_done_once_the_case_left_the_special_flow(crew):
    case = special_case(crew)
    plan = draft_with_steps(case, crew, crew.engineer)
    plans.plan_start(plan=plan, actor=crew.owner)
    engine.fire(fresh(case), "wait_customer", actor=crew.owner, comment="等待客户停机窗口")
    step = plan.steps.get()
    # waiting for the customer: the work goes on
    plans.plan_step_complete(step=step, actor=crew.engineer, note="停机期间已更换")
    assert fresh(plan).status == P.DONE


@pytest.mark.spec("AFS-2", "SLA-2")
def test_an_overdue_step_reminds_its_owner_then_escalates_each_once(crew, time_machine):
    # given a plan started on Monday 2 March whose step is due Friday 6 March (reminded a working day before)
    time_machine.move_to(sh(2026, 3, 2, 9, 30), tick=False)
    case = special_case(crew)
    invite(case, crew)
    plan = plans.plan_create(case=case, actor=crew.owner, title="方案", content="内容")
    step = plans.plan_step_add(plan=plan, actor=crew.owner, description="更换轴承", owner=crew.engineer,
                               due_date=dt.date(2026, 3, 6))
    plans.plan_start(plan=plan, actor=crew.owner)
    deadline = Deadline.objects.get(content_type=ContentType.objects.get_for_model(PlanStep), object_id=step.pk)
    assert (deadline.state, deadline.due_date, deadline.owner) == ("running", dt.date(2026, 3, 6), crew.engineer)
    assert deadline.remind_at == sh(2026, 3, 5, 9, 0) and deadline.due_at == sh(2026, 3, 6, 18, 0)

    def told() -> Counter:
        return Counter(Notification.objects.filter(kind__in=["sla_reminder", "sla_overdue"],
                                                   title__contains=f"{case.number} #1")
                       .values_list("recipient__username", "kind"))

    time_machine.move_to(sh(2026, 3, 4, 17, 0), tick=False)
    sla.deadlines_sweep()
    assert told() == Counter()
    time_machine.move_to(sh(2026, 3, 5, 9, 0), tick=False)
    sla.deadlines_sweep()
    assert told() == Counter({(crew.engineer.username, "sla_reminder"): 1})
    time_machine.move_to(sh(2026, 3, 6, 18, 0), tick=False)
    sla.deadlines_sweep()
    sla.deadlines_sweep()
    overdue = {who for (who, kind) in told() if kind == "sla_overdue"}
    assert crew.engineer.username in overdue and crew.quality.username in overdue
    assert told()[(crew.engineer.username, "sla_overdue")] == 1

    # done late: the clock stops, late, and nothing more is said
    time_machine.move_to(sh(2026, 3, 6, 18, 30), tick=False)
    plans.plan_step_complete(step=step, actor=crew.engineer, note="已更换")
    assert fresh(deadline).state == Deadline.State.LATE
    before = told()
    time_machine.move_to(sh(2026, 3, 9, 10, 0), tick=False)
    sla.deadlines_sweep()
    assert told() == before


@pytest.mark.spec("AFS-2", "SLA-2")
def test_a_cancelled_plan_stops_its_steps_clocks(crew):
    case = special_case(crew)
    plan = draft_with_steps(case, crew, crew.engineer, crew.owner)
    plans.plan_start(plan=plan, actor=crew.owner)
    with pytest.raises(ValidationError):
        plans.plan_cancel(plan=plan, actor=crew.owner, comment="")

    plans.plan_cancel(plan=plan, actor=crew.owner, comment="客户改为退货")

    assert fresh(plan).status == P.CANCELLED
    assert set(plan.steps.values_list("status", flat=True)) == {"cancelled"}
    assert set(Deadline.objects.filter(content_type=ContentType.objects.get_for_model(PlanStep))
               .values_list("state", flat=True)) == {"cancelled"}


# --- progress told to the customer ------------------------------------------------------------------------

@pytest.mark.spec("AFS-2")
def test_progress_updates_go_to_the_case_contact_log(crew):
    case = special_case(crew)

    entry = plans.case_customer_update(case=case, actor=crew.owner, channel="phone",
                                       summary="已告知客户：轴承到货后周五更换")

    assert (entry.kind, entry.direction) == (ContactEntry.Kind.UPDATE, ContactEntry.Direction.OUTBOUND)
    assert list(fresh(case).communications.values_list("summary", flat=True)) == ["已告知客户：轴承到货后周五更换"]
    with pytest.raises(ValidationError) as refused:
        plans.case_customer_update(case=case, actor=crew.owner, channel="pigeon", summary="")
    assert {"channel", "summary"} <= set(refused.value.message_dict)
    with pytest.raises(PermissionDenied):
        plans.case_customer_update(case=case, actor=crew.stranger, channel="phone", summary="路过")
    resolved = case_build(actor=crew.owner, state=S.RESOLVED, customer=crew.customer)
    with pytest.raises(TransitionNotAllowed):
        plans.case_customer_update(case=resolved, actor=crew.owner, channel="phone", summary="已解决")
    assert fresh(case).communications.count() == 1 and not resolved.communications.exists()
