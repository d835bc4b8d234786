"""SLA-1/SLA-2 writes: start, complete, pause and resume a stage's clock; the reminder sweep."""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qsm.notify.services import Notice, notify_all

from .calendar import MAX_DAYS, WorkingTime, default_calendar
from .models import CalendarDay, Deadline, SlaPolicy, WorkCalendar

log = logging.getLogger(__name__)


class SlaPolicyMissing(ImproperlyConfigured):
    """A declared clock has no active policy: a configuration error (system check qsm.E001)."""


def sla_policy_for(*, record_type: str, stage: str, channel: str = "", priority: str = "",
                   category: str = "") -> SlaPolicy | None:
    """The most specific active policy: exact channel, priority and category beat the blank (any)
    ones; the more of them match exactly the better (a tie goes to channel, then priority)."""
    candidates = SlaPolicy.objects.filter(
        Q(channel=channel) | Q(channel=""), Q(priority=priority) | Q(priority=""),
        Q(category=category) | Q(category=""),
        record_type=record_type, stage=stage, is_active=True,
    ).select_related("calendar")
    best = sorted(candidates, key=lambda p: ((p.channel == "") + (p.priority == "") + (p.category == ""),
                                             p.channel == "", p.priority == "", p.category == ""))
    return best[0] if best else None


def record_type_of(record_or_model) -> str:
    ct = ContentType.objects.get_for_model(record_or_model)
    return f"{ct.app_label}.{ct.model}"


def _create(*, record, stage: str, title: str, owner, department, start: dt.datetime, url: str, **fields) -> Deadline:
    ct = ContentType.objects.get_for_model(record)
    # Starting a stage that is still open restarts its clock: the old one is cancelled rather
    # than tripping the one-open-deadline-per-stage constraint inside the caller's transaction.
    restarted = _open(record, stage).update(state=Deadline.State.CANCELLED, completed_at=start)
    if restarted:
        log.info("restarted the %s clock of %s.%s #%s", stage, ct.app_label, ct.model, record.pk)
    return Deadline.objects.create(
        content_type=ct, object_id=record.pk, stage=stage, title=title[:200],
        url=url or (record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""),
        owner=owner, department=department, started_at=start, **fields,
    )


def deadline_start(*, record, stage: str, title: str, owner=None, department=None, channel: str = "",
                   priority: str = "", category: str = "", start: dt.datetime | None = None,
                   url: str = "") -> Deadline:
    """Start the policy clock for ``stage`` on ``record``.

    Raises SlaPolicyMissing when no active policy covers it: a declared clock without a policy
    is a configuration error (the system check qsm.E001 reports it at start-up), never a silent
    record without a deadline.
    """
    record_type = record_type_of(record)
    policy = sla_policy_for(record_type=record_type, stage=stage, channel=channel, priority=priority,
                            category=category)
    if policy is None:
        raise SlaPolicyMissing(f"no active SLA policy for {record_type}/{stage} (channel={channel!r}, "
                               f"priority={priority!r}, category={category!r})")
    calendar = policy.calendar or default_calendar()
    start = start or timezone.now()
    wt = WorkingTime.load(calendar, start.date())
    return _create(
        record=record, stage=stage, title=title, owner=owner, department=department, start=start, url=url,
        source=Deadline.Source.POLICY, policy=policy, calendar=calendar, allowed_minutes=policy.working_minutes,
        remind_at=wt.add(start, policy.working_minutes * policy.remind_at_percent / 100),
        due_at=wt.add(start, policy.working_minutes),
    )


