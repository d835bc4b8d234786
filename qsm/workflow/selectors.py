"""Reads of a record's timeline and attachments (WF-2, WF-3).

Events are stored in no one's language (field names, raw values, codes); everything a person
reads — field labels, choice texts, yes/no, dates, the names behind ids — is rendered here, in the
language of the reader's request.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .actors import ActorKind, Via
from .engine import _registry
from .models import Attachment, Event

EMPTY = "—"


@dataclass(frozen=True)
class TimelineEntry:
    event: Event
    at: datetime
    actor: object  # the staff user, or None for the customer and the system
    actor_kind: str
    actor_name: str
    via: str
    via_label: str
    kind: str
    kind_label: str
    action_label: str
    from_label: str
    to_label: str
    changes: list  # [{"field", "label", "old", "new"}] as texts in the reader's language
    comment: str
    subject: str = ""  # which child record it belongs to ("Delivery D-…"); "" for the record itself
    summary: str = ""  # what a service's line says (from the event's data), in the reader's language


# (model, action) -> a function of the event's data returning the sentence in the current language.
EventText = Callable[[dict], str]
_texts: dict[tuple[type[models.Model], str], EventText] = {}


_labels: dict[tuple[type[models.Model], str], Any] = {}


def register_event_text(model: type[models.Model], action: str, render: EventText, *, label=None) -> None:
    """A module says how its service lines read: ``register_event_text(Order, "review_findings", fn)``.

    The event stores raw values in ``data``; ``render(data)`` runs at read time, in the reader's
    language. A renderer that fails falls back to nothing rather than breaking the timeline.
    ``label`` (lazy) names a line that is not a transition (an edit that is an action of its own,
    "Reschedule") where a transition's label would stand.
    """
    _texts[(model, action)] = render
    if label is not None:
        _labels[(model, action)] = label


# The core's own note lines (engine.NOTE_ACTIONS written by qsm's services), named where no
# module registered a label.
_CORE_LABELS = {
    "attach": gettext_lazy("Attach a file"),
    "discussion_note": gettext_lazy("Meeting note"),
    "due_recomputed": gettext_lazy("Deadline recomputed"),
    "solution": gettext_lazy("Tailored solution"),
}


def action_label(model: type[models.Model] | None, action: str) -> str:
    """What a person reads for a timeline line's ``action`` (ADMIN-1): the transition's label, the
    label a module registered for its note, the core's, else the code itself ("" for none)."""
    if not action:
        return ""
    wf = _registry.get(model)
    transition = wf.by_action.get(action) if wf is not None else None
    if transition is not None:
        return str(transition.label)
    label = _labels.get((model, action)) or _CORE_LABELS.get(action)
    return str(label) if label is not None else action


def timeline_actions() -> set[str]:
    """Every action a timeline line can carry: the declared transitions, the lines modules declare
    with ``register_event_text`` and the core's own notes (``engine.NOTE_ACTIONS``)."""
    from .engine import NOTE_ACTIONS, workflows

    transitions = {action for wf in workflows() for action in wf.by_action}
    return transitions | {action for (_, action) in [*_texts, *_labels]} | NOTE_ACTIONS


def action_choices() -> list[tuple[str, str]]:
    """Every action a timeline line can record, with its label (for filters): code, label."""
    from .engine import NOTE_ACTIONS, workflows

    found: dict[str, str] = {}
    for wf in workflows():
        for action in wf.by_action:
            found.setdefault(action, action_label(wf.model, action))
    for (model, action) in _labels:
        found.setdefault(action, action_label(model, action))
    for action in NOTE_ACTIONS:
        found.setdefault(action, action_label(None, action))
    return sorted(found.items(), key=lambda item: item[1])


def _summary(model, e: Event) -> str:
    render = _texts.get((model, e.action))
    if render is None or not e.data:
        return ""
    try:
        return str(render(e.data))
    except (KeyError, TypeError, ValueError):
        return ""


def _children(children: Iterable) -> list[tuple[models.Model, str]]:
    out = []
    for child in children:
        if child is None:
            continue
        record, subject = child if isinstance(child, tuple) else (child, str(child))
        out.append((record, str(subject)))
    return out


def _state_labeller(model):
    wf = _registry.get(model)
    if wf is not None:
        return wf, wf.state_label
    choices = {}
    if "status" in {f.name for f in model._meta.fields}:
        choices = {k: str(v) for k, v in model._meta.get_field("status").choices or ()}
    return None, lambda value: choices.get(value, value)


def state_label(model, value: str) -> str:
    """A workflow state's name in the reader's language (the code for a model without states)."""
    return _state_labeller(model)[1](value) if value else ""


def _field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_label(f, name: str) -> str:
    if f is None:
        return name
    if f.one_to_many or (f.auto_created and not f.concrete):  # a reverse relation: its rows
        return str(f.related_model._meta.verbose_name_plural)
    return str(f.verbose_name)


def _ids(value) -> list:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


class _Names:
    """The names behind the ids of all changes of a timeline: one query per related model."""

    def __init__(self):
        self.wanted: dict[type[models.Model], set] = defaultdict(set)
        self.found: dict[type[models.Model], dict] = {}

    def want(self, f, value) -> None:
        if f is None:
            return
        if f.many_to_many or f.many_to_one or f.one_to_one:
            self.wanted[f.related_model].update(i for i in _ids(value) if isinstance(i, (int, str)))
        elif f.one_to_many and isinstance(value, list):
            for row in value:
                if isinstance(row, dict):
                    for key, raw in row.items():
                        self.want(_field(f.related_model, key), raw)

    def load(self) -> None:
        for model, ids in self.wanted.items():
            try:
                self.found[model] = {str(k): str(v) for k, v in model._default_manager.in_bulk(list(ids)).items()}
            except (ValueError, TypeError):
                self.found[model] = {}

    def name(self, model, pk) -> str:
        return self.found.get(model, {}).get(str(pk), f"#{pk}")


