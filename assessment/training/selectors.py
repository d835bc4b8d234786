"""QC-5 reads, each scoped by the visibility declared in training.rules (another department's plan
or session is a 404): the lists, the plan's completion per member, the session's attendance, a
person's training record, and the export rows.

Completion (§4(四)2): for each member of the plan's department, the hours of the plan's held sessions
they attended over the plan's target hours per person.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from qsm.org.models import User
from qsm.org.rules import is_manager, sees_everything
from qsm.parsing import parse_id

from .models import Attendance, TrainingPlan, TrainingSession
from .rules import ATTENDANCE_VISIBILITY, SESSION_VISIBILITY, TRAINING_PLAN_VISIBILITY

TS = TrainingSession.Status
PLAN_RELATED = ("department", "owner")
SESSION_RELATED = ("plan", "department", "trainer")
_ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=8, decimal_places=1))


def plan_scope(user) -> QuerySet[TrainingPlan]:
    return TRAINING_PLAN_VISIBILITY.filter(TrainingPlan.objects.all(), user)


def session_scope(user) -> QuerySet[TrainingSession]:
    return SESSION_VISIBILITY.filter(TrainingSession.objects.all(), user)


def attendance_scope(user) -> QuerySet[Attendance]:
    return ATTENDANCE_VISIBILITY.filter(Attendance.objects.all(), user)


def plan_list(*, user) -> QuerySet[TrainingPlan]:
    return plan_scope(user).select_related(*PLAN_RELATED).order_by("-period_start", "-id")


def session_list(*, user) -> QuerySet[TrainingSession]:
    return session_scope(user).select_related(*SESSION_RELATED).order_by("-starts_at", "-id")


def plan_get(*, user, pk) -> TrainingPlan:
    try:
        return plan_scope(user).select_related(*PLAN_RELATED).get(pk=parse_id(pk))
    except TrainingPlan.DoesNotExist:
        raise Http404(_("No such training plan.")) from None


def session_get(*, user, pk) -> TrainingSession:
    try:
        return session_scope(user).select_related(*SESSION_RELATED, "plan__owner").get(pk=parse_id(pk))
    except TrainingSession.DoesNotExist:
        raise Http404(_("No such training session.")) from None


def plan_sessions(plan: TrainingPlan) -> list[TrainingSession]:
    return list(plan.sessions.select_related("trainer").annotate(
        attendee_count=Count("attendances"),
        attended_count=Count("attendances", filter=Q(attendances__attended=True)),
    ).order_by("starts_at", "id"))


def session_attendances(session: TrainingSession, user=None) -> list[Attendance]:
    """The session's attendance rows; given ``user``, only those they may see (an attendee from
    another department sees their own row, not their colleagues' scores)."""
    return list(attendance_rows(user).filter(session=session))


def attendance_rows(user=None) -> QuerySet[Attendance]:
    """Attendance rows with the person and department, all of them or those ``user`` may see."""
    qs = Attendance.objects.all() if user is None else attendance_scope(user)
    return qs.select_related("person", "person__department").order_by("person__department__name", "person__username")


def session_standards(session: TrainingSession) -> list:
    return list(session.standards.all().order_by("number"))


@dataclass(frozen=True)
class Completion:
    person: User
    hours: Decimal
    sessions: int
    target: Decimal

    @property
    def percent(self) -> int:
        return min(100, int(self.hours * 100 / self.target)) if self.target else 0

    @property
    def done(self) -> bool:
        return self.hours >= self.target


def _attended_hours(plan_filter: Q) -> dict:
    held = Q(training_attendances__attended=True, training_attendances__session__status=TS.HELD) & plan_filter
    return {
        "hours": Coalesce(Sum("training_attendances__session__hours", filter=held), _ZERO),
        "sessions": Count("training_attendances", filter=held),
    }


def plan_completion(plan: TrainingPlan) -> list[Completion]:
    """Each active member of the plan's department (and anyone else who attended a session of the
    plan): hours attended of held sessions vs the target. One query."""
    in_plan = Q(training_attendances__session__plan=plan)
    people = (User.objects.filter(Q(department_id=plan.department_id, is_active=True)
                                  | Q(training_attendances__session__plan=plan))
              .distinct().annotate(**_attended_hours(in_plan)).order_by("username"))
    return [Completion(person=p, hours=p.hours, sessions=p.sessions, target=plan.target_hours) for p in people]


def plan_summary(rows: list[Completion]) -> dict:
    members = len(rows)
    done = sum(1 for r in rows if r.done)
    return {"members": members, "done": done, "percent": int(done * 100 / members) if members else 0}