def date_moments(calendar, due: dt.date | dt.datetime, lead_days: int) -> tuple[dt.datetime, dt.datetime]:
    """(remind_at, due_at) of a clock running to a date a person chose.

    A date is due at the end of the working day on that date (the calendar's ``work_end``, even
    when the date is not a working day: the customer was promised that day). The reminder comes
    at the start (``work_start``) of the ``lead_days``-th working day before it; with no lead the
    reminder is at the start of the date itself. A datetime is due at that moment.
    """
    tz = ZoneInfo(settings.TIME_ZONE)
    if isinstance(due, dt.datetime):
        due_at, day = due, timezone.localtime(due, tz).date()
    else:
        day = due
        due_at = dt.datetime.combine(day, calendar.work_end, tz)
    wt = WorkingTime.load(calendar, day)
    remind_day, counted = day, 0
    for _step in range(MAX_DAYS):
        if counted >= lead_days:
            break
        remind_day -= dt.timedelta(days=1)
        if wt.is_working_day(remind_day):
            counted += 1
    remind_at = min(dt.datetime.combine(remind_day, calendar.work_start, tz), due_at)
    return remind_at, due_at


def deadline_start_on_date(*, record, stage: str, title: str, due: dt.date | dt.datetime, lead_days: int = 0,
                           owner=None, department=None, start: dt.datetime | None = None, url: str = "",
                           calendar: WorkCalendar | None = None) -> Deadline:
    """Start a clock that runs to a date a person chose (a promised delivery date, a measure's
    deadline). Same row, same reminder levels and the same sweep as a policy clock."""
    calendar = calendar or default_calendar()
    start = start or timezone.now()
    remind_at, due_at = date_moments(calendar, due, lead_days)
    allowed = WorkingTime.load(calendar, start.date()).minutes_between(start, due_at)
    return _create(
        record=record, stage=stage, title=title, owner=owner, department=department, start=start, url=url,
        source=Deadline.Source.DATE, calendar=calendar, due_date=due if not isinstance(due, dt.datetime) else
        timezone.localtime(due).date(), lead_days=lead_days, allowed_minutes=int(allowed),
        remind_at=remind_at, due_at=due_at,
    )


def _reset_levels(d: Deadline, now: dt.datetime) -> list[str]:
    """A level whose new moment is still ahead is claimable again (the deadline moved)."""
    fields = []
    if d.reminded_at and d.remind_at > now:
        d.reminded_at = None
        fields.append("reminded_at")
    if d.overdue_at and d.due_at > now:
        d.overdue_at = None
        fields.append("overdue_at")
    return fields


@transaction.atomic
def deadline_move_to_date(*, record, stage: str, due: dt.date | dt.datetime | None,
                          lead_days: int | None = None) -> tuple[Deadline | None, dt.datetime | None]:
    """The agreed date of a running date clock changed: move it (None: the clock is cancelled).

    Returns the open deadline (or None) and its old due time. Reminder levels whose new moment is
    still ahead fire again for the new date.
    """
    d = _open(record, stage).select_for_update().first()
    if d is None:
        return None, None
    old = d.due_at
    if due is None:
        _open(record, stage).update(state=Deadline.State.CANCELLED, completed_at=timezone.now())
        return None, old
    d.lead_days = d.lead_days if lead_days is None else lead_days
    d.remind_at, d.due_at = date_moments(d.calendar, due, d.lead_days or 0)
    d.due_date = due if not isinstance(due, dt.datetime) else timezone.localtime(due).date()
    d.allowed_minutes = int(WorkingTime.load(d.calendar, d.started_at.date()).minutes_between(d.started_at, d.due_at))
    fields = ["remind_at", "due_at", "due_date", "lead_days", "allowed_minutes", *_reset_levels(d, timezone.now())]
    d.save(update_fields=fields)
    return d, old


def _open(record, stage: str):
    ct = ContentType.objects.get_for_model(record)
    return Deadline.objects.filter(content_type=ct, object_id=record.pk, stage=stage,
                                   state__in=Deadline.OPEN_STATES)


def _outcome(at: dt.datetime):
    """MET when done by the due time, LATE otherwise; a paused clock is judged at its pause."""
    return Case(
        When(state=Deadline.State.PAUSED, paused_at__lte=F("due_at"), then=Value(Deadline.State.MET)),
        When(state=Deadline.State.RUNNING, due_at__gte=at, then=Value(Deadline.State.MET)),
        default=Value(Deadline.State.LATE),
    )


