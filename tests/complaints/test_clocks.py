"""The clocks of a complaint (§5, SLA-1/SLA-2): the promised reply time in working time by severity,
stored at intake and told to the customer; the reply stops its clock met or late; investigation
while investigating; resolution from intake to closing, paused while the customer is asked; the
plan's approval reminds the approvers; measures and preventive measures run to their dates.

Monday 2 March 2026 is a plain working day (09:00-12:00, 13:00-18:00); March has no holiday.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import translation

from complaints.models import Complaint
from complaints.promise import promise_text
from complaints.services import core
from complaints.services.intake import (
    complaint_assign,
    complaint_close_unresolved,
    complaint_reply,
    complaint_start_planning,
)
from qsm.contacts.models import ContactEntry
from qsm.notify.models import Notification
from qsm.sla.models import Deadline
from qsm.sla.services import deadlines_sweep
from tests.builders import complaints as b
from tests.sla.conftest import sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday(calendar_2026, time_machine):
    time_machine.move_to(sh(2026, 3, 2, 10, 0), tick=False)
    return time_machine


def _deadlines(record, stage):
    ct = ContentType.objects.get_for_model(record)
    return Deadline.objects.filter(content_type=ct, object_id=record.pk, stage=stage).order_by("pk")


def _state(record, stage) -> str:
    return _deadlines(record, stage).last().state


@pytest.mark.spec("CMP-1", "SLA-1")
@pytest.mark.parametrize(("severity", "reply_due", "resolution_due"), [
    ("general", sh(2026, 3, 3, 10, 0), sh(2026, 3, 23, 10, 0)),    # 1 working day, 15 working days
    ("serious", sh(2026, 3, 2, 15, 0), sh(2026, 3, 16, 10, 0)),    # 4 working hours (lunch skipped), 10 days
    ("critical", sh(2026, 3, 2, 12, 0), sh(2026, 3, 9, 10, 0)),    # 2 working hours, 5 days
])
def test_the_promised_reply_time_is_working_time_by_severity(monday, people, severity, reply_due, resolution_due):
    complaint = b.new_complaint(severity=severity)
    complaint.refresh_from_db()
    assert complaint.promised_reply_at == reply_due
    assert _deadlines(complaint, "reply").get().due_at == reply_due
    assert _deadlines(complaint, "resolution").get().due_at == resolution_due
    assert complaint.due_at == reply_due  # the earliest running deadline
    # §5(一)2: the sentence read to the customer, logged as the acknowledgement
    entry = ContactEntry.objects.get(complaint=complaint)
    assert entry.kind == "update" and entry.direction == "out" and entry.recorded_by == people.receiver
    assert complaint.number in entry.summary and promise_text(complaint) in entry.summary  # as the page says
    with translation.override("en"):
        assert promise_text(complaint).endswith(reply_due.strftime("%H:%M") + ".")


@pytest.mark.spec("CMP-1", "SLA-1")
def test_a_complaint_received_late_on_friday_is_promised_a_reply_on_monday(monday, people):
    monday.move_to(sh(2026, 3, 6, 17, 0), tick=False)
    complaint = b.new_complaint(severity="general", channel="letter")
    # 1 hour on Friday, then 09:00-12:00 and 13:00-17:00 on Monday
    assert Complaint.objects.get(pk=complaint.pk).promised_reply_at == sh(2026, 3, 9, 17, 0)
    assert ContactEntry.objects.get(complaint=complaint).channel == "other"  # a letter, in the contact log


@pytest.mark.spec("CMP-1", "SLA-1")
def test_the_reply_clock_runs_from_when_the_complaint_was_received(monday, people):
    monday.move_to(sh(2026, 3, 2, 11, 30), tick=False)
    complaint = b.new_complaint(severity="serious", received_at=sh(2026, 3, 2, 9, 0))
    assert Complaint.objects.get(pk=complaint.pk).promised_reply_at == sh(2026, 3, 2, 14, 0)


@pytest.mark.spec("CMP-1", "SLA-1")
def test_the_reply_meets_the_promise_and_the_complaint_shows_its_next_deadline(monday, people):
    complaint = b.new_complaint(severity="general")
    monday.move_to(sh(2026, 3, 3, 9, 30), tick=False)
    complaint_reply(complaint=complaint, actor=people.receiver, reply="已联系客户，工程师明日上门")
    complaint.refresh_from_db()
    assert complaint.replied_at == sh(2026, 3, 3, 9, 30)
    assert _state(complaint, "reply") == "met"
    assert complaint.due_at == _deadlines(complaint, "resolution").get().due_at
    assert ContactEntry.objects.filter(complaint=complaint, summary="已联系客户，工程师明日上门").count() == 1


@pytest.mark.spec("CMP-1", "SLA-1")
def test_a_reply_after_the_promised_time_is_late(monday, people):
    complaint = b.new_complaint(severity="critical")
    monday.move_to(sh(2026, 3, 2, 14, 0), tick=False)
    complaint_assign(complaint=complaint, actor=people.quality, investigator=people.investigator)
    complaint_reply(complaint=complaint, actor=people.investigator, reply="已致电客户说明处理安排")
    assert _state(complaint, "reply") == "late"


@pytest.mark.spec("CMP-1", "SLA-2")
def test_an_unreplied_complaint_escalates_to_the_receiver_managers_and_quality(monday, people):
    complaint = b.new_complaint(severity="critical")
    deadlines_sweep(now=sh(2026, 3, 2, 12, 30))
    told = set(Notification.objects.filter(kind="sla_overdue").values_list("recipient__username", flat=True))
    assert {"staff", "manager", "quality", "quality_manager"} <= told
    assert Complaint.objects.get(pk=complaint.pk).replied_at is None


@pytest.mark.spec("CMP-2", "SLA-1")
def test_the_investigation_clock_runs_while_investigating(monday, people):
    complaint = b.new_complaint(severity="serious")
    complaint_assign(complaint=complaint, actor=people.quality, investigator=people.investigator)
    investigation = _deadlines(complaint, "investigation").get()
    assert investigation.due_at == sh(2026, 3, 4, 10, 0) and investigation.owner == people.investigator
    # the resolution clock follows the investigator too
    b.investigate(complaint, people=people)
    monday.move_to(sh(2026, 3, 3, 10, 0), tick=False)
    complaint_start_planning(complaint=complaint, actor=people.investigator)
    assert _state(complaint, "investigation") == "met"
    assert _state(complaint, "resolution") == "running"


@pytest.mark.spec("CMP-2")
def test_reassigning_moves_the_running_clocks_to_the_new_investigator(monday, people):
    complaint = b.complaint_in("investigating")
    complaint_assign(complaint=complaint, actor=people.quality_manager, investigator=people.quality)
    assert Complaint.objects.get(pk=complaint.pk).investigator == people.quality
    assert _deadlines(complaint, "investigation").get().owner == people.quality
    assert _deadlines(complaint, "resolution").get().owner == people.quality


@pytest.mark.spec("CMP-4", "SLA-1")
def test_resolution_stands_still_while_the_customer_is_asked(monday, people):
    complaint = b.complaint_in("confirming")
    resolution = _deadlines(complaint, "resolution").get()
    assert resolution.state == "paused"
    monday.move_to(sh(2026, 3, 4, 10, 0), tick=False)  # two working days of waiting
    core.answer_record(complaint=complaint, actor=people.investigator, satisfied=False, objections="仍有异响")
    resumed = _deadlines(complaint, "resolution").get()
    assert resumed.state == "running" and resumed.due_at == resolution.due_at + dt.timedelta(days=2)
    assert Complaint.objects.get(pk=complaint.pk).status == "planning"


@pytest.mark.spec("CMP-4", "SLA-1")
def test_a_satisfied_customer_completes_the_resolution(monday, people):
    complaint = b.complaint_in("closed")
    assert _state(complaint, "resolution") == "met"
    assert not Deadline.objects.filter(content_type=ContentType.objects.get_for_model(complaint),
                                       object_id=complaint.pk, state__in=("running", "paused")).exists()
    assert Complaint.objects.get(pk=complaint.pk).due_at is None


@pytest.mark.spec("CMP-4", "SLA-1")
def test_closing_unresolved_cancels_every_clock_of_the_complaint_plan_and_measures(monday, people):
    complaint = b.complaint_in("executing")
    measures = list(complaint.current_plan().measures.all())
    complaint_close_unresolved(complaint=complaint, actor=people.quality_manager, reason="客户诉求超出合同范围")
    assert {_state(complaint, s) for s in ("reply", "resolution")} == {"cancelled"}
    assert {_state(m, "measure") for m in measures} == {"cancelled"}
    assert {m.status for m in complaint.current_plan().measures.all()} == {"cancelled"}


@pytest.mark.spec("CMP-3", "SLA-2")
def test_a_submitted_plan_reminds_its_approvers_and_escalates_to_quality(monday, people):
    plan = b.plan_in("submitted")
    approval = _deadlines(plan, "approval").get()
    assert approval.due_at == sh(2026, 3, 3, 10, 0) and approval.department == people.responsible_department
    deadlines_sweep(now=sh(2026, 3, 3, 9, 30))
    reminded = set(Notification.objects.filter(kind="sla_reminder").values_list("recipient__username", flat=True))
    # the approvers; (the receiver is reminded of the complaint's own reply clock, not of the plan)
    assert "sales_manager" in reminded and not reminded & {"quality", "quality_manager", "investigator"}
    monday.move_to(sh(2026, 3, 3, 10, 30), tick=False)
    deadlines_sweep(now=sh(2026, 3, 3, 10, 30))
    escalated = set(Notification.objects.filter(kind="sla_overdue").values_list("recipient__username", flat=True))
    assert {"sales_manager", "quality_manager", "quality"} <= escalated
    core.plan_approve(plan=plan, actor=people.approver)
    assert _state(plan, "approval") == "late"


@pytest.mark.spec("CMP-3", "SLA-2")
def test_measures_run_to_their_deadlines_from_approval(monday, people):
    plan = b.plan_in("submitted")
    first = plan.measures.order_by("position").first()
    assert not _deadlines(first, "measure").exists()  # planned: no clock before the approval
    core.plan_approve(plan=plan, actor=people.approver)
    deadline = _deadlines(first, "measure").get()
    assert first.due_date == dt.date(2026, 3, 9)
    assert (deadline.due_at, deadline.remind_at) == (sh(2026, 3, 9, 18, 0), sh(2026, 3, 6, 9, 0))
    assert deadline.owner == people.responsible
    monday.move_to(sh(2026, 3, 10, 9, 0), tick=False)
    deadlines_sweep(now=sh(2026, 3, 10, 9, 0))
    assert Notification.objects.filter(kind="sla_overdue", recipient=people.approver).exists()  # its department's manager
    core.measure_complete(measure=first, actor=people.responsible, note="已更换轴承")
    assert _state(first, "measure") == "late"


@pytest.mark.spec("CMP-5", "SLA-2")
def test_preventive_measures_run_to_their_dates(monday, people):
    done = b.preventive_in("done")
    cancelled = b.preventive_in("cancelled")
    opened = b.preventive_in("open")
    assert _state(done, "preventive") == "met"
    assert _state(cancelled, "preventive") == "cancelled"
    assert _deadlines(opened, "preventive").get().due_at == sh(2026, 4, 1, 18, 0)
