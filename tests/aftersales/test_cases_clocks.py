"""AFS-2 deadlines of a case: reply and resolution by severity and type (urgent product-quality
cases tighter), waiting for the customer pauses and resuming resumes, reopening restarts the
resolution clock and counts, resolving queues one follow-up visit. Monday 2 March 2026 is a plain
working day (09:00-12:00, 13:00-18:00)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from aftersales.models import Case
from qsm.errors import ValidationError
from qsm.followup.models import FollowUp
from qsm.sla.models import Deadline
from qsm.workflow import engine
from tests.builders import aftersales as afs
from tests.sla.conftest import sh

pytestmark = pytest.mark.django_db
S = Case.Status


@pytest.fixture
def monday(calendar_2026, time_machine):
    time_machine.move_to(sh(2026, 3, 2, 9, 0), tick=False)
    return time_machine


def _deadline(case, stage, **filters) -> Deadline:
    ct = ContentType.objects.get_for_model(case)
    return Deadline.objects.filter(content_type=ct, object_id=case.pk, stage=stage, **filters).order_by("pk")


@pytest.mark.spec("AFS-2", "SLA-1")
@pytest.mark.parametrize(("case_type", "severity", "reply_due", "resolution_due"), [
    ("service", "urgent", sh(2026, 3, 2, 10, 0), sh(2026, 3, 2, 18, 0)),          # 60 min, 1 day
    ("service", "high", sh(2026, 3, 2, 11, 0), sh(2026, 3, 3, 18, 0)),            # 120 min, 2 days
    ("other", "normal", sh(2026, 3, 2, 14, 0), sh(2026, 3, 6, 18, 0)),            # 240 min, 5 days
    ("service", "low", sh(2026, 3, 2, 18, 0), sh(2026, 3, 13, 18, 0)),            # 480 min, 10 days
    ("product_quality", "normal", sh(2026, 3, 2, 14, 0), sh(2026, 3, 6, 18, 0)),  # by severity alone
    ("product_quality", "urgent", sh(2026, 3, 2, 9, 30), sh(2026, 3, 2, 14, 0)),  # tighter: 30 min, half a day
])
def test_the_reply_and_resolution_policies_follow_severity_and_type(monday, people, case_type, severity, reply_due,
                                                                   resolution_due):
    case = afs.new_case(actor=people.owner, customer=people.customer, case_type=case_type, severity=severity)
    assert _deadline(case, "reply").get().due_at == reply_due
    assert _deadline(case, "resolution").get().due_at == resolution_due
    # the case shows its earliest running deadline
    assert Case.objects.get(pk=case.pk).due_at == reply_due


@pytest.mark.spec("AFS-2", "SLA-1")
def test_replying_meets_the_reply_clock_and_leaves_resolution_running(monday, people):
    case = afs.new_case(actor=people.owner, customer=people.customer, severity="normal", case_type="service")
    monday.move_to(sh(2026, 3, 2, 10, 0), tick=False)
    case = engine.fire(case, "reply", actor=people.owner, reply="已回复")
    assert case.replied_at == sh(2026, 3, 2, 10, 0) and case.reply == "已回复"
    assert _deadline(case, "reply").get().state == "met"
    assert _deadline(case, "resolution").get().state == "running"
    assert case.due_at == sh(2026, 3, 6, 18, 0)


@pytest.mark.spec("AFS-2")
def test_a_reply_is_required_to_leave_new(monday, people):
    case = afs.new_case(actor=people.owner, customer=people.customer)
    with pytest.raises(ValidationError) as refused:
        engine.fire(case, "reply", actor=people.owner, reply="  ")
    assert "reply" in refused.value.message_dict
    assert Case.objects.get(pk=case.pk).status == S.NEW


@pytest.mark.spec("AFS-2", "SLA-1")
def test_waiting_for_the_customer_pauses_the_resolution_clock_and_resuming_resumes_it(monday, people):
    # given a normal service case: resolution due Friday 6 March 18:00 (5 working days)
    case = afs.new_case(actor=people.owner, customer=people.customer, severity="normal", case_type="service")
    case = engine.fire(case, "reply", actor=people.owner, reply="已回复")
    # when it waits for the customer from Monday 11:00 (120 minutes used)
    monday.move_to(sh(2026, 3, 2, 11, 0), tick=False)
    case = engine.fire(case, "wait_customer", actor=people.owner, comment="等客户寄回故障件")
    resolution = _deadline(case, "resolution").get()
    assert (resolution.state, resolution.paused_at) == ("paused", sh(2026, 3, 2, 11, 0))
    assert case.due_at is None  # the list shows it paused, not due
    # when the customer answers on Wednesday at 11:00 and the case resumes
    monday.move_to(sh(2026, 3, 4, 11, 0), tick=False)
    case = engine.fire(case, "resume", actor=people.owner)
    resolution = _deadline(case, "resolution").get()
    # then the same clock runs again with what was left: two working days later than planned
    assert (resolution.state, resolution.due_at) == ("running", sh(2026, 3, 10, 18, 0))
    assert case.status == S.IN_PROGRESS and case.due_at == sh(2026, 3, 10, 18, 0)


@pytest.mark.spec("AFS-2", "SLA-1")
def test_a_complex_case_resumes_its_special_solution_not_the_general_path(monday, people):
    case = afs.case_build(actor=people.owner, customer=people.customer, state="waiting_customer", complex=True)
    with pytest.raises(Exception):  # noqa: B017  (PermissionDenied: "resume" is for a general case)
        engine.fire(case, "resume", actor=people.owner)
    case = engine.fire(case, "resume_special", actor=people.owner)
    assert case.status == S.SPECIAL and _deadline(case, "resolution").get().state == "running"


@pytest.mark.spec("AFS-2")
def test_resolving_needs_diagnosis_cause_solution_and_for_a_complex_case_its_plan_done(monday, people):
    case = afs.case_build(actor=people.owner, customer=people.customer, state="special", complex=True)
    with pytest.raises(ValidationError) as refused:
        engine.fire(case, "resolve", actor=people.owner)
    assert set(refused.value.message_dict) == {"diagnosis", "cause", "solution", "plan"}
    afs.diagnose(case)
    plan = afs.plan_build(case, actor=people.owner, state="in_progress")
    with pytest.raises(ValidationError) as refused:
        engine.fire(case, "resolve", actor=people.owner)
    assert set(refused.value.message_dict) == {"plan"}
    for step in plan.steps.all():
        engine.fire(step, "complete", actor=people.owner, comment="完成")
    engine.fire(plan, "complete", actor=people.owner)
    assert engine.fire(case, "resolve", actor=people.owner).status == S.RESOLVED


@pytest.mark.spec("AFS-2", "VIS-1")
def test_resolving_queues_one_follow_up_visit_even_when_resolved_again(monday, people):
    case = afs.case_build(actor=people.owner, customer=people.customer, state="resolved")
    rows = FollowUp.objects.filter(object_id=case.pk, content_type=ContentType.objects.get_for_model(Case))
    row = rows.get()
    assert (row.reason, row.customer, row.department, row.due_at) == (
        "case_resolved", case.customer, case.department, case.resolved_at)
    # reopened and resolved again: still the one queue row (one visit per case and reason)
    case = engine.fire(case, "reopen", actor=people.owner, comment="问题复发")
    engine.fire(case, "resolve", actor=people.owner)
    assert rows.count() == 1


@pytest.mark.spec("AFS-2", "SLA-1")
def test_reopening_within_the_window_restarts_resolution_and_counts(monday, people, settings):
    settings.AFTERSALES_REOPEN_DAYS = 30
    case = afs.case_build(actor=people.owner, customer=people.customer, state="resolved", severity="normal",
                          case_type="service")
    assert [d.state for d in _deadline(case, "resolution")] == ["met"]
    # when the problem comes back on Tuesday 10 March at 09:00
    monday.move_to(sh(2026, 3, 10, 9, 0), tick=False)
    case = engine.fire(case, "reopen", actor=people.owner, comment="客户反映问题复发")
    # then the same case is back in progress, counted, with a new resolution clock from now
    assert (case.status, case.reopen_count, case.last_reopened_at) == (S.IN_PROGRESS, 1, sh(2026, 3, 10, 9, 0))
    states = [(d.state, d.started_at) for d in _deadline(case, "resolution")]
    assert states == [("met", sh(2026, 3, 2, 9, 0)), ("running", sh(2026, 3, 10, 9, 0))]
    assert case.due_at == sh(2026, 3, 16, 18, 0)
    # and a second reopening counts again
    afs.diagnose(case)
    case = engine.fire(case, "resolve", actor=people.owner)
    case = engine.fire(case, "reopen", actor=people.owner, comment="再次复发")
    assert case.reopen_count == 2 and _deadline(case, "resolution", state="running").count() == 1


@pytest.mark.spec("AFS-2")
def test_reopening_after_the_window_is_refused(monday, people, settings):
    settings.AFTERSALES_REOPEN_DAYS = 30
    case = afs.case_build(actor=people.owner, customer=people.customer, state="resolved")
    monday.move_to(sh(2026, 3, 2, 9, 0) + dt.timedelta(days=31), tick=False)
    with pytest.raises(ValidationError):
        engine.fire(case, "reopen", actor=people.owner, comment="复发")
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.reopen_count) == (S.RESOLVED, 0)


@pytest.mark.spec("AFS-2", "SLA-1")
def test_cancelling_cancels_both_clocks(monday, people):
    case = afs.new_case(actor=people.owner, customer=people.customer)
    engine.fire(case, "cancel", actor=people.manager, comment="重复登记")
    assert sorted(_deadline(case, "reply").values_list("state", flat=True)) == ["cancelled"]
    assert sorted(_deadline(case, "resolution").values_list("state", flat=True)) == ["cancelled"]