def deadline_complete(*, record, stage: str, at: dt.datetime | None = None) -> int:
    """The stage was done: stop its clock, met on time or completed late."""
    at = at or timezone.now()
    return _open(record, stage).update(state=_outcome(at), completed_at=at)


def deadline_cancel(*, record, stage: str | None = None) -> int:
    ct = ContentType.objects.get_for_model(record)
    qs = Deadline.objects.filter(content_type=ct, object_id=record.pk, state__in=Deadline.OPEN_STATES)
    if stage:
        qs = qs.filter(stage=stage)
    return qs.update(state=Deadline.State.CANCELLED, completed_at=timezone.now())


def deadline_reassign(*, record, stage: str, owner=None, department=None) -> int:
    return _open(record, stage).update(owner=owner, department=department)


def deadline_pause(*, record, stage: str, at: dt.datetime | None = None) -> int:
    """Waiting for the customer stops the clock (SLA-1)."""
    return _open(record, stage).filter(state=Deadline.State.RUNNING).update(
        state=Deadline.State.PAUSED, paused_at=at or timezone.now()
    )


@transaction.atomic  # select_for_update needs a transaction even when the caller has none
def deadline_resume(*, record, stage: str, at: dt.datetime | None = None) -> Deadline | None:
    """Restart a paused clock with the working time that was left when it paused.

    A level whose moment had already passed when the clock paused keeps its moment: an
    overdue stage stays overdue, and a reminder is not moved into the future again. The working
    time spent paused is added to ``paused_minutes`` (what a calendar change recomputes from).
    """
    at = at or timezone.now()
    deadline = _open(record, stage).filter(state=Deadline.State.PAUSED).select_for_update().first()
    if deadline is None:
        return None
    wt = WorkingTime.load(deadline.calendar, min(at, deadline.paused_at).date())
    if deadline.source == Deadline.Source.DATE:
        pass  # a date a person chose does not move while the customer is waited for
    elif deadline.due_at > deadline.paused_at:
        deadline.paused_minutes += wt.minutes_between(deadline.paused_at, at)
        deadline.due_at = wt.add(at, wt.minutes_between(deadline.paused_at, deadline.due_at))
        if deadline.remind_at > deadline.paused_at:
            deadline.remind_at = wt.add(at, wt.minutes_between(deadline.paused_at, deadline.remind_at))
    deadline.state = Deadline.State.RUNNING
    deadline.paused_at = None
    deadline.save(update_fields=["due_at", "remind_at", "state", "paused_at", "paused_minutes"])
    return deadline


def deadline_for(*, record, stage: str) -> Deadline | None:
    return _open(record, stage).first()


def earliest_due(record) -> dt.datetime | None:
    """The due time a record shows: its earliest running deadline (paused ones stand still)."""
    ct = ContentType.objects.get_for_model(record)
    return (Deadline.objects.filter(content_type=ct, object_id=record.pk, state=Deadline.State.RUNNING)
            .order_by("due_at").values_list("due_at", flat=True).first())


# --- notices per stage (declared by the workflow's clocks) ---------------------------------------

# Who a reminder level tells (SLA-2), resolved for a whole batch of deadlines with one query each.
OWNER = "owner"  # the deadline's owner
MANAGERS = "managers"  # the managers of the deadline's department (else of its owner's department)
QUALITY = "quality"  # the quality department's officers and managers
AUDIENCES = (OWNER, MANAGERS, QUALITY)


@dataclass(frozen=True)
class Recipients:
    """The people one level of a clock tells: ``assigned`` when the deadline has an owner,
    ``unassigned`` when nobody owns it yet (a hand-over waiting for the receiving department).

    Never the whole department: a reminder to fifty people is a reminder to no one.
    """

    assigned: tuple[str, ...]
    unassigned: tuple[str, ...]

    def __post_init__(self):
        unknown = set(self.assigned) | set(self.unassigned)
        unknown -= set(AUDIENCES)
        if unknown:
            raise ValueError(f"unknown reminder audiences {sorted(unknown)}; known: {AUDIENCES}")

    def audiences(self, *, owned: bool) -> tuple[str, ...]:
        return self.assigned if owned else self.unassigned


