"""REL-1 for training (QC-5), with two database connections: every write to a session's attendees or
attendance locks the session first and decides on the locked row, so people added while another
person cancels the session are refused (a check made before the lock would add them to a cancelled
session), and two people entering scores at once leave one complete entry, never a mixture.

(In tests/concurrency with the other two-connection tests: a transactional test without serialized
rollback breaks the browser tests' restore of the content types.)"""
from __future__ import annotations

from decimal import Decimal

import pytest

from assessment.training import services
from assessment.training.models import Attendance, TrainingSession
from assessment.training.services import AttendanceRow
from qsm.errors import TransitionNotAllowed
from tests.builders.assessment import a_session, cast
from tests.concurrency.race import at_once, while_held

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.spec("REL-1", "QC-5")
def test_attendees_added_while_the_session_is_cancelled_are_refused():
    people = cast()
    session = a_session(people=people, attendees=[people.member])
    stale = TrainingSession.objects.get(pk=session.pk)  # read before the cancel commits
    holder, contender = while_held(
        lambda: services.session_fire(session=TrainingSession.objects.get(pk=session.pk), actor=people.quality,
                                      action="cancel", comment="讲师出差"),
        lambda: services.attendees_add(session=stale, actor=people.quality, people=[people.colleague]),
    )
    assert holder.value.status == TrainingSession.Status.CANCELLED
    assert isinstance(contender.error, TransitionNotAllowed), contender.error
    assert list(Attendance.objects.filter(session=session).values_list("person", flat=True)) == [people.member.pk]


@pytest.mark.spec("REL-1", "QC-5")
def test_two_score_entries_at_once_leave_one_complete_entry():
    people = cast()
    session = a_session(people=people, state="held", attendees=[people.member, people.colleague])
    entries = {
        "trainer": [AttendanceRow(people.member.pk, True, "90"), AttendanceRow(people.colleague.pk, True, "80")],
        "owner": [AttendanceRow(people.member.pk, True, "70"), AttendanceRow(people.colleague.pk, True, "60")],
    }
    outcomes = at_once(
        lambda: services.attendance_record(session=session, actor=people.quality, rows=entries["trainer"]),
        lambda: services.attendance_record(session=session, actor=people.manager, rows=entries["owner"]),
    )
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    saved = dict(Attendance.objects.filter(session=session).values_list("person", "score"))
    recorders = set(Attendance.objects.filter(session=session).values_list("recorded_by", flat=True))
    assert len(recorders) == 1  # one person's whole entry, the last to take the lock
    expected = entries["trainer"] if recorders == {people.quality.pk} else entries["owner"]
    assert saved == {r.person_id: Decimal(r.score) for r in expected}
