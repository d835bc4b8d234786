"""CMP-3 through the services: the draft's measures edited (add / change / remove) only while a draft,
the decision by a manager who approves for the responsible department (the quality manager for any)
and never by its author, a reason to reject, the revision as the next version (a copy), approval
opening the measures (their date clocks) and moving the complaint to executing, a measure done only
with what was done and evidence, the last one moving the complaint to confirming, overdue measures
reminded and escalated, and progress reports in the contact log."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from complaints.models import Complaint, HandlingPlan, Measure
from complaints.services import core, measures, plans
from qsm.contacts.models import ContactEntry
from qsm.contacts.selectors import contact_log
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.org.models import Role
from qsm.sla.models import Deadline
from qsm.workflow.selectors import attachment_list, timeline
from tests.builders.complaints import complaint_in, plan_in
from tests.complaints.support import fresh, in_days, photo
from tests.factories import UserFactory

S = Complaint.Status
P = HandlingPlan.Status
M = Measure.Status
pytestmark = [pytest.mark.django_db]




# --- the draft ------------------------------------------------------------------------------------------

@pytest.mark.spec("CMP-3")
def test_the_drafts_measures_are_added_changed_and_removed(people):
    plan = plan_in(P.DRAFT, measures=2)
    added = plans.measure_add(plan=plan, actor=people.investigator, description="培训装配人员", owner=people.responsible,
                              due_date=in_days(20))
    assert added.position == 3 and added.department == people.responsible_department and added.status == M.PLANNED
    plans.measure_update(measure=added, actor=people.investigator, description="培训全部装配人员",
                         owner=people.approver, due_date=in_days(25))
    changed = fresh(added)
    assert (changed.description, changed.owner, changed.due_date) == ("培训全部装配人员", people.approver, in_days(25))
    first = plan.measures.get(position=1)
    plans.measure_remove(measure=first, actor=people.investigator)
    assert list(plan.measures.order_by("position").values_list("position", "description")) == [
        (1, "整改措施 2"), (2, "培训全部装配人员")]
    lines = [e.event.action for e in timeline(plan)]
    assert {"measure_add", "measure_change", "measure_remove"} <= set(lines)
    plans.plan_update(plan=plan, actor=people.investigator, summary="更换轴承、更新保养规程并培训")
    assert fresh(plan).summary == "更换轴承、更新保养规程并培训"


@pytest.mark.spec("CMP-3")
@pytest.mark.parametrize("changes, field", [
    ({"description": ""}, "description"),
    ({"description": "整改\x00措施"}, "description"),
    ({"description": "x" * 6000}, "description"),
    ({"owner": None}, "owner"),
    ({"due_date": None}, "due_date"),
    ({"due_date": dt.date(2020, 1, 1)}, "due_date"),
    ({"due_date": dt.date(9999, 12, 31)}, "due_date"),
    ({"due_date": dt.date(1, 1, 1)}, "due_date"),
])
def test_a_bad_measure_is_a_field_error(people, changes, field):
    plan = plan_in(P.DRAFT, measures=1)
    data = {"description": "更换轴承", "owner": people.responsible, "due_date": in_days(7), **changes}
    with pytest.raises(ValidationError) as caught:
        plans.measure_add(plan=plan, actor=people.investigator, **data)
    assert field in caught.value.message_dict
    assert plan.measures.count() == 1


@pytest.mark.spec("CMP-3")
def test_measures_are_edited_only_while_a_draft_and_only_by_who_plans(people):
    plan = plan_in(P.SUBMITTED, measures=1)
    with pytest.raises(TransitionNotAllowed):
        plans.measure_add(plan=plan, actor=people.investigator, description="晚了", owner=people.responsible,
                          due_date=in_days(3))
    with pytest.raises(TransitionNotAllowed):
        plans.measure_remove(measure=plan.measures.get(), actor=people.investigator)
    draft = plan_in(P.DRAFT, measures=1)
    with pytest.raises(PermissionDenied):
        plans.measure_add(plan=draft, actor=people.responsible, description="x", owner=people.responsible,
                          due_date=in_days(3))


# --- the decision ---------------------------------------------------------------------------------------

@pytest.mark.spec("CMP-3")
def test_the_author_never_approves_their_own_plan_even_as_quality_manager(people):
    complaint = complaint_in(S.PLANNING, plan=None)
    plan = core.plan_create(complaint=complaint, actor=people.quality_manager, summary="质量经理亲自起草",
                            measures=[{"description": "更换", "owner": people.responsible, "due_date": in_days(5)}])
    core.plan_submit(plan=plan, actor=people.quality_manager)
    with pytest.raises(PermissionDenied):
        core.plan_approve(plan=plan, actor=people.quality_manager)
    assert fresh(plan).status == P.SUBMITTED
    core.plan_approve(plan=plan, actor=people.approver)
    assert fresh(plan).status == P.APPROVED


@pytest.mark.spec("CMP-3")
@pytest.mark.parametrize("who, allowed", [
    ("approver", True),  # a manager of the responsible department
    ("quality_manager", True),  # the quality manager, for any department
    ("receiving_manager", False),  # a manager of another department
    ("outside_manager", False),
    ("responsible", False),  # staff of the responsible department
    ("quality", False),  # a quality officer, not a manager
])
def test_who_decides_the_plan(people, who, allowed):
    plan = plan_in(P.SUBMITTED)
    actor = getattr(people, who)
    if allowed:
        core.plan_approve(plan=plan, actor=actor, comment="同意")
        assert fresh(plan).decided_by == actor
    else:
        with pytest.raises(PermissionDenied):
            core.plan_approve(plan=plan, actor=actor)
        with pytest.raises(PermissionDenied):
            core.plan_reject(plan=plan, actor=actor, reason="不行")
        assert fresh(plan).status == P.SUBMITTED


@pytest.mark.spec("CMP-3")
def test_a_rejection_needs_a_reason_and_is_revised_as_the_next_version(people):
    plan = plan_in(P.SUBMITTED, measures=2)
    with pytest.raises(ValidationError):
        core.plan_reject(plan=plan, actor=people.approver, reason="  ")
    core.plan_reject(plan=plan, actor=people.approver, reason="措施不具体，请写明责任人和日期")
    rejected = fresh(plan)
    assert rejected.status == P.REJECTED and rejected.decision_reason.startswith("措施不具体")
    v2 = core.plan_revise(plan=plan, actor=people.investigator)
    assert (v2.version, v2.status, v2.summary) == (2, P.DRAFT, rejected.summary)
    assert list(v2.measures.values_list("description", flat=True)) == list(
        rejected.measures.order_by("position").values_list("description", flat=True))
    assert fresh(rejected.complaint).plan_version == 2
    assert fresh(plan).status == P.REJECTED  # the first version stays as it was
    with pytest.raises(TransitionNotAllowed):  # once revised, not again
        core.plan_revise(plan=plan, actor=people.investigator)


@pytest.mark.spec("CMP-3")
def test_approval_opens_the_measures_with_their_date_clocks_and_executes_the_complaint(people):
    plan = plan_in(P.SUBMITTED, measures=2)
    complaint = plan.complaint
    assert not Deadline.objects.filter(stage="measure", object_id__in=plan.measures.values("pk")).exists()
    core.plan_approve(plan=plan, actor=people.approver)
    assert fresh(complaint).status == S.EXECUTING
    assert set(plan.measures.values_list("status", flat=True)) == {M.OPEN}
    clocks = Deadline.objects.filter(stage="measure", object_id__in=plan.measures.values("pk"))
    assert clocks.count() == 2
    with pytest.raises(TransitionNotAllowed):  # decided already
        core.plan_reject(plan=plan, actor=people.quality_manager, reason="迟了")


# --- execution ------------------------------------------------------------------------------------------

@pytest.mark.spec("CMP-3")
def test_a_measure_is_done_with_what_was_done_and_evidence(people):
    plan = plan_in(P.APPROVED, measures=2)
    first, second = plan.measures.order_by("position")
    with pytest.raises(ValidationError) as caught:
        measures.measure_complete(measure=first, actor=people.responsible, note="已更换轴承")
    assert "evidence" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        measures.measure_complete(measure=first, actor=people.responsible, note=" ", evidence=photo())
    assert "note" in caught.value.message_dict
    assert fresh(first).status == M.OPEN and not attachment_list(first).exists()
    measures.measure_complete(measure=first, actor=people.responsible, note="已更换轴承", evidence=photo())
    done = fresh(first)
    assert done.status == M.DONE and done.done_by == people.responsible and done.done_note == "已更换轴承"
    assert [a.original_name for a in attachment_list(done)] == ["现场照片.png"]
    assert fresh(plan.complaint).status == S.EXECUTING
    # Evidence attached before the completion counts too; the last measure asks the customer.
    measures.measure_attach(measure=second, actor=people.approver, upload=photo("规程.png"))
    measures.measure_complete(measure=second, actor=people.approver, note="规程已更新")
    assert fresh(plan).status == P.DONE and fresh(plan.complaint).status == S.CONFIRMING


@pytest.mark.spec("CMP-3")
def test_only_the_owner_or_their_department_completes_a_measure(people):
    plan = plan_in(P.APPROVED, measures=1)
    measure = plan.measures.get()
    for outsider in (people.outsider, people.receiver, people.investigator):
        with pytest.raises(PermissionDenied):
            measures.measure_complete(measure=measure, actor=outsider, note="x", evidence=photo())
    assert fresh(measure).status == M.OPEN and not attachment_list(measure).exists()
    colleague = UserFactory(username="sales2", department=people.responsible_department, roles=[Role.STAFF])
    measures.measure_complete(measure=measure, actor=colleague, note="同事完成", evidence=photo())
    assert fresh(measure).status == M.DONE


@pytest.mark.spec("CMP-3")
def test_a_measure_is_not_done_twice_nor_before_approval(people):
    plan = plan_in(P.SUBMITTED, measures=1)
    with pytest.raises(TransitionNotAllowed):
        measures.measure_complete(measure=plan.measures.get(), actor=people.responsible, note="早了", evidence=photo())
    approved = plan_in(P.APPROVED, measures=2)
    first = approved.measures.get(position=1)
    measures.measure_complete(measure=first, actor=people.responsible, note="完成", evidence=photo())
    with pytest.raises(TransitionNotAllowed):
        measures.measure_complete(measure=first, actor=people.responsible, note="再次", evidence=photo())
    assert attachment_list(first).count() == 1


@pytest.mark.spec("CMP-3", "SLA-2")
def test_an_overdue_measure_reminds_its_owner_and_escalates(people):
    """Monday 2 March 2026 is a plain working Monday (no holiday that month)."""
    from collections import Counter
    from zoneinfo import ZoneInfo

    from qsm.notify.models import Notification
    from qsm.sla import services as sla

    def sh(day, hour, minute=0):
        return dt.datetime(2026, 3, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))

    with time_machine.travel(sh(2, 9, 30), tick=False) as traveller:
        plan = plan_in(P.SUBMITTED, measures=1)
        measure = plan.measures.get()
        plans_due = dt.date(2026, 3, 6)
        Measure.objects.filter(pk=measure.pk).update(due_date=plans_due)
        core.plan_approve(plan=plan, actor=people.approver)

        def told() -> Counter:
            return Counter(Notification.objects.filter(kind__in=["sla_reminder", "sla_overdue"],
                                                       title__contains=fresh(measure).number)
                           .values_list("recipient__username", "kind"))

        traveller.move_to(sh(5, 9, 0))
        sla.deadlines_sweep()
        assert told() == Counter({("sales", "sla_reminder"): 1})
        traveller.move_to(sh(6, 18, 0))
        sla.deadlines_sweep()
        overdue = {who for (who, kind) in told() if kind == "sla_overdue"}
        assert {"sales", "sales_manager"} <= overdue  # the owner and their department's manager
        assert overdue & {"quality", "investigator", "quality_manager"}  # and the quality department


@pytest.mark.spec("CMP-3")
def test_progress_reports_go_into_the_contact_log(people):
    complaint = complaint_in(S.EXECUTING)
    plans.complaint_progress_report(complaint=complaint, actor=people.investigator, channel="phone",
                                    summary="已电话告知客户：轴承已更换，规程修订中")
    plans.complaint_progress_report(complaint=complaint, actor=people.responsible, channel="email",
                                    summary="销售部邮件告知进展")
    updates = [e.summary for e in contact_log(complaint) if e.kind == ContactEntry.Kind.UPDATE]
    assert updates[-2:] == ["已电话告知客户：轴承已更换，规程修订中", "销售部邮件告知进展"]
    with pytest.raises(PermissionDenied):
        plans.complaint_progress_report(complaint=complaint, actor=people.outsider, channel="phone", summary="x")
    with pytest.raises(ValidationError):
        plans.complaint_progress_report(complaint=complaint, actor=people.investigator, channel="phone", summary="")
