"""Writes of the follow-up queue."""
from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from .models import FollowUp


def follow_up_request(record, reason: str, due_at, *, customer=None, department=None) -> FollowUp:
    """Queue a follow-up visit for ``record``. Idempotent per record and reason: the first request
    wins and a repeat returns the existing row."""
    ct = ContentType.objects.get_for_model(record)
    try:
        with transaction.atomic():
            follow_up, _created = FollowUp.objects.get_or_create(
                content_type=ct, object_id=record.pk, reason=reason,
                defaults={"due_at": due_at, "customer": customer, "department": department})
    except IntegrityError:  # a concurrent request inserted it first
        follow_up = FollowUp.objects.get(content_type=ct, object_id=record.pk, reason=reason)
    return follow_up


def follow_up_claim_due(*, now, limit: int = 100, reasons: Iterable[str] | None = None,
                        exclude: Iterable[int] = ()) -> list[FollowUp]:
    """Claim up to ``limit`` waiting rows due by ``now`` for the visit scheduler.

    Must run inside the scheduler's transaction: the rows are locked (SKIP LOCKED, so two workers
    never claim one row) and marked consumed; if planning the visits fails, the rollback puts them
    back in the queue. ``reasons``: claim only rows of these reasons (those the scheduler can plan);
    the others stay waiting, untouched. ``exclude``: rows (ids) this run already found it cannot
    plan, so that they do not hold up the rows behind them.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("follow_up_claim_due must run inside transaction.atomic()")
    waiting = FollowUp.objects.select_for_update(skip_locked=True).filter(consumed_at__isnull=True, due_at__lte=now)
    if reasons is not None:
        reasons = list(reasons)
        if not reasons:
            return []
        waiting = waiting.filter(reason__in=reasons)
    exclude = list(exclude)
    if exclude:
        waiting = waiting.exclude(pk__in=exclude)
    rows = list(waiting.order_by("due_at", "id")[:limit])
    if rows:
        FollowUp.objects.filter(pk__in=[r.pk for r in rows]).update(consumed_at=now)
        for r in rows:
            r.consumed_at = now
    return rows