def _render(f, value: Any, names: _Names) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if f is None:
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if f.many_to_many:
        return ", ".join(names.name(f.related_model, pk) for pk in _ids(value))
    if f.one_to_many:
        rows = value if isinstance(value, list) else [value]
        return "; ".join(_render_row(f.related_model, row, names) for row in rows)
    if f.many_to_one or f.one_to_one:
        return names.name(f.related_model, value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, list):  # a list of texts (a JSON field: the complaint's why-chain), in its order
        return " → ".join(str(v) for v in value)
    if isinstance(value, bool) or isinstance(f, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        try:
            return formats.date_format(timezone.localtime(dt.datetime.fromisoformat(value)), "DATETIME_FORMAT")
        except ValueError:
            return value
    if isinstance(f, models.DateField) and isinstance(value, str):
        try:
            return formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return str(value)


def _render_row(model, row, names: _Names) -> str:
    if not isinstance(row, dict):
        return str(row)
    parts = []
    for key, raw in row.items():
        f = _field(model, key)
        parts.append(f"{_field_label(f, key)}: {_render(f, raw, names)}")
    return ", ".join(parts)


def _changes(model, changes: list, names: _Names) -> list[dict]:
    out = []
    for c in changes or ():
        if not isinstance(c, dict):
            continue
        if "label" in c:  # a line written before values were stored raw, kept as it was written
            out.append({"field": c.get("field", ""), "label": str(c["label"]),
                        "old": str(c.get("old") or EMPTY), "new": str(c.get("new") or EMPTY)})
            continue
        name = c.get("field", "")
        f = _field(model, name)
        out.append({"field": name, "label": _field_label(f, name),
                    "old": _render(f, c.get("old"), names), "new": _render(f, c.get("new"), names)})
    return out


def _actor_name(e: Event) -> str:
    if e.actor_kind == ActorKind.CUSTOMER:
        return _("%(name)s (customer, link #%(link)s)") % {"name": e.actor_label or _("Customer"), "link": e.link_id}
    if e.actor_kind == ActorKind.SYSTEM:
        return _("System")
    return str(e.actor) if e.actor is not None else EMPTY


def timeline(record, children: Iterable = ()) -> list[TimelineEntry]:
    """WF-2: who did what, when and through what, oldest first, in the reader's language.

    ``children`` are records whose events belong on this record's timeline (an order's deliveries
    and installation), each a record or a ``(record, subject)`` pair. All events are read in one
    query whatever the number of children; the names behind changed ids cost one query per
    related model, only when an edit names one.
    """
    subjects: dict[tuple[int, int], tuple[str, type[models.Model]]] = {}
    by_ct: dict[int, list] = defaultdict(list)
    for rec, subject in [(record, ""), *_children(children)]:
        ct = ContentType.objects.get_for_model(rec)
        subjects[(ct.pk, rec.pk)] = (subject, type(rec))
        by_ct[ct.pk].append(rec.pk)
    q = Q()
    for ct_id, ids in by_ct.items():
        q |= Q(content_type_id=ct_id, object_id__in=ids) if len(ids) > 1 else Q(content_type_id=ct_id, object_id=ids[0])
    events = list(Event.objects.filter(q).select_related("actor").order_by("created_at", "id"))

    names = _Names()
    for e in events:
        model = subjects[(e.content_type_id, e.object_id)][1]
        for c in e.changes or ():
            if isinstance(c, dict) and "label" not in c:
                f = _field(model, c.get("field", ""))
                names.want(f, c.get("old"))
                names.want(f, c.get("new"))
    names.load()

    labellers = {}
    via_labels = dict(Via.choices)
    entries = []
    for e in events:
        subject, model = subjects[(e.content_type_id, e.object_id)]
        if model not in labellers:
            labellers[model] = _state_labeller(model)
        wf, state_label = labellers[model]
        transition = wf.by_action.get(e.action) if wf else None
        entries.append(TimelineEntry(
            event=e,
            at=e.created_at,
            actor=e.actor,
            actor_kind=e.actor_kind,
            actor_name=_actor_name(e),
            via=e.via,
            via_label=str(via_labels.get(e.via, e.via)),
            kind=e.kind,
            kind_label=e.get_kind_display(),
            action_label=str(transition.label) if transition else str(_labels.get((model, e.action), "")),
            from_label=state_label(e.from_state) if e.from_state else "",
            to_label=state_label(e.to_state) if e.to_state else "",
            changes=_changes(model, e.changes, names),
            comment=e.comment,
            subject=subject,
            summary=_summary(model, e),
        ))
    return entries


def event_text(e: Event) -> tuple[list, str]:
    """One line's changes (``[{"label", "old", "new"}]`` as texts) and its summary in the reader's
    language: the admin shows these instead of the stored codes (ADMIN-1)."""
    model = e.content_type.model_class()
    if model is None:
        return [], ""
    names = _Names()
    for c in e.changes or ():
        if isinstance(c, dict) and "label" not in c:
            f = _field(model, c.get("field", ""))
            names.want(f, c.get("old"))
            names.want(f, c.get("new"))
    names.load()
    return _changes(model, e.changes, names), _summary(model, e)


def attachment_list(record):
    ct = ContentType.objects.get_for_model(record)
    return Attachment.objects.filter(content_type=ct, object_id=record.pk).select_related("uploaded_by")