# SLA-2: before the deadline the owner is reminded (nobody owns it: the department's managers, who
# assign the work); at the deadline the owner, the owner's manager and the quality department.
REMIND_OWNER = Recipients(assigned=(OWNER,), unassigned=(MANAGERS,))
ESCALATE = Recipients(assigned=(OWNER, MANAGERS, QUALITY), unassigned=(MANAGERS, QUALITY))


@dataclass(frozen=True)
class StageNotices:
    """What the sweep says for one record type's stage, to whom, and the record field it flags."""

    remind_title: Any = None
    overdue_title: Any = None
    remind_kind: str = "sla_reminder"
    overdue_kind: str = "sla_overdue"
    flag_field: str = ""  # set on the record when its first level fires (e.g. Order.risk_flagged_at)
    remind_to: Recipients = REMIND_OWNER
    escalate_to: Recipients = ESCALATE


_notices: dict[tuple[str, str], StageNotices] = {}


def register_stage_notices(*, record_type: str, stage: str, notices: StageNotices) -> None:
    _notices[(record_type, stage)] = notices


def _notices_for(ct_id: int, stage: str) -> StageNotices:
    ct = ContentType.objects.get_for_id(ct_id)  # cached: no query after the first
    return _notices.get((f"{ct.app_label}.{ct.model}", stage)) or StageNotices()


# --- SLA-2: the sweep ------------------------------------------------------------------------

REMINDER_TITLE = _("Reminder: %(title)s is due at %(due)s")
OVERDUE_TITLE = _("Overdue: %(title)s was due at %(due)s")


def _local(ts: dt.datetime) -> str:
    return timezone.localtime(ts).strftime("%Y-%m-%d %H:%M")


def due_reminders(*, now: dt.datetime):
    """Open deadlines whose reminder level is due and unclaimed; served by deadline_remind_open_idx."""
    return Deadline.objects.filter(
        state=Deadline.State.RUNNING, reminded_at__isnull=True, remind_at__lte=now
    ).order_by("remind_at")


def due_overdue(*, now: dt.datetime):
    """Open deadlines past due whose overdue level is unclaimed; served by deadline_due_open_idx."""
    return Deadline.objects.filter(state=Deadline.State.RUNNING, overdue_at__isnull=True, due_at__lte=now).order_by(
        "due_at"
    )


@dataclass(frozen=True)
class _Level:
    name: str  # the key of the sweep's result
    claim_field: str  # set once: the claim
    due: Any  # now -> the open deadlines whose level is due and unclaimed

    def notices(self, n: StageNotices) -> tuple[str, Any, Recipients]:
        if self.name == "reminded":
            return n.remind_kind, n.remind_title or REMINDER_TITLE, n.remind_to
        return n.overdue_kind, n.overdue_title or OVERDUE_TITLE, n.escalate_to


REMIND = _Level("reminded", "reminded_at", due_reminders)
OVERDUE = _Level("overdue", "overdue_at", due_overdue)


@dataclass(frozen=True)
class _Claimed:
    """A deadline whose level this batch claimed: what its notice needs, read by the claim itself."""

    pk: int
    content_type_id: int
    object_id: int
    stage: str
    title: str
    url: str
    due_at: dt.datetime
    owner_id: int | None
    department_id: int | None


_CLAIMED_COLUMNS = [f.column for f in (Deadline._meta.get_field(name) for name in (
    "id", "content_type", "object_id", "stage", "title", "url", "due_at", "owner", "department"))]


