from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils import timezone

from .models import Deadline


def deadlines_of(record):
    ct = ContentType.objects.get_for_model(record)
    return Deadline.objects.filter(content_type=ct, object_id=record.pk).order_by("started_at", "id")


def time_left(due_at, now=None):
    """Signed seconds until ``due_at`` (negative: overdue)."""
    if due_at is None:
        return None
    return (due_at - (now or timezone.now())).total_seconds()


def sla_met_rate(deadlines) -> float | None:
    """Share of the completed ``deadlines`` that were met on time (0..1); None when none completed.

    The KPIs count SLA-met rates from this (per module: filter by content type / stage first);
    cancelled and still open deadlines do not count. One aggregate query.
    """
    counts = deadlines.aggregate(
        met=Count("pk", filter=Q(state=Deadline.State.MET)),
        done=Count("pk", filter=Q(state__in=Deadline.DONE_STATES)),
    )
    return counts["met"] / counts["done"] if counts["done"] else None
