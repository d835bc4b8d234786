"""Writes of the customer contact log. Called by a module's own service **inside its root lock**
(``qsm.workflow.locking.locked``): the module keeps who may log and in which states; the core keeps
what an entry is and that a question is answered once.

    with locked(order, actor=actor, allowed=can_work_order, states=...) as root:
        return contact_add(record=root, actor=actor, kind=ContactEntry.Kind.UPDATE, channel=channel,
                           summary=text, summary_field="text")
"""
from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.workflow.locking import lock

from .models import Channel, ContactEntry

FUTURE_SLACK = dt.timedelta(minutes=5)


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("contact log writes belong inside the owning record's root lock (locked(root)).")


def contact_add(*, record: models.Model, actor, channel: str, summary: str, kind: str = ContactEntry.Kind.COMMUNICATION,
                direction: str | None = None, occurred_at: dt.datetime | None = None,
                summary_field: str = "summary", kinds=None) -> ContactEntry:
    """Log one contact with the customer on ``record`` (already locked by the caller).

    ``direction`` defaults from the kind (an update goes out, a question comes in); ``kinds`` limits
    the kinds this log offers; ``summary_field`` names the form/API field a blank summary is
    reported on. Raises ``ValidationError`` with field errors; nothing is written then."""
    _require_transaction()
    errors = {}
    allowed_kinds = tuple(kinds) if kinds is not None else tuple(ContactEntry.Kind.values)
    if kind not in allowed_kinds:
        errors["kind"] = _("Choose update or question.")
    if channel not in Channel.values:
        errors["channel"] = _("Choose a channel.")
    if direction is None:
        direction = ContactEntry.KIND_DIRECTION.get(kind)
    if direction not in ContactEntry.Direction.values:
        errors["direction"] = _("Choose a direction.")
    if not (summary or "").strip():
        errors[summary_field] = _("Write what was said.")
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + FUTURE_SLACK:
        errors["occurred_at"] = _("The time cannot be in the future.")
    if errors:
        raise ValidationError(errors, code="invalid")
    return ContactEntry.objects.create(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk, kind=kind, channel=channel,
        direction=direction, summary=summary.strip(), occurred_at=occurred_at, recorded_by=actor)


def contact_answer(*, entry: ContactEntry, actor, answer: str) -> ContactEntry:
    """Record the answer given to a customer's question (once). The caller holds the root lock; the
    entry is locked after it (parent first, REL-1) and decided on the locked row."""
    _require_transaction()
    if entry.kind != ContactEntry.Kind.QUESTION:
        raise TransitionNotAllowed(_("Only a customer question can be answered."))
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer.")}, code="required")
    current = lock(entry)
    if current.answered_at:
        raise TransitionNotAllowed(_("This question was already answered."))
    current.answer, current.answered_at, current.answered_by = answer.strip(), timezone.now(), actor
    current.save(update_fields=["answer", "answered_at", "answered_by"])
    return current
