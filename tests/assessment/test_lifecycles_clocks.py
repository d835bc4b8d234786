"""The clocks of quality control (SLA-1/SLA-2), started, completed and cancelled by the tables:
a notice's deadline (reminds the department's managers; late, its managers AND the quality
department, through the core sweep), the verification of a reported notice, the approval of a
rectification plan, a standard revision awaiting the quality manager, a standard's next review
(reminds its owner), an inspection's due date.

Monday 2 March 2026 is a plain working day (09:00-12:00, 13:00-18:00); March has no holiday.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from assessment.rectification.models import Notice
from qsm.notify.models import Notification
from qsm.sla.models import Deadline
from qsm.sla.services import deadlines_sweep
from qsm.workflow import engine
from tests.builders.assessment import (
    a_notice,
    a_plan,
    a_revision,
    a_standard,
    an_inspection,
    fresh,
    report_completion,
)
from tests.sla.conftest import calendar_2026, sh  # noqa: F401  (the fixture is used by ``monday``)

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday(calendar_2026, time_machine):  # noqa: F811
    time_machine.move_to(sh(2026, 3, 2, 10, 0), tick=False)
    return time_machine


def _deadlines(record, stage):
    ct = ContentType.objects.get_for_model(record)
    return Deadline.objects.filter(content_type=ct, object_id=record.pk, stage=stage).order_by("pk")


def _states(record, stage) -> list[str]:
    return list(_deadlines(record, stage).values_list("state", flat=True))


def _told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def _locked(record, action, **params):
    notice_id = record.pk if isinstance(record, Notice) else record.notice_id
    with transaction.atomic():
        Notice.objects.select_for_update().get(pk=notice_id)
        return engine.fire(record, action, actor=params.pop("actor"), **params)


@pytest.mark.spec("QC-3", "SLA-1")
def test_the_notice_deadline_runs_from_issue_to_the_report(monday, people):
    notice = a_notice(deadline=dt.date(2026, 3, 6), people=people)
    clock = _deadlines(notice, "rectification").get()
    assert (clock.state, clock.due_at, clock.department) == ("running", sh(2026, 3, 6, 18, 0), people.department)
    assert clock.remind_at == sh(2026, 3, 4, 9, 0)  # two working days' notice
    assert fresh(notice).due_at == sh(2026, 3, 6, 18, 0)
    a_plan(notice, state="approved", people=people)  # issued -> rectifying: the same clock runs on
    assert _states(notice, "rectification") == ["running"]
    report_completion(fresh(notice), actor=people.member)
    assert _states(notice, "rectification") == ["met"]
    assert _states(notice, "verification") == ["running"]


@pytest.mark.spec("QC-3", "SLA-2")
def test_an_overdue_notice_escalates_to_the_department_manager_and_the_quality_manager(monday, people):
    notice = a_notice(deadline=dt.date(2026, 3, 6), people=people)
    deadlines_sweep(now=sh(2026, 3, 4, 9, 30))
    reminded = _told("sla_reminder")
    assert "sales_manager" in reminded and not reminded & {"sales", "sales_colleague", "quality", "quality_manager"}
    monday.move_to(sh(2026, 3, 9, 9, 0), tick=False)
    deadlines_sweep(now=sh(2026, 3, 9, 9, 0))
    escalated = _told("sla_overdue")
    assert {"sales_manager", "quality_manager"} <= escalated
    assert not escalated & {"sales", "sales_colleague", "outsider", "outside_manager", "manager"}  # never the whole department
    assert Notification.objects.filter(kind="sla_overdue", recipient=people.quality_manager,
                                       title__contains=notice.number).exists()


@pytest.mark.spec("QC-3", "SLA-1")
def test_verification_waits_for_the_quality_department_and_a_reopening_restarts_the_deadline(monday, people):
    notice = a_notice(state="reported", deadline=dt.date(2026, 3, 20), people=people)
    verification = _deadlines(notice, "verification").get()
    assert verification.due_at == sh(2026, 3, 5, 10, 0)  # 3 working days (policy)
    _locked(notice, "reopen", actor=people.quality, comment="证据不足")
    assert _states(notice, "verification") == ["met"]
    assert _states(notice, "rectification") == ["met", "running"]
    report_completion(fresh(notice), actor=people.member)
    _locked(fresh(notice), "verify", actor=people.quality, note="复查合格")
    assert _states(notice, "verification") == ["met", "met"]
    assert fresh(notice).due_at is None


@pytest.mark.spec("QC-3", "SLA-1")
def test_cancelling_a_notice_cancels_its_clocks(monday, people):
    notice = a_notice(people=people)
    plan = a_plan(notice, state="submitted", people=people)
    _locked(notice, "cancel", actor=people.quality_manager, comment="重复下发")
    assert _states(notice, "rectification") == ["cancelled"]
    assert _states(plan, "rectification_approval") == ["cancelled"]


@pytest.mark.spec("QC-3", "SLA-2")
def test_a_submitted_plan_reminds_the_departments_managers_and_escalates_to_quality(monday, people):
    notice = a_notice(deadline=dt.date(2026, 3, 31), people=people)
    plan = a_plan(notice, state="submitted", people=people)
    approval = _deadlines(plan, "rectification_approval").get()
    assert (approval.due_at, approval.department) == (sh(2026, 3, 3, 10, 0), people.department)
    deadlines_sweep(now=sh(2026, 3, 3, 9, 30))
    assert "sales_manager" in _told("sla_reminder") and "quality_manager" not in _told("sla_reminder")
    monday.move_to(sh(2026, 3, 3, 10, 30), tick=False)
    deadlines_sweep(now=sh(2026, 3, 3, 10, 30))
    assert {"sales_manager", "quality_manager"} <= _told("sla_overdue")
    _locked(plan, "approve", actor=people.manager)
    assert _states(plan, "rectification_approval") == ["late"]


@pytest.mark.spec("QC-1", "SLA-2")
def test_a_revision_in_review_reminds_the_quality_managers(monday, people):
    version = a_revision(state="review", author=people.member, people=people)
    approval = _deadlines(version, "standard_approval").get()
    assert (approval.due_at, approval.department) == (sh(2026, 3, 5, 10, 0), people.quality_department)
    deadlines_sweep(now=sh(2026, 3, 5, 9, 0))
    assert "quality_manager" in _told("sla_reminder")
    engine.fire(version, "approve", actor=people.quality_manager)
    assert _states(version, "standard_approval") == ["met"]


@pytest.mark.spec("QC-1", "SLA-2")
def test_the_review_date_of_the_effective_version_reminds_the_owner_and_ends_with_the_next_version(monday, people):
    standard = a_standard(owner=people.manager, review_on=dt.date(2026, 3, 20), people=people)
    version = standard.current_version
    review = _deadlines(version, "standard_review").get()
    assert (review.due_at, review.owner) == (sh(2026, 3, 20, 18, 0), people.manager)
    assert review.remind_at == sh(2026, 3, 6, 9, 0)  # ten working days' notice
    monday.move_to(sh(2026, 3, 6, 9, 30), tick=False)
    deadlines_sweep(now=sh(2026, 3, 6, 9, 30))
    assert Notification.objects.filter(kind="sla_reminder", recipient=people.manager,
                                       title__contains=standard.number).exists()
    a_revision(standard, state="effective", author=people.manager, people=people)
    assert _states(version, "standard_review") == ["met"]
    assert _states(fresh(standard).current_version, "standard_review") == ["running"]


@pytest.mark.spec("QC-2", "SLA-1")
def test_an_inspection_runs_to_its_due_date_and_stops_when_completed_or_cancelled(monday, people):
    inspection = an_inspection(due_on=dt.date(2026, 3, 13), people=people)
    clock = _deadlines(inspection, "inspection").get()
    assert (clock.due_at, clock.owner) == (sh(2026, 3, 13, 18, 0), people.quality)
    engine.fire(inspection, "start", actor=people.quality)
    assert _states(inspection, "inspection") == ["running"]
    engine.fire(fresh(inspection), "cancel", actor=people.quality_manager, comment="重复")
    assert _states(inspection, "inspection") == ["cancelled"]
    done = an_inspection(state="completed", due_on=dt.date(2026, 3, 13), people=people)
    assert _states(done, "inspection") == ["met"]

