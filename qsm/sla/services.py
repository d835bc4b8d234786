"""SLA-1/SLA-2 writes: start, complete, pause and resume a stage's clock; the reminder sweep."""
from __future__ import annotations

import datetime as dt
import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qsm.notify.services import notify
from qsm.org.selectors import department_managers, quality_department_users

from .calendar import WorkingTime, default_calendar
from .models import Deadline, SlaPolicy

log = logging.getLogger(__name__)


def sla_policy_for(*, record_type: str, stage: str, channel: str = "", priority: str = "") -> SlaPolicy | None:
    """The most specific active policy: exact channel and priority beat the blank (any) ones."""
    candidates = SlaPolicy.objects.filter(
        Q(channel=channel) | Q(channel=""), Q(priority=priority) | Q(priority=""),
        record_type=record_type, stage=stage, is_active=True,
    ).select_related("calendar")
    best = sorted(candidates, key=lambda p: (p.channel == "", p.priority == ""))
    return best[0] if best else None


def deadline_start(*, record, stage: str, title: str, owner=None, department=None, channel: str = "",
                   priority: str = "", start: dt.datetime | None = None, url: str = "") -> Deadline | None:
    """Start the clock for ``stage`` on ``record``; None when no policy covers it."""
    ct = ContentType.objects.get_for_model(record)
    policy = sla_policy_for(record_type=f"{ct.app_label}.{ct.model}", stage=stage, channel=channel, priority=priority)
    if policy is None:
        log.info("no SLA policy for %s.%s/%s", ct.app_label, ct.model, stage)
        return None
    calendar = policy.calendar or default_calendar()
    start = start or timezone.now()
    wt = WorkingTime.load(calendar, start.date())
    # Starting a stage that is still open restarts its clock: the old one is cancelled rather
    # than tripping the one-open-deadline-per-stage constraint inside the caller's transaction.
    restarted = _open(record, stage).update(state=Deadline.State.CANCELLED, completed_at=start)
    if restarted:
        log.info("restarted the %s clock of %s.%s #%s", stage, ct.app_label, ct.model, record.pk)
    return Deadline.objects.create(
        content_type=ct,
        object_id=record.pk,
        stage=stage,
        policy=policy,
        calendar=calendar,
        title=title[:200],
        url=url or (record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""),
        owner=owner,
        department=department,
        started_at=start,
        allowed_minutes=policy.working_minutes,
        remind_at=wt.add(start, policy.working_minutes * policy.remind_at_percent / 100),
        due_at=wt.add(start, policy.working_minutes),
    )


def _open(record, stage: str):
    ct = ContentType.objects.get_for_model(record)
    return Deadline.objects.filter(content_type=ct, object_id=record.pk, stage=stage,
                                   state__in=[Deadline.State.RUNNING, Deadline.State.PAUSED])


def deadline_complete(*, record, stage: str, at: dt.datetime | None = None) -> int:
    """The stage was done: stop its clock (late or not is kept: completed_at vs due_at)."""
    return _open(record, stage).update(state=Deadline.State.MET, completed_at=at or timezone.now())


def deadline_cancel(*, record, stage: str | None = None) -> int:
    ct = ContentType.objects.get_for_model(record)
    qs = Deadline.objects.filter(content_type=ct, object_id=record.pk,
                                 state__in=[Deadline.State.RUNNING, Deadline.State.PAUSED])
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
    overdue stage stays overdue, and a reminder is not moved into the future again.
    """
    at = at or timezone.now()
    deadline = _open(record, stage).filter(state=Deadline.State.PAUSED).select_for_update().first()
    if deadline is None:
        return None
    wt = WorkingTime.load(deadline.calendar, min(at, deadline.paused_at).date())
    if deadline.due_at > deadline.paused_at:
        deadline.due_at = wt.add(at, wt.minutes_between(deadline.paused_at, deadline.due_at))
    if deadline.remind_at > deadline.paused_at:
        deadline.remind_at = wt.add(at, wt.minutes_between(deadline.paused_at, deadline.remind_at))
    deadline.state = Deadline.State.RUNNING
    deadline.paused_at = None
    deadline.save(update_fields=["due_at", "remind_at", "state", "paused_at"])
    return deadline


def deadline_for(*, record, stage: str) -> Deadline | None:
    return _open(record, stage).first()


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


def deadlines_sweep(*, now: dt.datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Fire every due reminder level exactly once.

    Each level is claimed by a conditional UPDATE in its own transaction together with the
    notifications it creates: when two sweeps race, PostgreSQL makes the second one re-check
    the WHERE clause after the first commits, so it claims nothing. A worker killed mid-way
    rolls back both the claim and the notifications, and the next sweep does it again.
    """
    now = now or timezone.now()
    sent = {"reminded": 0, "overdue": 0}
    for pk in list(due_reminders(now=now).values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            if not Deadline.objects.filter(pk=pk, state=Deadline.State.RUNNING, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            d = Deadline.objects.select_related("owner", "department").get(pk=pk)
            if d.due_at <= now:
                continue  # the overdue level below says more; a late reminder would only add noise
            recipients = [d.owner] if d.owner else list(_department_people(d))
            notify(recipients=recipients, kind="sla_reminder", title=REMINDER_TITLE,
                   params={"title": d.title, "due": _local(d.due_at)}, url=d.url)
            sent["reminded"] += 1
    quality: list | None = None  # the same people for every escalation of this run: one query
    for pk in list(due_overdue(now=now).values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            if not Deadline.objects.filter(pk=pk, state=Deadline.State.RUNNING, overdue_at__isnull=True).update(
                overdue_at=now
            ):
                continue
            d = Deadline.objects.select_related("owner", "department", "owner__department").get(pk=pk)
            department = d.department or (d.owner.department if d.owner else None)
            if quality is None:
                quality = list(quality_department_users())
            recipients = [d.owner, *department_managers(department=department), *quality]
            notify(recipients=recipients, kind="sla_overdue", title=OVERDUE_TITLE,
                   params={"title": d.title, "due": _local(d.due_at)}, url=d.url)
            sent["overdue"] += 1
    return sent


def _department_people(d: Deadline):
    from qsm.org.models import User

    if d.department_id is None:
        return User.objects.none()
    return User.objects.filter(department_id=d.department_id, is_active=True)
