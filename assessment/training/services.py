"""QC-5 training: the writes (plans, sessions, attendees, attendance and scores).

The plan is the root of its sessions (REL-1): scheduling a session locks the plan (a closed plan
takes no new session); every write to a session's attendees or attendance locks the session first
and decides inside the lock (a cancelled session takes no attendance; two trainers entering scores
at once are serialised). State changes go through the workflow tables (``fire``).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.notify.services import notify
from qsm.org.models import User
from qsm.org.rules import sees_everything
from qsm.parsing import clean_search_term
from qsm.workflow.engine import edit, fire, record_created
from qsm.workflow.locking import locked
from qsm.workflow.services import next_number

from .models import Attendance, Topic, TrainingPlan, TrainingSession
from .rules import can_create_training_plan, can_manage_training_plan, can_run_session, can_schedule_session
from .workflows import KIND_SESSION_CANCELLED, KIND_SESSION_INVITED

TP = TrainingPlan.Status
TS = TrainingSession.Status

PLAN_FIELDS = ("title", "period_start", "period_end", "target_hours", "topics", "owner", "notes")
SESSION_FIELDS = ("title", "topic", "trainer", "trainer_name", "starts_at", "ends_at", "hours", "place", "notes")
MAX_ATTENDEES = 500
# Sessions number PX- (培训): complaints own TS- (投诉), so the two never share a sequence.
SESSION_PREFIX = "PX"
PLAN_PREFIX = "TP"


def _text(value) -> str:
    return (value or "").strip()


# --- plans -----------------------------------------------------------------------------------------

def _check_plan_values(data: dict) -> None:
    start, end = data.get("period_start"), data.get("period_end")
    if start and end and end < start:
        raise ValidationError({"period_end": ValidationError(_("The period ends before it starts."), code="period")})
    topics = data.get("topics")
    if topics is not None:
        unknown = [t for t in topics if t not in Topic.values]
        if unknown:
            raise ValidationError({"topics": ValidationError(_("Unknown training topic."), code="topic")})
        data["topics"] = list(dict.fromkeys(topics))
    if "title" in data:
        data["title"] = _text(data["title"])
        if not data["title"]:
            raise ValidationError({"title": ValidationError(_("A title is required."), code="required")})


def plan_create(*, actor, title: str, department, period_start: dt.date, period_end: dt.date,
                target_hours: Decimal, topics: Iterable[str] = (), owner=None, notes: str = "") -> TrainingPlan:
    """QC-5: a department's training plan for a period (draft). The quality department plans for
    every department, a manager for their own."""
    if not can_create_training_plan(actor) or not (sees_everything(actor) or actor.department_id == department.pk):
        raise PermissionDenied(_("You may plan training for your own department only."))
    data = {"title": title, "period_start": period_start, "period_end": period_end, "topics": list(topics)}
    _check_plan_values(data)
    owner = owner or actor
    with transaction.atomic():
        plan = TrainingPlan.objects.create(
            number=next_number(PLAN_PREFIX), title=data["title"], department=department, period_start=period_start,
            period_end=period_end, target_hours=target_hours, topics=data["topics"], owner=owner,
            notes=_text(notes))
        record_created(plan, actor=actor)
    return plan


def plan_update(*, plan: TrainingPlan, actor, **data) -> TrainingPlan:
    """Correct a plan while it is not closed (each change on the timeline)."""
    data = {k: v for k, v in data.items() if k in PLAN_FIELDS}
    with locked(plan, actor=actor, allowed=can_manage_training_plan, states=(TP.DRAFT, TP.ACTIVE),
                denied=_("You are not allowed to change this training plan."),
                wrong_state=_("A closed training plan cannot be changed.")) as root:
        merged = {"period_start": data.get("period_start", root.period_start),
                  "period_end": data.get("period_end", root.period_end), **data}
        _check_plan_values(merged)
        data.update({k: merged[k] for k in data})
        edit(root, actor=actor, data=data, tracked=TrainingPlan.TRACKED_FIELDS)
    return root


def plan_fire(*, plan: TrainingPlan, actor, action: str, comment: str = "") -> TrainingPlan:
    return fire(plan, action, actor=actor, comment=comment)


# --- sessions --------------------------------------------------------------------------------------

def session_hours(starts_at: dt.datetime, ends_at: dt.datetime) -> Decimal:
    """The hours of a session from its times, to the half hour (at least half an hour)."""
    hours = Decimal((ends_at - starts_at).total_seconds()) / Decimal(3600)
    halves = (hours * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return max(Decimal("0.5"), halves / 2).quantize(Decimal("0.1"))


def _check_session_values(data: dict) -> None:
    errors = {}
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if starts and ends and ends <= starts:
        errors["ends_at"] = ValidationError(_("The session ends before it starts."), code="time_order")
    if not data.get("trainer") and not _text(data.get("trainer_name")):
        errors["trainer"] = ValidationError(_("Name a trainer: a colleague or an external trainer."), code="required")
    if data.get("topic") not in Topic.values:
        errors["topic"] = ValidationError(_("Unknown training topic."), code="topic")
    if not _text(data.get("title")):
        errors["title"] = ValidationError(_("A title is required."), code="required")
    if errors:
        raise ValidationError(errors)


def _default_attendees(department) -> list[User]:
    return list(User.objects.filter(department=department, is_active=True).order_by("id"))


def _invite(session: TrainingSession, people: Iterable[User]) -> None:
    people = list(people)
    if people:
        notify(recipients=people, kind=KIND_SESSION_INVITED,
               title=gettext_lazy("Training session %(number)s: %(title)s"),
               body=gettext_lazy("Starts %(starts)s at %(place)s."),
               params={"number": session.number, "title": session.title,
                       "starts": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
                       "place": session.place or "—"},
               url=session.get_absolute_url(), email=False)


def session_schedule(*, plan: TrainingPlan, actor, title: str, topic: str, starts_at: dt.datetime,
                     ends_at: dt.datetime, trainer=None, trainer_name: str = "", hours: Decimal | None = None,
                     place: str = "", notes: str = "", standards: Iterable = (),
                     attendees: Iterable[User] | None = None) -> TrainingSession:
    """QC-5: schedule a session of ``plan`` (locked: a closed plan takes none). The attendees are
    the department's active members unless named; each is told."""
    data = {"title": title, "topic": topic, "trainer": trainer, "trainer_name": trainer_name,
            "starts_at": starts_at, "ends_at": ends_at}
    _check_session_values(data)
    with locked(plan, actor=actor, allowed=can_schedule_session, states=(TP.DRAFT, TP.ACTIVE),
                denied=_("You are not allowed to schedule sessions of this training plan."),
                wrong_state=_("A closed training plan takes no new session.")) as root:
        session = TrainingSession.objects.create(
            number=next_number(SESSION_PREFIX), plan=root, department_id=root.department_id, title=_text(title), topic=topic,
            trainer=trainer, trainer_name=_text(trainer_name) if trainer is None else "",
            starts_at=starts_at, ends_at=ends_at, hours=hours or session_hours(starts_at, ends_at),
            place=_text(place), notes=_text(notes))
        session.standards.set(list(standards))
        people = _default_attendees(root.department) if attendees is None else list(dict.fromkeys(attendees))
        Attendance.objects.bulk_create([Attendance(session=session, person=p) for p in people[:MAX_ATTENDEES]])
        record_created(session, actor=actor)
        _invite(session, people[:MAX_ATTENDEES])
    return session


