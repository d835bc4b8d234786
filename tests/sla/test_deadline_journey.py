"""SLA-1/SLA-2 through the real pre-sales journey: a first-response clock over the Spring
Festival, one reminder at 75 %, one overdue escalation, nothing for an answered inquiry."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from presales import services as presales
from qsm.notify.models import Notification
from qsm.sla import services as sla
from qsm.sla.models import Deadline
from tests.builders.inquiries import new_inquiry

from .conftest import sh


def _sent(kind: str) -> Counter:
    return Counter(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.mark.spec("SLA-1", "SLA-2", "PRE-1")
def test_first_response_clock_over_spring_festival_reminds_once_and_escalates_once(
    time_machine, calendar_2026, staff_user, colleague, manager, quality_officer, quality_manager,
    django_capture_on_commit_callbacks,
):
    # given an e-mail inquiry (240 working minutes) received on Saturday 14 February 2026 at 15:00:
    # a make-up workday (调休), two days before the Spring Festival holidays (16-20 and 23 February)
    time_machine.move_to(sh(2026, 2, 14, 15, 0), tick=False)
    inquiry = new_inquiry(actor=staff_user, channel="email", subject="Spring order")
    # and a second one that is answered in time
    answered = new_inquiry(actor=staff_user, channel="email", subject="Answered in time")
    time_machine.move_to(sh(2026, 2, 14, 16, 0), tick=False)
    presales.inquiry_respond(inquiry=answered, actor=staff_user, answer="Sent the brochure")

    # then 180 minutes count on the make-up Saturday, the holidays and the weekend are skipped,
    # and the last 60 minutes fall on Tuesday 24 February
    deadline = sla.deadline_for(record=inquiry, stage="first_response")
    assert deadline.due_at == sh(2026, 2, 24, 10, 0)
    assert inquiry.due_at == sh(2026, 2, 24, 10, 0)
    assert deadline.remind_at == sh(2026, 2, 14, 18, 0)  # 75 % = 180 minutes
    assert deadline.owner == staff_user
    assert Deadline.objects.get(object_id=answered.pk, stage="first_response").state == Deadline.State.MET

    # when the sweep runs a minute before 75 % of the time
    time_machine.move_to(sh(2026, 2, 14, 17, 59), tick=False)
    assert sla.deadlines_sweep() == {"reminded": 0, "overdue": 0}
    # and at 75 %
    time_machine.move_to(sh(2026, 2, 14, 18, 0), tick=False)
    with django_capture_on_commit_callbacks() as callbacks:
        assert sla.deadlines_sweep() == {"reminded": 1, "overdue": 0}
    # then exactly the owner is reminded, and one e-mail hand-off waits for the commit
    assert _sent("sla_reminder") == {"staff": 1}
    assert len(callbacks) == 1
    reminder = Notification.objects.get(kind="sla_reminder")
    assert reminder.url == inquiry.get_absolute_url() and inquiry.number in reminder.title
    assert "2026-02-24 10:00" in reminder.title  # the due time in Shanghai time

    # when the sweep runs again, and again during the holidays
    assert sla.deadlines_sweep() == {"reminded": 0, "overdue": 0}
    time_machine.move_to(sh(2026, 2, 18, 12, 0), tick=False)
    assert sla.deadlines_sweep() == {"reminded": 0, "overdue": 0}
    time_machine.move_to(sh(2026, 2, 24, 9, 59), tick=False)
    assert sla.deadlines_sweep() == {"reminded": 0, "overdue": 0}
    # then nothing more was sent
    assert _sent("sla_reminder") == {"staff": 1} and not _sent("sla_overdue")

    # when the due time passes
    time_machine.move_to(sh(2026, 2, 24, 10, 0) + dt.timedelta(seconds=1), tick=False)
    assert sla.deadlines_sweep() == {"reminded": 0, "overdue": 1}
    # then the owner, the owner's department manager and the quality department hear once each
    assert _sent("sla_overdue") == {"staff": 1, "manager": 1, "quality": 1, "quality_manager": 1}
    deadline.refresh_from_db()
    assert deadline.overdue_at == sh(2026, 2, 24, 10, 0) + dt.timedelta(seconds=1)
    assert deadline.state == Deadline.State.RUNNING  # still open: it is overdue, not done

    # when the sweep runs again later
    time_machine.move_to(sh(2026, 2, 25, 9, 0), tick=False)
    assert sla.deadlines_sweep() == {"reminded": 0, "overdue": 0}
    # then nothing more, and the answered inquiry never produced anything
    assert _sent("sla_overdue") == {"staff": 1, "manager": 1, "quality": 1, "quality_manager": 1}
    assert _sent("sla_reminder") == {"staff": 1}
    assert not Notification.objects.filter(url=answered.get_absolute_url(), kind__startswith="sla_").exists()

    # and answering late closes the clock, recorded as late
    presales.inquiry_respond(inquiry=inquiry, actor=staff_user, answer="Sorry for the wait")
    deadline.refresh_from_db()
    assert deadline.state == Deadline.State.LATE and deadline.completed_at > deadline.due_at


@pytest.mark.spec("SLA-2")
def test_a_reminder_that_comes_after_the_due_time_is_folded_into_the_escalation(
    time_machine, calendar_2026, staff_user, manager, quality_officer
):
    # given a phone inquiry (120 minutes) at 09:00 and no sweep until after its due time
    time_machine.move_to(sh(2026, 3, 2, 9, 0), tick=False)
    new_inquiry(actor=staff_user, channel="phone")
    time_machine.move_to(sh(2026, 3, 2, 11, 5), tick=False)
    # when the first sweep runs (e.g. the broker was down all morning)
    result = sla.deadlines_sweep()
    # then the late reminder is not sent on top of the escalation, and both levels are claimed
    assert result == {"reminded": 0, "overdue": 1}
    assert not _sent("sla_reminder") and _sent("sla_overdue") == {"staff": 1, "manager": 1, "quality": 1}
    assert sla.deadlines_sweep() == {"reminded": 0, "overdue": 0}


@pytest.mark.spec("SLA-2")
def test_a_deadline_without_owner_reminds_its_department_managers(time_machine, calendar_2026, staff_user, colleague,
                                                                   sales_user, sales_manager, quality_officer):
    # given an inquiry handed over to the sales department (the acknowledgement clock has no owner)
    time_machine.move_to(sh(2026, 3, 2, 9, 0), tick=False)
    inquiry = new_inquiry(actor=staff_user, channel="phone", answer="Quoted")
    presales.inquiry_hand_over(inquiry=inquiry, actor=staff_user, department=sales_user.department)
    ack = sla.deadline_for(record=inquiry, stage="handover_ack")
    assert ack.owner is None and ack.due_at == sh(2026, 3, 2, 18, 0)  # 480 working minutes: one day
    # when 75 % of the time has passed
    time_machine.move_to(ack.remind_at, tick=False)
    sla.deadlines_sweep()
    # then the receiving department's manager is reminded: not the sender, not every member
    assert _sent("sla_reminder") == {"sales_manager": 1}
    # and at the due time its manager and the quality department are told
    time_machine.move_to(ack.due_at, tick=False)
    sla.deadlines_sweep()
    assert _sent("sla_overdue") == {"sales_manager": 1, "quality": 1}
