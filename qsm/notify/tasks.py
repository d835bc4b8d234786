from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import Notification
from .services import notification_emails_send


@shared_task(name="qsm.notify.tasks.send_notification_emails")
def send_notification_emails(ids: list[int]) -> int:
    return notification_emails_send(ids=ids)


@shared_task(name="qsm.notify.tasks.send_pending_emails")
def send_pending_emails() -> int:
    """Catch-up for e-mails whose hand-off to the broker failed (NTF-1: none lost)."""
    cutoff = timezone.now() - timedelta(minutes=2)
    ids = list(
        Notification.objects.filter(email_wanted=True, emailed_at__isnull=True, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
    return notification_emails_send(ids=ids)