def session_update(*, session: TrainingSession, actor, standards: Iterable | None = None, **data) -> TrainingSession:
    """Correct a scheduled session (times, trainer, place, linked standards)."""
    data = {k: v for k, v in data.items() if k in SESSION_FIELDS}
    with locked(session, actor=actor, allowed=can_run_session, states=(TS.SCHEDULED,),
                denied=_("You are not allowed to change this training session."),
                wrong_state=_("Only a scheduled session can be changed (it is “%(state)s”).")) as root:
        merged = {f: getattr(root, f) for f in SESSION_FIELDS}
        merged.update(data)
        _check_session_values(merged)
        if "trainer" in data and data["trainer"] is not None:
            data["trainer_name"] = ""
        if ("starts_at" in data or "ends_at" in data) and "hours" not in data:
            data["hours"] = session_hours(merged["starts_at"], merged["ends_at"])
        edit(root, actor=actor, data=data, tracked=TrainingSession.TRACKED_FIELDS)
        if standards is not None:
            root.standards.set(list(standards))
    return root


def session_fire(*, session: TrainingSession, actor, action: str, comment: str = "") -> TrainingSession:
    result = fire(session, action, actor=actor, comment=comment)
    if action == "cancel":
        people = User.objects.filter(training_attendances__session=result)
        notify(recipients=people, kind=KIND_SESSION_CANCELLED,
               title=gettext_lazy("Training session %(number)s cancelled"), body=gettext_lazy("Reason: %(reason)s"),
               params={"number": result.number, "reason": result.cancel_reason}, url=result.get_absolute_url(),
               email=False)
    return result


