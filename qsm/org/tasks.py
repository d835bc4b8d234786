"""The password-reset e-mail, sent on the `mail` queue (CELERY_TASK_ROUTES)."""
from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail


@shared_task(name="qsm.org.tasks.send_password_reset_email")
def send_password_reset_email(*, subject: str, body: str, to: str) -> int:
    # The link inside expires by itself (PASSWORD_RESET_TIMEOUT); a lost e-mail is asked for again.
    return send_mail(subject, body, None, [to])
