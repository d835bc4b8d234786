"""NTF-1 writes. Notifications are rows written in the caller's transaction; e-mail goes out
after commit through Celery, so a rolled-back action tells no one and a request never waits
for SMTP. A beat sweep re-sends anything whose hand-off to the broker failed."""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import BadHeaderError, send_mail
from django.db import transaction
from django.utils import timezone, translation

from .models import Notification

log = logging.getLogger(__name__)


def notify(*, recipients: Iterable, kind: str, title, body="", params: dict[str, Any] | None = None,
           url: str = "", email: bool = True, exclude=None) -> list[Notification]:
    """Tell each recipient once, in their own language.

    ``title`` and ``body`` are lazy translatable strings with ``%(name)s`` placeholders.
    """
    params = params or {}
    seen = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or (exclude is not None and user.pk == exclude.pk) or not user.is_active:
            continue
        seen.add(user.pk)
        with translation.override(user.language or settings.LANGUAGE_CODE):
            rows.append(
                Notification(
                    recipient=user,
                    kind=kind,
                    title=(str(title) % params)[:300],
                    body=str(body) % params if body else "",
                    url=url,
                    email_wanted=email and bool(user.email),
                )
            )
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.email_wanted]
    if ids:
        transaction.on_commit(lambda: _enqueue_emails(ids))
    return created


def _enqueue_emails(ids: list[int]) -> None:
    from .tasks import send_notification_emails

    try:
        send_notification_emails.delay(ids)
    except Exception:  # broker down: the pending-mail sweep sends them later
        log.warning("could not enqueue notification e-mails %s; the sweep will retry", ids, exc_info=True)


def notification_emails_send(*, ids: Iterable[int]) -> int:
    """Send each notification's e-mail exactly once; returns how many were sent."""
    sent = 0
    for pk in ids:
        try:
            sent += _email_one(pk)
        except _PERMANENT_FAILURES:
            # This address will never take it: stop trying, or the catch-up would retry it forever.
            # The in-app notification stays; only its e-mail is given up.
            log.error("gave up e-mailing notification %s: the address is refused", pk, exc_info=True)
            Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(email_wanted=False)
        except Exception:
            # The claim rolled back with the failed send: the pending-mail sweep tries again, and
            # an SMTP hiccup for one recipient does not hold back the others.
            log.warning("could not e-mail notification %s; the sweep will retry", pk, exc_info=True)
    return sent


# Failures that sending again cannot fix, unlike a server that is down: a malformed address
# (the SMTP backend raises ValueError for it, the locmem/console ones BadHeaderError) or one the
# server refuses.
_PERMANENT_FAILURES = (BadHeaderError, ValueError, smtplib.SMTPRecipientsRefused)


@transaction.atomic
def _email_one(pk: int) -> int:
    # Claim first, in the same transaction as the send: a second worker running the same
    # message waits on the row lock, then finds nothing to claim.
    claimed = Notification.objects.filter(pk=pk, email_wanted=True, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return 0
    n = Notification.objects.select_related("recipient").get(pk=pk)
    link = f"{settings.SITE_URL.rstrip('/')}{n.url}" if n.url else ""
    send_mail(
        subject=f"[QSM] {n.title}",
        message="\n\n".join(part for part in (n.body or n.title, link) if part),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[n.recipient.email],
    )
    return 1


def notification_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
