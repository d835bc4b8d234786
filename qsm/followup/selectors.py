"""Reads of the follow-up queue."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from qsm.visibility import Probe

from .models import FollowUp


def follow_up_of(record) -> FollowUp | None:
    """The record's latest follow-up row (waiting or scheduled), or None."""
    ct = ContentType.objects.get_for_model(record)
    return FollowUp.objects.filter(content_type=ct, object_id=record.pk).order_by("-created_at", "-id").first()


def _of_model(model):
    # By the content type's id (a process reads it once and keeps it), served by the
    # (content_type, object_id) index. Joined by name, PostgreSQL turned the EXISTS below into a
    # hash of every waiting follow-up of every record type, built per list page (190 ms at 300,000
    # orders with 262,000 waiting follow-ups: more than the rest of the page together).
    content_type = ContentType.objects.get_for_model(model)
    return FollowUp.objects.filter(content_type_id=content_type.pk, object_id=OuterRef("pk"))


def waiting_follow_up(model) -> Exists:
    """An EXISTS probed per row for annotating/filtering a queryset of ``model``: a visit is due, not
    yet planned. A probe (qsm.visibility.Probe), never a hash of the whole queue."""
    return Probe(_of_model(model).filter(consumed_at__isnull=True))


def follow_up_waiting(record) -> bool:
    ct = ContentType.objects.get_for_model(record)
    return FollowUp.objects.filter(content_type=ct, object_id=record.pk, consumed_at__isnull=True).exists()


def with_follow_up(queryset: QuerySet) -> QuerySet:
    """Annotate, in the list's or page's one query: ``visit_due_now`` (a visit waits in the queue) and
    ``visit_scheduled_at`` (when the scheduler took the latest one, or None)."""
    latest = _of_model(queryset.model).order_by("-created_at", "-id")
    return queryset.annotate(visit_due_now=waiting_follow_up(queryset.model),
                             visit_scheduled_at=Subquery(latest.values("consumed_at")[:1]))
