"""qsm.workflow.milestones.stage_complete: a declared clock stops on a milestone that is not a state
change (a complaint's reply), met or late, and the record's due_at moves to its next deadline."""
from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from complaints.models import Complaint
from qsm.sla.models import Deadline
from qsm.workflow.milestones import stage_complete
from tests.builders import complaints as b
from tests.sla.conftest import calendar_2026, sh  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.spec("SLA-1")
def test_a_milestone_stops_its_clock_and_moves_due_at(calendar_2026, time_machine):  # noqa: F811
    time_machine.move_to(sh(2026, 3, 2, 10, 0), tick=False)
    complaint = b.new_complaint(severity="critical")  # reply due 12:00, resolution 9 March
    assert stage_complete(complaint, "reply", at=sh(2026, 3, 2, 13, 0)) == 1
    ct = ContentType.objects.get_for_model(complaint)
    reply = Deadline.objects.get(content_type=ct, object_id=complaint.pk, stage="reply")
    assert (reply.state, reply.completed_at) == ("late", sh(2026, 3, 2, 13, 0))
    assert Complaint.objects.get(pk=complaint.pk).due_at == sh(2026, 3, 9, 10, 0)
    assert stage_complete(complaint, "reply") == 0  # nothing open any more
    with pytest.raises(ValueError):
        stage_complete(complaint, "no_such_stage")