def person_visible(user, person: User) -> bool:
    """A person's training record: themselves, their department's managers, the quality department."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.pk == person.pk or sees_everything(user):
        return True
    return bool(is_manager(user) and person.department_id is not None and user.department_id == person.department_id)


def person_get(*, user, pk) -> User:
    person = User.objects.select_related("department").filter(pk=parse_id(pk)).first()
    if person is None or not person_visible(user, person):
        raise Http404(_("No such person."))
    return person


def person_attendances(person: User) -> list[Attendance]:
    return list(person.training_attendances.select_related("session", "session__plan", "session__trainer")
                .order_by("-session__starts_at", "-session_id"))


def person_plans(person: User, attendances: list[Attendance]) -> list[dict]:
    """Per plan the person took part in or is a member of: attended hours vs the target."""
    plan_ids = {a.session.plan_id for a in attendances}
    today = timezone.localdate()
    plans = TrainingPlan.objects.filter(
        Q(pk__in=plan_ids) | Q(department_id=person.department_id, status=TrainingPlan.Status.ACTIVE,
                               period_end__gte=today - dt.timedelta(days=366))
    ).select_related("department").order_by("-period_start", "-id") if person.department_id or plan_ids else []
    rows = []
    for plan in plans:
        hours = sum((a.session.hours for a in attendances
                     if a.session.plan_id == plan.pk and a.attended and a.session.status == TS.HELD), Decimal("0"))
        rows.append({"plan": plan, "completion": Completion(person=person, hours=hours, sessions=0,
                                                            target=plan.target_hours)})
    return rows


def person_summary(attendances: list[Attendance]) -> dict:
    held = [a for a in attendances if a.attended and a.session.status == TS.HELD]
    scores = [a.score for a in held if a.score is not None]
    return {"hours": sum((a.session.hours for a in held), Decimal("0")), "sessions": len(held),
            "average": (sum(scores) / len(scores)).quantize(Decimal("0.1")) if scores else None}


# --- "my work" and the standard page ------------------------------------------------------------------

def upcoming_sessions(user, *, days: int = 7) -> QuerySet[TrainingSession]:
    """Scheduled sessions in the next ``days`` that ``user`` trains or attends."""
    now = timezone.now()
    return (TrainingSession.objects.filter(status=TS.SCHEDULED, starts_at__gte=now,
                                           starts_at__lt=now + dt.timedelta(days=days))
            .filter(Q(trainer=user) | Exists(Attendance.objects.filter(session_id=OuterRef("pk"), person=user)))
            .order_by("starts_at", "pk"))


def sessions_to_score(user) -> QuerySet[TrainingSession]:
    """Held sessions of the last 90 days that ``user`` trains or owns the plan of, with attendance
    not yet recorded."""
    since = timezone.now() - dt.timedelta(days=90)
    pending = Attendance.objects.filter(session_id=OuterRef("pk"), attended__isnull=True)
    return (TrainingSession.objects.filter(status=TS.HELD, starts_at__gte=since)
            .filter(Q(trainer=user) | Q(plan__owner=user)).filter(Exists(pending)).order_by("starts_at", "pk"))


def standard_sessions(standard, user, *, limit: int = 20) -> list[TrainingSession]:
    return list(session_scope(user).filter(standards=standard).select_related("trainer", "department")
                .order_by("-starts_at", "-id")[:limit])


# --- exports ---------------------------------------------------------------------------------------

def plan_export_columns() -> list:
    from django.utils.translation import gettext_lazy

    from qsm.exports import Column

    from .models import Topic

    labels = dict(Topic.choices)
    return [
        Column(gettext_lazy("Number"), lambda p: p.number),
        Column(gettext_lazy("Title"), lambda p: p.title),
        Column(gettext_lazy("Department"), lambda p: p.department.name),
        Column(gettext_lazy("Period from"), lambda p: p.period_start),
        Column(gettext_lazy("Period to"), lambda p: p.period_end),
        Column(gettext_lazy("Target hours per person"), lambda p: p.target_hours),
        Column(gettext_lazy("Topics"), lambda p: "、".join(str(labels.get(t, t)) for t in p.topics)),
        Column(gettext_lazy("Owner"), lambda p: str(p.owner)),
        Column(gettext_lazy("Status"), lambda p: p.status, TrainingPlan.Status.choices),
    ]


def session_export_columns() -> list:
    from django.utils.translation import gettext_lazy, pgettext_lazy

    from qsm.exports import Column

    from .models import Topic

    return [
        Column(gettext_lazy("Number"), lambda s: s.number),
        Column(gettext_lazy("Title"), lambda s: s.title),
        Column(pgettext_lazy("training", "Topic"), lambda s: s.topic, Topic.choices),
        Column(gettext_lazy("Department"), lambda s: s.department.name),
        Column(gettext_lazy("Training plan"), lambda s: s.plan.number),
        Column(gettext_lazy("Trainer"), lambda s: s.trainer_display),
        Column(gettext_lazy("Starts at"), lambda s: s.starts_at),
        Column(gettext_lazy("Ends at"), lambda s: s.ends_at),
        Column(gettext_lazy("Hours"), lambda s: s.hours),
        Column(gettext_lazy("Place"), lambda s: s.place),
        Column(gettext_lazy("Status"), lambda s: s.status, TrainingSession.Status.choices),
    ]
