"""Thin tasks over the notify services. Both send e-mail, so CELERY_TASK_ROUTES puts them on the
`mail` queue: a mail server that does not answer never delays a deadline sweep."""
from datetime import timedelta

from celery import shared_task

from .services import notification_emails_send, pending_email_ids


@shared_task(name="qsm.notify.tasks.send_notification_emails")
def send_notification_emails(ids: list[int]) -> int:
    return notification_emails_send(ids=ids)


@shared_task(name="qsm.notify.tasks.send_pending_emails")
def send_pending_emails() -> int:
    """Catch-up for e-mails whose hand-off to the broker or whose send failed, and for those of a
    sender that died with its claim (NTF-1: none lost; delivered at least once). It reads what is
    pending from the database, so it recovers without the broker giving a message back."""
    # Two minutes' grace: the task enqueued on commit normally sends a new e-mail first.
    return notification_emails_send(ids=pending_email_ids(older_than=timedelta(minutes=2)))
