"""REL-1 for the handling plans (CMP-3), on two database connections: two managers deciding the same
plan at the same moment make exactly one decision (the other is told it was already decided, a
409 in the API); the last two measures completed at the same moment move the complaint on exactly
once (one "confirm" line, the plan finished once)."""
from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.models import Complaint, HandlingPlan, Measure
from complaints.services import core, measures
from qsm.errors import TransitionNotAllowed
from qsm.workflow.models import Event
from tests.builders.complaints import cast, plan_in
from tests.complaints.support import fresh
from tests.concurrency.race import at_once

S = Complaint.Status
P = HandlingPlan.Status
M = Measure.Status
pytestmark = pytest.mark.django_db(transaction=True)


def _lines(record, action: str) -> int:
    return Event.objects.filter(content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk,
                                action=action).count()


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("证据.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                              content_type="application/pdf")


@pytest.mark.spec("REL-1", "CMP-3")
def test_two_managers_approving_at_once_make_one_decision():
    people = cast()
    plan = plan_in(P.SUBMITTED)
    outcomes = at_once(lambda: core.plan_approve(plan=fresh(plan), actor=people.approver),
                       lambda: core.plan_approve(plan=fresh(plan), actor=people.quality_manager))
    assert sorted(o.ok for o in outcomes) == [False, True]
    refused = next(o.error for o in outcomes if not o.ok)
    assert isinstance(refused, TransitionNotAllowed)
    assert "already decided" in refused.message or "已审批" in refused.message  # "already decided", either language
    assert _lines(plan, "approve") == 1 and _lines(plan.complaint, "execute") == 1
    assert fresh(plan.complaint).status == S.EXECUTING


@pytest.mark.spec("REL-1", "CMP-3")
def test_approve_and_reject_at_once_one_wins_and_the_plan_is_consistent():
    people = cast()
    plan = plan_in(P.SUBMITTED)
    outcomes = at_once(lambda: core.plan_approve(plan=fresh(plan), actor=people.approver),
                       lambda: core.plan_reject(plan=fresh(plan), actor=people.quality_manager, reason="不同意"))
    assert sorted(o.ok for o in outcomes) == [False, True]
    assert isinstance(next(o.error for o in outcomes if not o.ok), TransitionNotAllowed)
    final = fresh(plan)
    assert _lines(plan, "approve") + _lines(plan, "reject") == 1
    if final.status == P.APPROVED:
        assert set(plan.measures.values_list("status", flat=True)) == {M.OPEN}
        assert fresh(plan.complaint).status == S.EXECUTING
    else:
        assert final.status == P.REJECTED and set(plan.measures.values_list("status", flat=True)) == {M.PLANNED}
        assert fresh(plan.complaint).status == S.PLANNING


@pytest.mark.spec("REL-1", "CMP-3")
def test_the_last_two_measures_done_at_once_move_the_complaint_once():
    people = cast()
    plan = plan_in(P.APPROVED, measures=2)
    first, second = plan.measures.order_by("position")
    outcomes = at_once(
        lambda: measures.measure_complete(measure=fresh(first), actor=people.responsible, note="措施一完成",
                                          evidence=_photo()),
        lambda: measures.measure_complete(measure=fresh(second), actor=people.approver, note="措施二完成",
                                          evidence=_photo()),
    )
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert set(plan.measures.values_list("status", flat=True)) == {M.DONE}
    assert fresh(plan).status == P.DONE and _lines(plan, "finish") == 1
    assert fresh(plan.complaint).status == S.CONFIRMING and _lines(plan.complaint, "confirm") == 1
