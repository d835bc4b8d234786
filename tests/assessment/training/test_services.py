"""QC-5 training services: plans, sessions, attendees, attendance and scores (locks, rights, states)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from assessment.training import services
from assessment.training.models import Attendance, TrainingPlan, TrainingSession
from assessment.training.selectors import plan_completion, plan_summary
from assessment.training.services import AttendanceRow
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.notify.models import Notification
from tests.builders.assessment import a_session, a_standard, a_training_plan, fresh, today

pytestmark = [pytest.mark.django_db, pytest.mark.spec("QC-5")]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _times(days=3, hours=2):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    return start, start + dt.timedelta(hours=hours)


def test_manager_plans_for_own_department_only(people):
    plan = services.plan_create(actor=people.manager, title="年度培训", department=people.department,
                                period_start=today(), period_end=today() + dt.timedelta(days=90),
                                target_hours=Decimal("12"), topics=["standards", "communication", "standards"])
    assert plan.status == TrainingPlan.Status.DRAFT and plan.number.startswith("TP")
    assert plan.topics == ["standards", "communication"] and plan.owner == people.manager
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=people.manager, title="别人的", department=people.unrelated_department,
                             period_start=today(), period_end=today(), target_hours=Decimal("1"))
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=people.member, title="员工", department=people.department,
                             period_start=today(), period_end=today(), target_hours=Decimal("1"))
    # The quality department plans for every department.
    other = services.plan_create(actor=people.quality, title="工程部培训", department=people.unrelated_department,
                                 period_start=today(), period_end=today(), target_hours=Decimal("1"))
    assert other.department == people.unrelated_department


def test_plan_period_and_topic_checked(people):
    with pytest.raises(ValidationError) as err:
        services.plan_create(actor=people.quality, title="x", department=people.department,
                             period_start=today(), period_end=today() - dt.timedelta(days=1),
                             target_hours=Decimal("1"))
    assert "period_end" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.plan_create(actor=people.quality, title="x", department=people.department, period_start=today(),
                             period_end=today(), target_hours=Decimal("1"), topics=["dancing"])
    assert "topics" in err.value.message_dict


def test_plan_update_and_closed_plan_refuses(people):
    plan = a_training_plan(people=people)
    services.plan_update(plan=plan, actor=people.manager, title="修订后的计划", target_hours=Decimal("10"))
    assert fresh(plan).title == "修订后的计划" and fresh(plan).target_hours == Decimal("10")
    with pytest.raises(PermissionDenied):
        services.plan_update(plan=plan, actor=people.member, title="员工改")
    services.plan_fire(plan=plan, actor=people.manager, action="close")
    with pytest.raises(TransitionNotAllowed):
        services.plan_update(plan=fresh(plan), actor=people.manager, title="关闭后")
    start, end = _times()
    with pytest.raises(TransitionNotAllowed):
        services.session_schedule(plan=fresh(plan), actor=people.manager, title="课", topic="standards",
                                  starts_at=start, ends_at=end, trainer=people.quality)


def test_schedule_session_defaults_to_department_members_and_invites(people):
    plan = a_training_plan(people=people)
    standard = a_standard(people=people)
    start, end = _times(hours=3)
    session = services.session_schedule(plan=plan, actor=people.manager, title="服务标准宣贯", topic="standards",
                                        starts_at=start, ends_at=end, trainer=people.quality, place="会议室",
                                        standards=[standard])
    assert session.hours == Decimal("3.0") and session.department == people.department
    attendees = set(session.attendances.values_list("person__username", flat=True))
    assert attendees == {"sales", "sales_colleague", "sales_manager"}
    assert list(session.standards.all()) == [standard]
    invited = Notification.objects.filter(kind="training_session_invited").values_list("recipient__username", flat=True)
    assert set(invited) == attendees


def test_sessions_number_px_on_their_own_sequence_not_the_complaints_ts(people):
    """Complaints number TS- (投诉); a training session is PX- (培训) from its own sequence."""
    from qsm.workflow.services import next_number

    complaint_number = next_number("TS")  # a complaint took a TS- number this year
    plan = a_training_plan(people=people)
    start, end = _times()
    first = services.session_schedule(plan=plan, actor=people.manager, title="沟通技巧", topic="communication",
                                      starts_at=start, ends_at=end, trainer=people.quality, place="会议室")
    second = services.session_schedule(plan=plan, actor=people.manager, title="沟通技巧二", topic="communication",
                                       starts_at=start, ends_at=end, trainer=people.quality, place="会议室")
    year = timezone.localdate().year
    assert (first.number, second.number) == (f"PX-{year}-000001", f"PX-{year}-000002")
    assert next_number("TS") == complaint_number[:-6] + f"{int(complaint_number[-6:]) + 1:06d}"


def test_schedule_session_checks_values(people):
    plan = a_training_plan(people=people)
    start, end = _times()
    with pytest.raises(ValidationError) as err:
        services.session_schedule(plan=plan, actor=people.manager, title="", topic="nope", starts_at=end,
                                  ends_at=start)
    assert {"title", "topic", "ends_at", "trainer"} <= set(err.value.message_dict)
    with pytest.raises(PermissionDenied):
        services.session_schedule(plan=plan, actor=people.member, title="课", topic="process",
                                  starts_at=start, ends_at=end, trainer_name="外聘讲师")
    external = services.session_schedule(plan=plan, actor=people.manager, title="课", topic="process",
                                         starts_at=start, ends_at=end, trainer_name="外聘讲师 王老师",
                                         attendees=[people.member])
    assert external.trainer_display == "外聘讲师 王老师"
    assert list(external.attendances.values_list("person", flat=True)) == [people.member.pk]


def test_session_update_recomputes_hours_only_while_scheduled(people):
    session = a_session(people=people, attendees=[people.member])
    start = session.starts_at
    services.session_update(session=session, actor=people.quality, ends_at=start + dt.timedelta(minutes=90),
                            place="二楼培训室")
    assert fresh(session).hours == Decimal("1.5") and fresh(session).place == "二楼培训室"
    with pytest.raises(PermissionDenied):
        services.session_update(session=session, actor=people.member, place="x")
    held = a_session(people=people, state="held", attendees=[people.member], plan=session.plan)
    with pytest.raises(TransitionNotAllowed):
        services.session_update(session=held, actor=people.quality, place="x")


def test_attendance_and_scores_recorded_all_or_nothing(people):
    session = a_session(people=people, state="held", attendees=[people.member, people.colleague])
    with pytest.raises(ValidationError):
        services.attendance_record(session=session, actor=people.quality, rows=[
            AttendanceRow(people.member.pk, True, "95"),
            AttendanceRow(people.colleague.pk, True, "101"),  # bad: nothing saved
        ])
    member_row = Attendance.objects.get(session=session, person=people.member)
    assert member_row.score is None  # a_session(held) without scores leaves them empty
    saved = services.attendance_record(session=session, actor=people.quality, rows=[
        AttendanceRow(people.member.pk, True, "95.5", "认真"),
        AttendanceRow(people.colleague.pk, False, None),
    ])
    assert saved == 2
    rows = {a.person_id: a for a in session.attendances.all()}
    assert rows[people.member.pk].score == Decimal("95.5") and rows[people.member.pk].recorded_by == people.quality
    assert rows[people.colleague.pk].attended is False


@pytest.mark.parametrize("row, message", [
    (lambda p: AttendanceRow(p.outsider.pk, True, "80"), "not an attendee"),
    (lambda p: AttendanceRow(p.member.pk, False, "80"), "absent"),
    (lambda p: AttendanceRow(p.member.pk, True, "80.25"), "one decimal"),
    (lambda p: AttendanceRow(p.member.pk, True, "-1"), "0 to 100"),
    (lambda p: AttendanceRow(p.member.pk, True, "abc"), "0 to 100"),
    (lambda p: AttendanceRow(p.member.pk, True, "NaN"), "0 to 100"),
])
def test_attendance_bad_rows(people, row, message):
    session = a_session(people=people, state="held", attendees=[people.member])
    with pytest.raises(ValidationError) as err:
        services.attendance_record(session=session, actor=people.quality, rows=[row(people)])
    assert message in " ".join(err.value.messages)


def test_attendance_needs_held_session_and_right(people):
    scheduled = a_session(people=people, attendees=[people.member])
    with pytest.raises(TransitionNotAllowed):
        services.attendance_record(session=scheduled, actor=people.quality,
                                   rows=[AttendanceRow(people.member.pk, True, "90")])
    held = a_session(people=people, state="held", attendees=[people.member], plan=scheduled.plan)
    with pytest.raises(PermissionDenied):
        services.attendance_record(session=held, actor=people.member, rows=[AttendanceRow(people.member.pk, True, "100")])
    # The plan's owner (the sales manager) may.
    services.attendance_record(session=held, actor=people.manager, rows=[AttendanceRow(people.member.pk, True, "88")])
    assert held.attendances.get().score == Decimal("88.0")


def test_attendees_add_and_remove(people):
    session = a_session(people=people, attendees=[people.member])
    added = services.attendees_add(session=session, actor=people.quality,
                                   people=[people.member, people.colleague, people.service_staff])
    assert added == 2
    services.attendee_remove(session=session, actor=people.quality, person=people.service_staff)
    assert set(session.attendances.values_list("person", flat=True)) == {people.member.pk, people.colleague.pk}
    cancelled = services.session_fire(session=session, actor=people.quality, action="cancel", comment="讲师出差")
    assert cancelled.status == TrainingSession.Status.CANCELLED
    assert Notification.objects.filter(kind="training_session_cancelled").count() == 2
    with pytest.raises(TransitionNotAllowed):
        services.attendees_add(session=fresh(session), actor=people.quality, people=[people.manager])


def test_plan_completion_counts_held_attended_hours(people):
    plan = a_training_plan(people=people, target_hours="4")
    a_session(people=people, plan=plan, state="held", hours="3", attendees=[people.member, people.colleague])
    a_session(people=people, plan=plan, state="held", hours="1", attendees=[people.member])
    a_session(people=people, plan=plan, state="scheduled", hours="5", attendees=[people.colleague])
    other = a_training_plan(people=people)
    a_session(people=people, plan=other, state="held", hours="8", attendees=[people.colleague])
    rows = {r.person.username: r for r in plan_completion(plan)}
    assert rows["sales"].hours == Decimal("4") and rows["sales"].done and rows["sales"].percent == 100
    assert rows["sales_colleague"].hours == Decimal("3") and not rows["sales_colleague"].done
    assert rows["sales_colleague"].percent == 75
    assert rows["sales_manager"].hours == 0
    assert "staff" not in rows  # another department's member
    assert plan_summary(list(rows.values())) == {"members": 3, "done": 1, "percent": 33}
