"""Reads of a record's timeline and attachments."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType

from .engine import _registry
from .models import Attachment, Event


@dataclass(frozen=True)
class TimelineEntry:
    event: Event
    at: datetime
    actor: object
    kind: str
    kind_label: str
    action_label: str
    from_label: str
    to_label: str
    changes: list
    comment: str


def timeline(record) -> list[TimelineEntry]:
    """WF-2: who did what and when, oldest first; labels in the current language."""
    ct = ContentType.objects.get_for_model(record)
    events = Event.objects.filter(content_type=ct, object_id=record.pk).select_related("actor")
    wf = _registry.get(type(record))
    # Records without a registered lifecycle still have labelled status choices.
    choices = {}
    if wf is None and "status" in {f.name for f in type(record)._meta.fields}:
        choices = {k: str(v) for k, v in type(record)._meta.get_field("status").choices or ()}

    def state_label(value: str) -> str:
        if not value:
            return value
        return wf.state_label(value) if wf else choices.get(value, value)

    entries = []
    for e in events:
        action_label = ""
        if wf and e.action in wf.by_action:
            action_label = str(wf.by_action[e.action].label)
        entries.append(
            TimelineEntry(
                event=e,
                at=e.created_at,
                actor=e.actor,
                kind=e.kind,
                kind_label=e.get_kind_display(),
                action_label=action_label,
                from_label=state_label(e.from_state),
                to_label=state_label(e.to_state),
                changes=e.changes,
                comment=e.comment,
            )
        )
    return entries


def attachment_list(record):
    ct = ContentType.objects.get_for_model(record)
    return Attachment.objects.filter(content_type=ct, object_id=record.pk).select_related("uploaded_by")