# --- attendees, attendance and scores ----------------------------------------------------------------

def _not_cancelled() -> str:
    return _("The session is “%(state)s”: its attendees and scores can no longer change.")


def attendees_add(*, session: TrainingSession, actor, people: Iterable[User]) -> int:
    """Add people to a session (already there: ignored). Returns how many were added."""
    people = [p for p in dict.fromkeys(people) if p.is_active]
    with locked(session, actor=actor, allowed=can_run_session, states=(TS.SCHEDULED, TS.HELD),
                denied=_("You are not allowed to change the attendees of this session."),
                wrong_state=_not_cancelled()) as root:
        present = set(root.attendances.values_list("person_id", flat=True))
        new = [p for p in people if p.pk not in present]
        if len(present) + len(new) > MAX_ATTENDEES:
            raise ValidationError({"people": ValidationError(_("A session has at most %(n)s attendees.")
                                                             % {"n": MAX_ATTENDEES}, code="too_many")})
        Attendance.objects.bulk_create([Attendance(session=root, person=p) for p in new])
        if root.status == TS.SCHEDULED:
            _invite(root, new)
    return len(new)


def attendee_remove(*, session: TrainingSession, actor, person) -> None:
    with locked(session, actor=actor, allowed=can_run_session, states=(TS.SCHEDULED,),
                denied=_("You are not allowed to change the attendees of this session."),
                wrong_state=_("Attendees are removed only before the session is held.")) as root:
        root.attendances.filter(person=person).delete()


@dataclass
class AttendanceRow:
    person_id: int
    attended: bool | None
    score: Decimal | None = None
    comment: str = ""


def check_score(score) -> Decimal | None:
    """A score is 0–100 with at most one decimal; raises a ValidationError message otherwise."""
    if score is None or score == "":
        return None
    try:
        value = Decimal(str(score)).normalize() if not isinstance(score, Decimal) else score
    except ArithmeticError:
        raise ValidationError(_("The score must be a number from 0 to 100."), code="score") from None
    if not value.is_finite() or value < 0 or value > 100:
        raise ValidationError(_("The score must be a number from 0 to 100."), code="score")
    if value != value.quantize(Decimal("0.1")):
        raise ValidationError(_("The score has at most one decimal."), code="score")
    return value.quantize(Decimal("0.1"))


def attendance_record(*, session: TrainingSession, actor, rows: Iterable[AttendanceRow]) -> int:
    """QC-5: record who attended a held session and their assessment scores, all rows or none.
    Every person must be an attendee; an absent person has no score. Returns the rows saved."""
    rows = list(rows)
    with locked(session, actor=actor, allowed=can_run_session, states=(TS.HELD,),
                denied=_("Only the trainer, the plan's owner or the quality department enter attendance."),
                wrong_state=_("Attendance and scores are entered once the session is held (it is “%(state)s”).")
                ) as root:
        by_person = {a.person_id: a for a in root.attendances.all()}
        errors, seen = [], set()
        for row in rows:
            if row.person_id not in by_person:
                errors.append(_("%(person)s is not an attendee of this session.") % {"person": row.person_id})
                continue
            if row.person_id in seen:
                errors.append(_("%(person)s is listed twice.") % {"person": row.person_id})
                continue
            seen.add(row.person_id)
            try:
                row.score = check_score(row.score)
            except ValidationError as exc:
                errors.extend(exc.messages)
                continue
            if row.score is not None and row.attended is False:
                errors.append(_("An absent person has no score."))
        if errors:
            raise ValidationError({"rows": errors})
        now = timezone.now()
        changed = []
        for row in rows:
            attendance = by_person[row.person_id]
            attendance.attended, attendance.score = row.attended, row.score
            attendance.comment = clean_search_term(row.comment or "", max_length=500)
            attendance.recorded_by, attendance.recorded_at = actor, now
            changed.append(attendance)
        Attendance.objects.bulk_update(changed, ["attended", "score", "comment", "recorded_by", "recorded_at"])
    return len(changed)


def ensure_can_run(session: TrainingSession, actor) -> None:
    if not can_run_session(actor, session):
        raise PermissionDenied(_("Only the trainer, the plan's owner or the quality department enter attendance."))
    if session.status == TS.CANCELLED:
        raise TransitionNotAllowed(_not_cancelled() % {"state": session.get_status_display()})