def claim_sql(level: _Level, *, now: dt.datetime, batch: int) -> tuple[str, tuple]:
    """One statement claims up to ``batch`` due levels and returns them.

    The inner SELECT walks the level's partial index in due order and locks its rows with SKIP
    LOCKED: rows another sweep (or a transition) holds are left to it, so two sweeps at once share
    the work instead of queueing; a row whose claim committed meanwhile is re-checked by PostgreSQL
    and no longer matches. The claim is the UPDATE of the level's field from NULL, so each level
    fires once. Built (and run) inside the batch's transaction: FOR UPDATE needs one.
    """
    inner = level.due(now=now).select_for_update(skip_locked=True).values("pk")[:batch]
    inner_sql, inner_params = inner.query.sql_with_params()
    table = connection.ops.quote_name(Deadline._meta.db_table)
    field = connection.ops.quote_name(Deadline._meta.get_field(level.claim_field).column)
    pk = connection.ops.quote_name(Deadline._meta.pk.column)
    returning = ", ".join(connection.ops.quote_name(c) for c in _CLAIMED_COLUMNS)
    return (f"UPDATE {table} SET {field} = %s WHERE {pk} IN ({inner_sql}) RETURNING {returning}",
            (now, *inner_params))


def deadlines_sweep(*, now: dt.datetime | None = None, batch: int | None = None,
                    seconds: float | None = None) -> dict[str, int]:
    """Fire every due reminder level exactly once, a batch of levels per transaction.

    Each batch claims up to ``batch`` due levels with one UPDATE (``claim_sql``), flags their
    records, writes their notifications with one INSERT and, after its commit, hands their e-mails
    to the broker in one message. A worker killed mid-way rolls back its batch (the claims and the
    notifications together) and the next sweep does it again; the batches before it stay done. A
    broker that is down loses nothing: the claims are in the database and the e-mails stay pending
    for their catch-up. Batches follow one another until nothing is due or ``seconds`` (the run's
    time budget, well under beat's minute) are spent; what is left is the next run's. Each level
    has at least one batch per run: a backlog of reminders never holds up the escalations.

    Its cost follows what is due, not what is open: with nothing due it is one indexed query per level.
    """
    now = now or timezone.now()
    batch = batch or getattr(settings, "SLA_SWEEP_BATCH", 1000)
    seconds = getattr(settings, "SLA_SWEEP_SECONDS", 40) if seconds is None else seconds
    started = time.monotonic()
    sent = {REMIND.name: 0, OVERDUE.name: 0}
    people = _People()
    batches = 0
    for level in (REMIND, OVERDUE):
        while True:
            with transaction.atomic():
                claimed, told = _sweep_batch(level, now=now, batch=batch, people=people)
            batches += 1
            sent[level.name] += told
            if claimed < batch or time.monotonic() - started > seconds:
                break
    if sent[REMIND.name] or sent[OVERDUE.name]:
        log.info("deadline sweep: %s in %d batches, %.2f s", sent, batches, time.monotonic() - started)
    return sent


def _sweep_batch(level: _Level, *, now: dt.datetime, batch: int, people: _People) -> tuple[int, int]:
    """Claim one batch of ``level`` and say it; returns (levels claimed, deadlines whose notice was written)."""
    sql, params = claim_sql(level, now=now, batch=batch)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [_Claimed(*row) for row in cursor.fetchall()]
    claimed = len(rows)
    if not rows:
        return 0, 0
    rows = _flag_records(rows, level, now=now)
    if level is REMIND:
        # A reminder whose due time has passed is folded into the escalation: the overdue level
        # says more, and a late reminder on top of it would only add noise.
        rows = [d for d in rows if d.due_at > now]
    notices = []
    people.load(rows, level)
    for d in rows:
        kind, title, recipients = level.notices(_notices_for(d.content_type_id, d.stage))
        notices.append(Notice(recipients=people.of(d, recipients), kind=kind, title=title, url=d.url,
                              params={"title": d.title, "due": _local(d.due_at)}))
    notify_all(notices)
    return claimed, len(rows)


