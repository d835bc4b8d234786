"""REL-1 for complaints, on two database connections: the complaint is the root, so two managers
deciding the same plan at once make exactly one decision (the other is told it was already
decided), and the last two measures completed at the same moment move the complaint on once."""
from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from complaints.models import Complaint, HandlingPlan, Measure
from complaints.services import core
from qsm.errors import TransitionNotAllowed
from qsm.workflow.models import Event
from tests.builders import complaints as b
from tests.concurrency.race import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def _lines(record, action: str) -> int:
    return Event.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
                                action=action).count()


@pytest.mark.spec("CMP-3", "REL-1")
def test_two_managers_deciding_one_plan_make_one_decision(people):
    plan = b.plan_in("submitted")
    outcomes = at_once(
        lambda: core.plan_approve(plan=HandlingPlan.objects.get(pk=plan.pk), actor=people.approver),
        lambda: core.plan_reject(plan=HandlingPlan.objects.get(pk=plan.pk), actor=people.quality_manager,
                                 reason="措施不具体"),
    )
    assert sorted(o.ok for o in outcomes) == [False, True]
    loser = next(o.error for o in outcomes if not o.ok)
    assert isinstance(loser, TransitionNotAllowed) and loser.action == "decide"  # "already decided"
    fresh = HandlingPlan.objects.get(pk=plan.pk)
    assert _lines(plan, "approve") + _lines(plan, "reject") == 1
    complaint = Complaint.objects.get(pk=plan.complaint_id)
    if fresh.status == "approved":
        assert complaint.status == "executing" and _lines(complaint, "execute") == 1
    else:
        assert fresh.status == "rejected" and complaint.status == "planning"


@pytest.mark.spec("CMP-3", "REL-1")
def test_the_last_two_measures_done_at_once_move_the_complaint_once(people):
    plan = b.plan_in("approved")
    first, second = plan.measures.order_by("position")
    outcomes = at_once(
        lambda: core.measure_complete(measure=Measure.objects.get(pk=first.pk), actor=people.responsible,
                                      note="已更换轴承"),
        lambda: core.measure_complete(measure=Measure.objects.get(pk=second.pk), actor=people.approver,
                                      note="已更新规程"),
    )
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    complaint = Complaint.objects.get(pk=plan.complaint_id)
    assert complaint.status == "confirming"
    assert _lines(complaint, "confirm") == 1 and _lines(plan, "finish") == 1
    assert HandlingPlan.objects.get(pk=plan.pk).status == "done"
