"""SLA-1/SLA-2 for QC-3: the real deadline sweep reminds the department of a notice coming due and,
once overdue, escalates to the department manager AND the quality manager."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine

from qsm.notify.models import Notification
from qsm.sla import services as sla
from tests.builders.assessment import a_notice

pytestmark = pytest.mark.django_db


def sh(day, hour, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.spec("QC-3", "SLA-1", "SLA-2")
def test_an_overdue_notice_reminds_and_escalates_to_the_department_and_quality_managers(people):
    """Monday 2 March 2026 is a plain working Monday; the deadline is Friday the 6th."""
    with time_machine.travel(sh(2, 9, 30), tick=False) as traveller:
        notice = a_notice(people=people, deadline=dt.date(2026, 3, 6), title="服务记录整改")

        def told() -> Counter:
            return Counter(Notification.objects.filter(kind__in=["sla_reminder", "sla_overdue"],
                                                       title__contains=notice.number)
                           .values_list("recipient__username", "kind"))

        sla.deadlines_sweep()
        assert told() == Counter()  # not due yet
        traveller.move_to(sh(5, 9, 0))
        sla.deadlines_sweep()
        reminded = {who for (who, kind) in told() if kind == "sla_reminder"}
        assert "sales_manager" in reminded and "outside_manager" not in reminded
        traveller.move_to(sh(9, 10, 0))
        sla.deadlines_sweep()
        overdue = {who for (who, kind) in told() if kind == "sla_overdue"}
        assert {"sales_manager", "quality_manager"} <= overdue
        assert not overdue & {"outsider", "outside_manager", "manager"}
        # the sweep is idempotent: no second escalation
        before = told()
        sla.deadlines_sweep()
        assert told() == before


@pytest.mark.spec("QC-3", "SLA-1")
def test_a_notice_rectified_in_time_is_not_escalated(people):
    with time_machine.travel(sh(2, 9, 30), tick=False) as traveller:
        notice = a_notice(state="reported", people=people, deadline=dt.date(2026, 3, 6))
        traveller.move_to(sh(9, 10, 0))
        sla.deadlines_sweep()
        assert not Notification.objects.filter(kind="sla_overdue", title__contains=notice.number,
                                               recipient__username="sales_manager").exists()
