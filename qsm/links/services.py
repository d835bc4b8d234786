"""Issue, check, consume and revoke customer links (VIS-2: a feedback link is authentic)."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qsm.workflow.actors import CustomerActor, Via, acting_via

from .models import SignedLink
from .registry import purpose_for

TOKEN_BYTES = 32  # 256 bits of randomness: guessing is not an attack


class LinkRefused(Exception):
    """The token does not open anything. ``status`` is what the public page answers."""

    MESSAGES = {
        "invalid": _("This link is not valid. Check that it was copied in full, or ask us for a new one."),
        "expired": _("This link has expired. Please ask us for a new one."),
        "used": _("This link has already been used. Thank you."),
        "revoked": _("This link has been withdrawn. Please ask us for a new one."),
        "throttled": _("Too many attempts from your network. Please wait a minute and try again."),
    }
    # Unknown, forged, wrong purpose or wrong record: as if it did not exist (404). A real link
    # that is no longer usable: 410 Gone, so the customer learns it is not a typo.
    STATUS = {"invalid": 404, "expired": 410, "used": 410, "revoked": 410, "throttled": 429}

    def __init__(self, reason: str):
        self.reason = reason
        self.status = self.STATUS[reason]
        super().__init__(reason)

    @property
    def message(self):
        return self.MESSAGES[self.reason]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def link_url(token: str) -> str:
    return reverse("links:open", args=[token])


def link_issue(record, purpose: str, *, ttl: dt.timedelta, actor=None, contact_name: str = "") -> tuple[SignedLink, str]:
    """A new link for ``record`` and ``purpose``; returns it and its URL (path), which holds the raw
    token: show it or print it now, it cannot be recovered later."""
    registered = purpose_for(purpose)
    if registered is None:
        raise ValueError(f"Unknown link purpose {purpose!r}: register it first")
    if not isinstance(record, registered.model):
        raise ValueError(f"A {purpose!r} link is for a {registered.model.__name__}")
    if ttl <= dt.timedelta(0):
        raise ValueError("ttl must be positive")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = SignedLink.objects.create(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk, purpose=purpose,
        token_hash=_hash(token), contact_name=(contact_name or "")[:100],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        expires_at=timezone.now() + ttl,
    )
    return link, link_url(token)


def _check(link: SignedLink | None, *, purpose: str | None, record, now) -> SignedLink:
    if link is None or (purpose is not None and link.purpose != purpose):
        raise LinkRefused("invalid")
    if record is not None and (link.content_type_id != ContentType.objects.get_for_model(record).pk
                               or link.object_id != record.pk):
        raise LinkRefused("invalid")
    if link.revoked_at is not None:
        raise LinkRefused("revoked")
    if link.used_at is not None:
        raise LinkRefused("used")
    if link.expires_at <= now:
        raise LinkRefused("expired")
    return link


def _find(token: str, *, lock: bool) -> SignedLink | None:
    if not isinstance(token, str) or not 16 <= len(token) <= 100:
        return None
    qs = SignedLink.objects.select_related("content_type")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.filter(token_hash=_hash(token)).first()


@dataclass
class LinkUse:
    """A checked link, its record and the customer acting through it."""

    link: SignedLink
    record: object
    actor: CustomerActor
    abandoned: bool = field(default=False)

    def abandon(self) -> None:
        """Do not burn the link: the customer's action failed (the transaction rolls back)."""
        self.abandoned = True


def _use(link: SignedLink) -> LinkUse:
    model = link.content_type.model_class()
    record = model._default_manager.filter(pk=link.object_id).first() if model is not None else None
    if record is None:
        raise LinkRefused("invalid")
    actor = CustomerActor(name=link.contact_name, link_id=link.pk, purpose=link.purpose)
    return LinkUse(link=link, record=record, actor=actor)


def link_check(token: str, *, purpose: str | None = None, record=None) -> LinkUse:
    """Read-only check (to show the page): nothing is consumed."""
    return _use(_check(_find(token, lock=False), purpose=purpose, record=record, now=timezone.now()))


@contextlib.contextmanager
def link_consume(token: str, purpose: str, *, record=None):
    """Check and use a link once, in the same transaction as the customer's action::

        with link_consume(token, "visit_feedback") as use:
            visit_feedback_record(visit=use.record, actor=use.actor, ...)

    The row is locked, so two submissions at once cannot both pass; if the block raises, or calls
    ``use.abandon()``, the transaction rolls back and the link stays usable.
    """
    with transaction.atomic():
        link = _check(_find(token, lock=True), purpose=purpose, record=record, now=timezone.now())
        use = _use(link)
        with acting_via(Via.LINK):
            yield use
        if use.abandoned:
            transaction.set_rollback(True)
            return
        SignedLink.objects.filter(pk=link.pk).update(used_at=timezone.now())
        link.used_at = timezone.now()


def link_revoke(link: SignedLink, *, actor=None) -> SignedLink:
    """Withdraw a link before it is used (a wrong recipient, a reissued form)."""
    with transaction.atomic():
        locked = SignedLink.objects.select_for_update().get(pk=link.pk)
        if locked.revoked_at is None and locked.used_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
    link.revoked_at = locked.revoked_at
    return locked
