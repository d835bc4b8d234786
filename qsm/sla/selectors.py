from django.contrib.contenttypes.models import ContentType
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
