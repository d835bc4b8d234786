"""Writes of discussions, meeting notes and versioned solutions. Called by a module's own service
**inside its root lock** (``qsm.workflow.locking.locked``): the module keeps who may discuss and in
which states; the core keeps what a discussion, a note and a solution version are.

    with locked(inquiry, actor=actor, allowed=can_discuss_inquiry, states=(S.DISCUSSION,)) as root:
        return solution_add(record=root, actor=actor, title=title, content=content, products=products)
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qsm.contacts.models import Channel
from qsm.errors import TransitionNotAllowed, ValidationError
from qsm.workflow.locking import lock

from .models import Discussion, DiscussionNote, Solution


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("discussion writes belong inside the owning record's root lock (locked(root)).")


def _discussion(record: models.Model) -> Discussion | None:
    return Discussion.objects.filter(content_type=ContentType.objects.get_for_model(record),
                                     object_id=record.pk).first()


def discussion_open(*, record: models.Model, actor, topic: str, departments: Iterable = (), users: Iterable = ()
                    ) -> tuple[Discussion, bool]:
    """Open the record's discussion, or go on with the one it has (invitations add up).
    Returns ``(discussion, created)``."""
    _require_transaction()
    if not (topic or "").strip():
        raise ValidationError({"topic": _("Give the discussion a topic.")}, code="required")
    discussion = _discussion(record)
    created = discussion is None
    if created:
        discussion = Discussion.objects.create(content_type=ContentType.objects.get_for_model(record),
                                               object_id=record.pk, topic=topic.strip()[:200], opened_by=actor)
    discussion.invited_departments.add(*list(departments))
    discussion.invited_users.add(*list(users))
    return discussion, created


def _require_discussion(record: models.Model) -> Discussion:
    discussion = _discussion(record)
    if discussion is None:
        raise TransitionNotAllowed(_("Notes are added while the discussion is open."))
    return discussion


def discussion_note_add(*, record: models.Model, actor, body: str, meeting_at: dt.datetime | None = None
                        ) -> DiscussionNote:
    _require_transaction()
    if not (body or "").strip():
        raise ValidationError({"body": _("Write the notes.")}, code="required")
    return DiscussionNote.objects.create(discussion=_require_discussion(record), author=actor, body=body.strip(),
                                         meeting_at=meeting_at)


def solution_add(*, record: models.Model, actor, title: str, content: str, products: Iterable = ()) -> Solution:
    """A new version of the record's solution; earlier versions stay as they were. The caller's
    root lock makes the next version number safe against two authors at once."""
    _require_transaction()
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the solution a title.")
    if not (content or "").strip():
        errors["content"] = _("Describe the solution.")
    if errors:
        raise ValidationError(errors, code="invalid")
    discussion = _require_discussion(record)
    last = discussion.solutions.order_by("-version").values_list("version", flat=True).first() or 0
    solution = Solution.objects.create(discussion=discussion, version=last + 1, title=title.strip()[:200],
                                       content=content.strip(), created_by=actor)
    solution.products.set(list(products))
    return solution


def solution_mark_sent(*, solution: Solution, via: str) -> Solution:
    """Record that a version was sent (once). The caller holds the root lock; the solution is locked
    after it (parent first, REL-1) and "already sent" is decided on the locked row."""
    _require_transaction()
    if via not in Channel.values:
        raise ValidationError({"via": _("Choose how it was sent.")}, code="invalid")
    if lock(solution).sent_at:
        raise TransitionNotAllowed(_("This version was already sent."))
    now = timezone.now()
    Solution.objects.filter(pk=solution.pk).update(sent_at=now, sent_via=via)
    solution.sent_at, solution.sent_via = now, via
    return solution