def _flag_records(rows: list[_Claimed], level: _Level, *, now: dt.datetime) -> list[_Claimed]:
    """Set each stage's flag field (e.g. Order.risk_flagged_at) on the records of the batch.

    The engine locks a record and then its deadlines; the sweep holds deadlines already, so it
    takes the records' locks with SKIP LOCKED and never waits: no deadlock is possible. A record
    locked by a transition in progress keeps its deadline unclaimed for the next sweep (the
    transition may complete or move it). Returns the rows still claimed.
    """
    groups: dict[tuple[int, str], list[_Claimed]] = {}
    for d in rows:
        field = _notices_for(d.content_type_id, d.stage).flag_field
        if field:
            groups.setdefault((d.content_type_id, field), []).append(d)
    released: set[int] = set()
    for (ct_id, field), flagged in groups.items():
        manager = ContentType.objects.get_for_id(ct_id).model_class()._default_manager
        ids = {d.object_id for d in flagged}
        locked = set(manager.select_for_update(skip_locked=True).filter(pk__in=ids).values_list("pk", flat=True))
        manager.filter(pk__in=locked, **{f"{field}__isnull": True}).update(**{field: now})
        released |= {d.pk for d in flagged if d.object_id not in locked}
    if not released:
        return rows
    Deadline.objects.filter(pk__in=released).update(**{level.claim_field: None})
    log.info("deadline sweep: %d records busy in a transition; their %s level waits for the next run",
             len(released), level.name)
    return [d for d in rows if d.pk not in released]


class _People:
    """The recipients of a batch, read with one query per audience however many deadlines it has.

    The quality department is read once per run: it is the same for every escalation.
    """

    FIELDS = ("id", "is_active", "language", "email", "department")

    def __init__(self):
        self.owners: dict[int, Any] = {}
        self.managers: dict[int, list] = {}
        self.quality: list | None = None

    def load(self, rows: list[_Claimed], level: _Level) -> None:
        from qsm.org.models import User
        from qsm.org.selectors import managers_of, quality_department_users

        audiences = set()
        for d in rows:
            audiences |= set(level.notices(_notices_for(d.content_type_id, d.stage))[2].audiences(
                owned=d.owner_id is not None))
        if not audiences:
            return
        # The owners are read even when only their managers are told: a deadline without a
        # department escalates to its owner's department.
        wanted = {d.owner_id for d in rows if d.owner_id} - set(self.owners)
        if wanted:
            self.owners.update((u.pk, u) for u in User.objects.filter(pk__in=wanted).only(*self.FIELDS))
        if MANAGERS in audiences:
            departments = {self._department(d) for d in rows} - {None} - set(self.managers)
            if departments:
                for department_id in departments:
                    self.managers[department_id] = []
                for u in managers_of(department_ids=departments).only(*self.FIELDS):
                    self.managers[u.department_id].append(u)
        if QUALITY in audiences and self.quality is None:
            self.quality = list(quality_department_users().only(*self.FIELDS))

    def _department(self, d: _Claimed) -> int | None:
        if d.department_id:
            return d.department_id
        owner = self.owners.get(d.owner_id)
        return owner.department_id if owner else None

    def of(self, d: _Claimed, recipients: Recipients) -> list:
        people = []
        for audience in recipients.audiences(owned=d.owner_id is not None):
            if audience == OWNER:
                people.append(self.owners.get(d.owner_id))
            elif audience == MANAGERS:
                people += self.managers.get(self._department(d), [])
            elif audience == QUALITY:
                people += self.quality or []
        return people


# --- SLA-1: a calendar change moves the running clocks -------------------------------------------

def _recomputed_moments(d: Deadline) -> tuple[dt.datetime, dt.datetime]:
    """(remind_at, due_at) of an open deadline under the calendar as it is now."""
    if d.source == Deadline.Source.DATE:
        return date_moments(d.calendar, d.due_date, d.lead_days or 0)
    wt = WorkingTime.load(d.calendar, d.started_at.date())
    percent = d.policy.remind_at_percent if d.policy else 75
    due_at = wt.add(d.started_at, d.allowed_minutes + d.paused_minutes)
    remind_at = wt.add(d.started_at, d.allowed_minutes * percent / 100 + d.paused_minutes)
    return remind_at, due_at


