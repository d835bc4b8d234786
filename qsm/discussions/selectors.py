"""Reads of discussions, their notes and solutions."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from .models import Discussion, DiscussionNote, Solution


def discussion_of(record: models.Model) -> Discussion | None:
    """The record's discussion (prefetched ``discussions`` are used when present), or None."""
    cache = getattr(record, "_prefetched_objects_cache", {})
    for rows in cache.values():
        if rows.model is Discussion:
            found = list(rows)
            return found[0] if found else None
    return (Discussion.objects.select_related("opened_by")
            .filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk).first())


def discussion_notes(discussion: Discussion) -> QuerySet[DiscussionNote]:
    return DiscussionNote.objects.filter(discussion=discussion).select_related("author")


def solutions_of(record: models.Model) -> QuerySet[Solution]:
    """The record's solutions, newest version first."""
    discussion = discussion_of(record)
    if discussion is None:
        return Solution.objects.none()
    return discussion.solutions.all()


def discussion_prefetch(relation: str) -> models.Prefetch:
    """The prefetch a record page uses for its ``GenericRelation(Discussion)``: the discussion, who opened
    it, and its solutions with their authors and products."""
    return models.Prefetch(relation, queryset=Discussion.objects.select_related("opened_by").prefetch_related(
        models.Prefetch("solutions", queryset=Solution.objects.select_related("created_by").prefetch_related("products")),
    ))


def discussion_detail(discussion: Discussion) -> Discussion:
    discussion.loaded_departments = list(discussion.invited_departments.order_by("name"))
    discussion.loaded_users = list(discussion.invited_users.order_by("username"))
    discussion.loaded_notes = list(discussion_notes(discussion))
    return discussion
