"""Reads of the customer contact log."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from .models import ContactEntry


def contact_log(record: models.Model) -> QuerySet[ContactEntry]:
    """A record's contact log, oldest first, with the people it names (one query)."""
    return ContactEntry.objects.filter(content_type=ContentType.objects.get_for_model(record),
                                       object_id=record.pk).select_related("recorded_by", "answered_by")


def contact_prefetch(relation: str) -> models.Prefetch:
    """The prefetch a record page or list uses for its ``GenericRelation(ContactEntry)``."""
    return models.Prefetch(relation, queryset=ContactEntry.objects.select_related("recorded_by", "answered_by"))