@transaction.atomic
def deadlines_recompute(*, calendar: WorkCalendar, day: dt.date, actor=None, through: dt.date | None = None) -> int:
    """Recompute the open deadlines of ``calendar`` whose window contains ``day`` (or any day from
    ``day`` to ``through``: a whole year reloaded at once).

    A policy clock is recomputed from its start with its allowed working minutes plus the working
    time it spent paused; a date clock from its date. A paused clock gets the due time it would
    have if it were running (its resume counts from there). Reminder levels whose new moment is
    still ahead fire again. Each record whose due time moved shows it: its ``due_at`` follows and
    its timeline says "due time recomputed after a calendar change: old → new". Returns the number
    of deadlines moved.
    """
    from qsm.workflow.models import Event

    tz = ZoneInfo(settings.TIME_ZONE)
    day_start = dt.datetime.combine(day, dt.time.min, tz)
    last_start = dt.datetime.combine(max(day, through or day), dt.time.min, tz) + dt.timedelta(days=1)
    candidates = Deadline.objects.filter(calendar=calendar, state__in=Deadline.OPEN_STATES,
                                         started_at__lt=last_start)
    # A running clock due before the changed day is untouched; a paused one may still run into it.
    candidates = candidates.filter(Q(state=Deadline.State.PAUSED) | Q(due_at__gte=day_start)
                                   | Q(source=Deadline.Source.DATE))
    # Lock order as in the engine (record, then its deadlines), so a transition fired meanwhile
    # cannot deadlock with this.
    by_type: dict[int, set[int]] = {}
    for ct_id, object_id in candidates.values_list("content_type_id", "object_id"):
        by_type.setdefault(ct_id, set()).add(object_id)
    for ct_id, ids in sorted(by_type.items()):
        model = ContentType.objects.get_for_id(ct_id).model_class()
        list(model._default_manager.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    now = timezone.now()
    moved = 0
    records: dict[tuple[int, int], list[tuple[Deadline, dt.datetime]]] = {}
    for d in candidates.select_related("policy", "calendar").select_for_update(of=("self",)).order_by("pk"):
        remind_at, due_at = _recomputed_moments(d)
        if (remind_at, due_at) == (d.remind_at, d.due_at):
            continue
        old = d.due_at
        d.remind_at, d.due_at = remind_at, due_at
        d.save(update_fields=["remind_at", "due_at", *_reset_levels(d, now)])
        records.setdefault((d.content_type_id, d.object_id), []).append((d, old))
        moved += 1
    for (ct_id, object_id), changes in records.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if any(f.name == "due_at" for f in model._meta.concrete_fields):
            model._default_manager.filter(pk=object_id).update(due_at=(
                Deadline.objects.filter(content_type_id=ct_id, object_id=object_id, state=Deadline.State.RUNNING)
                .order_by("due_at").values_list("due_at", flat=True).first()))
        for d, old in changes:
            Event.objects.create(
                content_type_id=ct_id, object_id=object_id, kind=Event.Kind.EDIT, action="due_recomputed",
                actor=actor, comment=gettext("Due time recomputed after a calendar change"),
                changes=[{"field": "due_at", "label": gettext("due time (%(stage)s)") % {
                    "stage": d.stage}, "old": _local(old), "new": _local(d.due_at)}],
            )
    return moved


@transaction.atomic
def calendar_day_set(*, calendar: WorkCalendar, date: dt.date, kind: str, name: str = "", actor=None) -> CalendarDay:
    """Add or change a holiday / make-up workday (a late announcement) and move the clocks it affects."""
    day, _created = CalendarDay.objects.update_or_create(calendar=calendar, date=date, defaults={
        "kind": kind, "name": name[:100], "source": CalendarDay.Source.MANUAL})
    deadlines_recompute(calendar=calendar, day=date, actor=actor)
    return day


@transaction.atomic
def calendar_day_save(*, day: CalendarDay, old_date: dt.date | None = None, actor=None) -> CalendarDay:
    """The admin's save of a calendar day (its date may have changed: both days are recomputed).

    A day saved by a person is entered by hand from then on: no load overwrites it."""
    day.source = CalendarDay.Source.MANUAL
    day.save()
    for changed in {day.date, old_date} - {None}:
        deadlines_recompute(calendar=day.calendar, day=changed, actor=actor)
    return day


@transaction.atomic
def calendar_day_delete(*, day: CalendarDay, actor=None) -> None:
    calendar, date = day.calendar, day.date
    day.delete()
    deadlines_recompute(calendar=calendar, day=date, actor=actor)


# --- SLA-1: the calendar loaded from the `holidays` package --------------------------------------

@dataclass(frozen=True)
class CalendarLoad:
    """What a load of one year did."""

    year: int
    source: str  # CalendarDay.Source of the loaded rows
    added: int = 0
    changed: int = 0
    removed: int = 0
    kept_by_hand: int = 0  # days entered by hand that the package would have set differently

    @property
    def touched(self) -> int:
        return self.added + self.changed + self.removed


@transaction.atomic
def calendar_year_load(*, calendar: WorkCalendar, year: int, replace: bool = False, actor=None) -> CalendarLoad:
    """Load ``year`` into ``calendar`` from the installed `holidays` package (qsm.sla.cn_calendar).

    Days entered by hand are never touched. Without ``replace`` (the daily pre-load) a year is
    loaded only when none of its days came from the package yet. With ``replace`` (the reload a
    person asks for when the package brings the official notice) the year's package days become
    exactly the package's: days it no longer has are removed, changed ones updated, new ones added.
    The running clocks over the changed days are recomputed, as after an edit in the admin.
    """
    from .cn_calendar import package_year

    calendar = WorkCalendar.objects.select_for_update().get(pk=calendar.pk)  # one load at a time
    package = package_year(year)
    source = CalendarDay.Source.OFFICIAL if package.official else CalendarDay.Source.ESTIMATE
    existing = {d.date: d for d in CalendarDay.objects.filter(calendar=calendar, date__year=year)}
    by_hand = {day for day, row in existing.items() if row.source == CalendarDay.Source.MANUAL}
    loaded = {day: row for day, row in existing.items() if day not in by_hand}
    wanted = package.days()
    kept = sum(1 for day in by_hand if day in wanted and wanted[day][0] != existing[day].kind)
    if loaded and not replace:
        return CalendarLoad(year=year, source=source, kept_by_hand=kept)
    added, changed, removed = [], [], []
    for day, (kind, name) in sorted(wanted.items()):
        if day in by_hand:
            continue
        row = loaded.get(day)
        if row is None:
            added.append(CalendarDay(calendar=calendar, date=day, kind=kind, name=name, source=source))
        elif (row.kind, row.name, row.source) != (kind, name, source):
            row.kind, row.name, row.source = kind, name, source
            changed.append(row)
    removed = [row for day, row in loaded.items() if day not in wanted]
    CalendarDay.objects.bulk_create(added)
    CalendarDay.objects.bulk_update(changed, ["kind", "name", "source"])
    CalendarDay.objects.filter(pk__in=[row.pk for row in removed]).delete()
    moved_days = [row.date for row in (*added, *changed, *removed)]
    if moved_days:
        deadlines_recompute(calendar=calendar, day=min(moved_days), through=max(moved_days), actor=actor)
        log.info("calendar %s: %s loaded from the holidays package (%s): %d added, %d changed, %d removed",
                 calendar.name, year, source, len(added), len(changed), len(removed))
    return CalendarLoad(year=year, source=source, added=len(added), changed=len(changed), removed=len(removed),
                        kept_by_hand=kept)


def calendar_reload(*, year: int, actor, today: dt.date | None = None) -> CalendarLoad:
    """The one-click reload (SLA-1): this year or next of the default calendar becomes the package's
    (the official notice when it has it). Only for those with ``sla.reload_calendar``."""
    from django.core.exceptions import PermissionDenied, ValidationError

    if not actor.has_perm("sla.reload_calendar"):
        raise PermissionDenied(gettext("You are not allowed to reload the working calendar."))
    today = today or timezone.localdate()
    if year not in (today.year, today.year + 1):
        raise ValidationError(gettext("Only this year and next year can be reloaded."))
    return calendar_year_load(calendar=default_calendar(), year=year, replace=True, actor=actor)
