"""CMP-4: the customer confirms the outcome by phone; not satisfied re-plans (new round, new plan
version carrying the objections); satisfied closes; management may close unresolved (counted apart).
CMP-5: both closings queue the follow-up visit."""
from __future__ import annotations

import pytest

from complaints.models import CustomerAnswer, HandlingPlan
from complaints.services.confirmation import complaint_answer_record
from complaints.services.intake import complaint_close_unresolved
from complaints.workflows import COMPLAINT_CLOSED
from qsm.contacts.models import ContactEntry
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.followup.reasons import reason_label, reasons
from tests.complaints.h4_support import C, closed, confirming, events, follow_ups, fresh

P = HandlingPlan.Status


@pytest.mark.spec("CMP-4", "CMP-5")
def test_a_satisfied_answer_by_phone_closes_and_queues_the_follow_up_visit(people):
    complaint = confirming()
    # when
    answer = complaint_answer_record(complaint=complaint, actor=people.investigator, satisfied=True)
    # then
    done = fresh(complaint)
    assert done.status == C.CLOSED and done.closed_satisfied is True and done.closed_at is not None
    assert answer.method == CustomerAnswer.Method.PHONE and answer.recorded_by == people.investigator
    assert answer.round == 1 and answer.satisfied
    rows = follow_ups(done)
    assert [r.reason for r in rows] == [COMPLAINT_CLOSED] and rows[0].customer_id == done.customer_id
    # the call is in the contact log
    assert ContactEntry.objects.filter(object_id=done.pk, channel="phone").exists()


@pytest.mark.spec("CMP-4")
def test_not_satisfied_needs_objections_and_changes_nothing_without(people):
    complaint = confirming()
    before = events(complaint)
    for objections in ("", "   ", "bad\x00text", "长" * 10_001):
        with pytest.raises(ValidationError) as error:
            complaint_answer_record(complaint=complaint, actor=people.investigator, satisfied=False, objections=objections)
        assert "objections" in error.value.message_dict
    assert fresh(complaint).status == C.CONFIRMING and not CustomerAnswer.objects.filter(complaint=complaint).exists()
    assert events(complaint) == before


@pytest.mark.spec("CMP-4")
def test_not_satisfied_returns_to_planning_and_the_next_version_carries_the_objections(people):
    from complaints.services.core import plan_create
    from tests.builders.complaints import measures_spec

    complaint = confirming()
    old_plan = HandlingPlan.objects.get(complaint=complaint, version=fresh(complaint).plan_version)
    # when
    complaint_answer_record(complaint=complaint, actor=people.investigator, satisfied=False,
                            objections="更换的零件仍然漏油")
    # then: the next round, the executed plan superseded, the answer kept
    replanned = fresh(complaint)
    assert replanned.status == C.PLANNING and replanned.round == 2 and replanned.closed_at is None
    old_plan.refresh_from_db()
    assert old_plan.status == P.SUPERSEDED
    answer = CustomerAnswer.objects.get(complaint=complaint)
    assert answer.round == 1 and not answer.satisfied and answer.plan_id == old_plan.pk
    assert follow_ups(replanned) == []  # not closed: no visit yet
    # and the new plan version is made in round 2, carrying the customer's objections
    v2 = plan_create(complaint=replanned, actor=people.investigator, summary="整机更换",
                     measures=measures_spec(people, 1))
    assert (v2.version, v2.round, v2.customer_objections) == (old_plan.version + 1, 2, "更换的零件仍然漏油")


@pytest.mark.spec("CMP-4")
def test_one_answer_per_round_and_only_while_confirming(people):
    complaint = confirming()
    complaint_answer_record(complaint=complaint, actor=people.investigator, satisfied=True)
    with pytest.raises(TransitionNotAllowed):
        complaint_answer_record(complaint=complaint, actor=people.investigator, satisfied=True)
    assert CustomerAnswer.objects.filter(complaint=complaint).count() == 1
    with pytest.raises(TransitionNotAllowed):  # a closed complaint expects no answer
        complaint_answer_record(complaint=closed(), actor=people.investigator, satisfied=False, objections="x")


@pytest.mark.spec("CMP-4")
def test_an_unrelated_department_cannot_record_the_answer(people):
    complaint = confirming()
    with pytest.raises(PermissionDenied):
        complaint_answer_record(complaint=complaint, actor=people.outsider, satisfied=True)
    assert fresh(complaint).status == C.CONFIRMING


@pytest.mark.spec("CMP-4", "CMP-5")
def test_the_quality_manager_closes_unresolved_with_a_reason_counted_apart(people):
    complaint = confirming()
    with pytest.raises(ValidationError):
        complaint_close_unresolved(complaint=complaint, actor=people.quality_manager, reason="  ")
    assert fresh(complaint).status == C.CONFIRMING
    complaint_close_unresolved(complaint=complaint, actor=people.quality_manager, reason="客户要求超出合同范围，管理层决定结案")
    done = fresh(complaint)
    assert done.status == C.CLOSED_UNRESOLVED and done.closed_satisfied is False
    assert done.close_decision_reason.startswith("客户要求") and done.closed_by == people.quality_manager
    assert [r.reason for r in follow_ups(done)] == [COMPLAINT_CLOSED]


@pytest.mark.spec("CMP-4")
def test_only_the_quality_manager_closes_unresolved(people):
    complaint = confirming()
    for actor in (people.investigator, people.approver):
        with pytest.raises(PermissionDenied):
            complaint_close_unresolved(complaint=complaint, actor=actor, reason="管理层决定")
    assert fresh(complaint).status == C.CONFIRMING


@pytest.mark.spec("CMP-5")
def test_the_follow_up_reason_is_the_complaints_modules_and_named():
    from django.utils import translation

    assert COMPLAINT_CLOSED in reasons()
    with translation.override("zh-hans"):
        assert reason_label(COMPLAINT_CLOSED) == "投诉已关闭"
