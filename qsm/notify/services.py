"""NTF-1 writes. Notifications are rows written in the caller's transaction; e-mail goes out
after commit through Celery (its own `mail` queue), so a rolled-back action tells no one, a
request never waits for SMTP and the clocks never wait for mail. A beat sweep re-sends
anything whose hand-off to the broker or whose send failed.

E-mail is delivered **at least once**, not exactly once: a sender that dies after the mail
server accepted a message, but before it recorded that, leaves the e-mail to be sent again once
its claim lapses. Every e-mail of one notification carries the same Message-ID, so a repeat is
recognisable as the same message (mail clients and servers drop duplicates by it).

No transaction and no row lock is held across the network: an e-mail is claimed in one short
transaction, sent with none open (every SMTP operation bounded by EMAIL_TIMEOUT), and marked
sent in another.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import BadHeaderError, EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation

from .kinds import kinds
from .models import Notification

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """One message to some people, as ``notify`` takes it; ``notify_all`` writes many at once.

    The kind must be registered (``qsm.notify.kinds.register_kind``): the admin names it and the
    API publishes the codes as an enum (API-2), so a stray code is a programming error, refused
    before anything is written.
    """

    recipients: Iterable
    kind: str
    title: Any
    body: Any = ""
    params: dict[str, Any] | None = None
    url: str = ""
    email: bool = True
    exclude: Any = None

    def __post_init__(self):
        if self.kind not in kinds():
            raise ValueError(f"notification kind {self.kind!r} is not registered (qsm.notify.kinds.register_kind)")


def notify(*, recipients: Iterable, kind: str, title, body="", params: dict[str, Any] | None = None,
           url: str = "", email: bool = True, exclude=None) -> list[Notification]:
    """Tell each recipient once, in their own language.

    ``title`` and ``body`` are lazy translatable strings with ``%(name)s`` placeholders.
    """
    notice = Notice(recipients=recipients, kind=kind, title=title, body=body, params=params, url=url, email=email,
                    exclude=exclude)
    rows = [Notification(recipient=user, kind=kind, title=title, body=body, url=url, email_wanted=wanted)
            for user, kind, title, body, url, wanted in _rendered([notice])]
    created = Notification.objects.bulk_create(rows)
    _enqueue_on_commit([n.pk for n in created if n.email_wanted])
    return created


def notify_all(notices: Iterable[Notice]) -> int:
    """Write the notifications of many notices with one INSERT, and hand all their e-mails to the
    broker in one message after commit (a sweep's batch: not one message per reminder). Returns
    how many were written.

    The same rows as ``notify`` writes, without a model instance per row: a batch of escalations
    is tens of thousands of rows (PERF-1).
    """
    rows = list(_rendered(notices))
    if not rows:
        return 0
    users, kinds, titles, bodies, urls, wanted = zip(*rows, strict=True)
    table = Notification._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(table)} "
            "(recipient_id, kind, title, body, url, email_wanted, created_at) "
            "SELECT recipient_id, kind, title, body, url, email_wanted, %s FROM unnest("
            "%s::bigint[], %s::varchar[], %s::varchar[], %s::text[], %s::varchar[], %s::boolean[]) "
            "AS row(recipient_id, kind, title, body, url, email_wanted) RETURNING id, email_wanted",
            [timezone.now(), [u.pk for u in users], list(kinds), list(titles), list(bodies), list(urls), list(wanted)],
        )
        _enqueue_on_commit([pk for pk, email_wanted in cursor.fetchall() if email_wanted])
    return len(rows)


def _rendered(notices: Iterable[Notice]):
    """(recipient, kind, title, body, url, email wanted) of each notification the notices make.

    Each recipient is told once per notice, in their own language; each text is translated once
    per language, not once per row. Recipients need only ``pk``, ``is_active``, ``language`` and
    ``email`` (a sweep loads no more).
    """
    texts: dict[tuple[int, str], str] = {}  # (id of the lazy text, language) -> the translated text

    def translated(text, language: str) -> str:
        key = (id(text), language)  # the notices keep every text alive while this runs
        if key not in texts:
            with translation.override(language):
                texts[key] = str(text)
        return texts[key]

    for notice in notices:
        params = notice.params or {}
        seen = set()
        for user in notice.recipients:
            if (user is None or user.pk in seen or not user.is_active
                    or (notice.exclude is not None and user.pk == notice.exclude.pk)):
                continue
            seen.add(user.pk)
            language = user.language or settings.LANGUAGE_CODE
            yield (user, notice.kind, (translated(notice.title, language) % params)[:300],
                   translated(notice.body, language) % params if notice.body else "", notice.url,
                   notice.email and bool(user.email))


def _enqueue_on_commit(ids: list[int]) -> None:
    if ids:
        transaction.on_commit(lambda: _enqueue_emails(ids))


def _enqueue_emails(ids: list[int]) -> None:
    from .tasks import send_notification_emails

    try:
        send_notification_emails.delay(ids)
    except Exception:  # broker down: the pending-mail sweep sends them later
        log.warning("could not enqueue notification e-mails (%d: %s ...); the sweep will retry", len(ids), ids[:10],
                    exc_info=True)


def notification_emails_send(*, ids: Iterable[int]) -> int:
    """Send each notification's e-mail (at least once: see the module docstring); returns how
    many were sent. A mail server that is down or does not answer ends the batch: what is left
    stays pending for the catch-up sweep."""
    sent = 0
    connection = get_connection()
    opened = False
    try:
        for pk in ids:
            message = _claim(pk)
            if message is None:
                continue  # sent already, given up, or another sender holds a live claim
            if not opened:
                try:
                    connection.open()  # one SMTP session for the batch, opened only when needed
                except Exception:
                    # Down, silent, or refusing us (greeting, TLS, login): every other e-mail of
                    # the batch would meet the same. Leave them all to the catch-up sweep.
                    _release(pk)
                    log.warning("could not reach the mail server; the sweep will retry notification %s "
                                "and the rest of the batch", pk, exc_info=True)
                    break
                opened = True
            try:
                delivered = connection.send_messages([message])
            except _PERMANENT_FAILURES:
                # This address will never take it: stop trying, or the catch-up would retry it
                # forever. The in-app notification stays; only its e-mail is given up.
                log.error("gave up e-mailing notification %s: the address is refused", pk, exc_info=True)
                Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(email_wanted=False)
            except smtplib.SMTPResponseException:
                # The server answered and refused this one message for now (e.g. 451): the
                # others may still go through.
                _release(pk)
                log.warning("could not e-mail notification %s; the sweep will retry", pk, exc_info=True)
            except (OSError, SoftTimeLimitExceeded):
                # No answer, refused or dropped connection, or the task ran out of time: the rest
                # of the batch would wait as long each. Leave it all to the catch-up sweep.
                _release(pk)
                log.warning("the mail server failed on notification %s; the sweep will retry this "
                            "and the rest of the batch", pk, exc_info=True)
                break
            else:
                if delivered == 0:  # no address left to send it to (removed since): nothing to retry
                    Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(email_wanted=False)
                    continue
                Notification.objects.filter(pk=pk).update(emailed_at=timezone.now())
                sent += 1
    finally:
        if opened:
            try:
                connection.close()
            except Exception:  # closing a broken session must not hide what happened
                log.debug("closing the SMTP connection failed", exc_info=True)
    return sent


# Failures that sending again cannot fix, unlike a server that is down: a malformed address
# (the SMTP backend raises ValueError for it, the locmem/console ones BadHeaderError) or one the
# server refuses.
_PERMANENT_FAILURES = (BadHeaderError, ValueError, smtplib.SMTPRecipientsRefused)


def email_claim_lease() -> timedelta:
    """How long a claim keeps other senders off an e-mail. Longer than a mail task may run (its
    hard time limit), so a live sender never sees its claim taken over."""
    return timedelta(seconds=settings.NOTIFY_EMAIL_CLAIM_SECONDS)


def pending_email_ids(*, older_than: timedelta, limit: int = 500) -> list[int]:
    """E-mails still to send: never sent, not given up, and not claimed by a live sender."""
    now = timezone.now()
    return list(
        Notification.objects.filter(email_wanted=True, emailed_at__isnull=True, created_at__lte=now - older_than)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - email_claim_lease()))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def message_id(pk: int) -> str:
    """The same Message-ID every time this notification is e-mailed: a repeat is the same message."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    return f"<qsm-notification-{pk}@{domain}>"


def _claim(pk: int) -> EmailMessage | None:
    """Claim one e-mail in a short transaction of its own and build it; None if not ours to send.

    The conditional UPDATE is the claim: of two senders racing, the second matches no row. A
    claim older than the lease is taken over (its sender died or was killed).
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            Notification.objects.filter(pk=pk, email_wanted=True, emailed_at__isnull=True)
            .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - email_claim_lease()))
            .update(email_claimed_at=now)
        )
        if not claimed:
            return None
        n = Notification.objects.select_related("recipient").get(pk=pk)
        if not n.recipient.email:  # the address was removed since: nothing to send, nothing to retry
            Notification.objects.filter(pk=pk).update(email_wanted=False, email_claimed_at=None)
            return None
    link = f"{settings.SITE_URL.rstrip('/')}{n.url}" if n.url else ""
    return EmailMessage(
        subject=f"[QSM] {n.title}",
        body="\n\n".join(part for part in (n.body or n.title, link) if part),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[n.recipient.email],
        headers={"Message-ID": message_id(n.pk)},
    )


def _release(pk: int) -> None:
    """Give a claim back after a failed send, so the catch-up sweep tries again."""
    Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(email_claimed_at=None)


def notification_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
