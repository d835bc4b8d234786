"""VIS-1: the scheduler consumes the core's follow-up queue on beat and plans one visit per row,
N working days later, assigned to the department's visit owner."""
from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from aftersales.models import Case, Visit, VisitRule
from aftersales.services.scheduler import visits_schedule
from qsm.followup.models import FollowUp
from qsm.followup.services import follow_up_request
from qsm.notify.models import Notification
from qsm.sla.calendar import add_working_days
from qsm.sla.models import Deadline
from qsm.workflow.models import Event
from tests.builders.aftersales import case_build
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.spec("VIS-1")
S = Case.Status


def _visits_of(record):
    return Visit.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)


@pytest.fixture
def visit_owner(staff_user, business_department):
    owner = UserFactory(username="visit_owner", department=business_department, roles=["staff"])
    business_department.visit_owner = owner
    business_department.save(update_fields=["visit_owner"])
    return owner


def test_a_resolved_case_gets_one_visit_n_working_days_later_for_the_visit_owner(staff_user, visit_owner,
                                                                                   time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))  # a Thursday
    case = case_build(actor=staff_user, state=S.RESOLVED)
    [row] = FollowUp.objects.filter(object_id=case.pk, reason="case_resolved")
    rule = VisitRule.objects.get(reason="case_resolved")
    result = visits_schedule()
    assert result["planned"] >= 1
    [visit] = _visits_of(case)
    # N working days after the day it became due, by the working calendar (Thursday + 3 = Tuesday)
    assert visit.planned_for == add_working_days(dt.date(2026, 3, 5), rule.due_days) == dt.date(2026, 3, 10)
    assert (visit.reason, visit.customer, visit.department, visit.owner, visit.follow_up) == (
        "case_resolved", case.customer, case.department, visit_owner, row)
    assert visit.status == Visit.Status.PLANNED
    # the rule's questionnaire's latest published version, kept by the visit
    assert visit.questionnaire_version == rule.questionnaire.current_version()
    row.refresh_from_db()
    assert row.consumed_at is not None
    # the visit's clock runs to its date, and the owner hears of it
    deadline = Deadline.objects.get(content_type=ContentType.objects.get_for_model(Visit), object_id=visit.pk)
    assert deadline.owner == visit_owner and timezone.localtime(deadline.due_at).date() == visit.planned_for
    assert Notification.objects.filter(recipient=visit_owner, kind="visit_assigned").exists()
    event = Event.objects.get(content_type=ContentType.objects.get_for_model(Visit), object_id=visit.pk)
    assert (event.action, event.actor_kind) == ("scheduled", "system")
    # a second run plans nothing more
    assert visits_schedule()["planned"] == 0
    assert _visits_of(case).count() == 1


def test_without_a_visit_owner_a_manager_of_the_department_owns_the_visit(staff_user, manager):
    case = case_build(actor=staff_user, state=S.RESOLVED)
    visits_schedule()
    assert _visits_of(case).get().owner == manager


def test_a_reason_without_an_active_rule_waits_in_the_queue_and_is_logged(staff_user, caplog):
    case = case_build(actor=staff_user, state=S.RESOLVED)
    VisitRule.objects.filter(reason="case_resolved").update(is_active=False)
    with caplog.at_level(logging.WARNING, logger="aftersales.services.scheduler"):
        result = visits_schedule()
    assert not _visits_of(case).exists() and result["waiting_without_rule"] >= 1
    assert FollowUp.objects.get(object_id=case.pk, reason="case_resolved").consumed_at is None
    assert "case_resolved" in caplog.text
    # once the rule is active again, the waiting row is planned
    VisitRule.objects.filter(reason="case_resolved").update(is_active=True)
    visits_schedule()
    assert _visits_of(case).count() == 1


def test_rows_not_yet_due_are_left_for_later(staff_user):
    case = case_build(actor=staff_user, state=S.RESOLVED)
    FollowUp.objects.filter(object_id=case.pk, reason="case_resolved").update(
        due_at=timezone.now() + dt.timedelta(days=2))
    visits_schedule()
    assert not _visits_of(case).exists()
    visits_schedule(now=timezone.now() + dt.timedelta(days=2, minutes=1))
    assert _visits_of(case).count() == 1


def test_after_a_broker_outage_one_run_catches_up_in_batches(staff_user, business_department):
    # a week without beat: 25 follow-ups became due long ago
    customers = [CustomerFactory() for _n in range(25)]
    FollowUp.objects.all().delete()
    long_ago = timezone.now() - dt.timedelta(days=7)
    for c in customers:
        follow_up_request(c, "case_resolved", long_ago, customer=c, department=business_department)
    result = visits_schedule(batch=10)
    assert result == {"planned": 25, "batches": 3, "waiting_without_rule": 0}
    assert Visit.objects.count() == 25 and not FollowUp.objects.filter(consumed_at__isnull=True).exists()
    assert {v.planned_for for v in Visit.objects.all()} == {
        add_working_days(timezone.localtime(long_ago).date(), VisitRule.objects.get(reason="case_resolved").due_days)}


def test_a_row_without_a_department_to_visit_waits_and_the_others_are_planned(staff_user, business_department):
    FollowUp.objects.all().delete()
    orphan, fine = CustomerFactory(), CustomerFactory()
    past = timezone.now() - dt.timedelta(hours=1)
    follow_up_request(orphan, "case_resolved", past, customer=orphan)  # a Customer has no department
    follow_up_request(fine, "case_resolved", past, customer=fine, department=business_department)
    assert visits_schedule()["planned"] == 1
    assert FollowUp.objects.get(object_id=orphan.pk).consumed_at is None
    assert Visit.objects.get().customer == fine


def test_the_beat_schedule_runs_the_scheduler(settings):
    import aftersales.tasks  # noqa: F401  (what the worker's autodiscovery imports)
    from qsm.celery import app

    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "aftersales.tasks.schedule_visits"]
    assert entries and entries[0]["schedule"] <= 600
    assert "aftersales.tasks.schedule_visits" in app.tasks


def test_rows_it_cannot_plan_do_not_hold_up_the_rows_behind_them(staff_user, business_department):
    FollowUp.objects.all().delete()
    long_ago = timezone.now() - dt.timedelta(days=2)
    orphans = [CustomerFactory() for _n in range(3)]
    for c in orphans:  # the oldest rows: no department to visit
        follow_up_request(c, "case_resolved", long_ago, customer=c)
    fine = CustomerFactory()
    follow_up_request(fine, "case_resolved", long_ago + dt.timedelta(hours=1), customer=fine,
                      department=business_department)
    result = visits_schedule(batch=2)
    assert result["planned"] == 1 and Visit.objects.get().customer == fine
    assert FollowUp.objects.filter(consumed_at__isnull=True).count() == 3
