"""Reads of the follow-up queue."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from .models import FollowUp


def follow_up_of(record) -> FollowUp | None:
    """The record's latest follow-up row (waiting or scheduled), or None."""
    ct = ContentType.objects.get_for_model(record)
    return FollowUp.objects.filter(content_type=ct, object_id=record.pk).order_by("-created_at", "-id").first()


def _of_model(model):
    # Joined by name inside the subquery rather than by a looked-up id: a cold ContentType cache
    # would otherwise add a query to a list whose cost must not vary.
    return FollowUp.objects.filter(content_type__app_label=model._meta.app_label,
                                   content_type__model=model._meta.model_name, object_id=OuterRef("pk"))


def waiting_follow_up(model) -> Exists:
    """An ``Exists`` for annotating/filtering a queryset of ``model``: a visit is due, not yet planned."""
    return Exists(_of_model(model).filter(consumed_at__isnull=True))


def follow_up_waiting(record) -> bool:
    ct = ContentType.objects.get_for_model(record)
    return FollowUp.objects.filter(content_type=ct, object_id=record.pk, consumed_at__isnull=True).exists()


def with_follow_up(queryset: QuerySet) -> QuerySet:
    """Annotate, in the list's or page's one query: ``visit_due_now`` (a visit waits in the queue) and
    ``visit_scheduled_at`` (when the scheduler took the latest one, or None)."""
    latest = _of_model(queryset.model).order_by("-created_at", "-id")
    return queryset.annotate(visit_due_now=waiting_follow_up(queryset.model),
                             visit_scheduled_at=Subquery(latest.values("consumed_at")[:1]))
