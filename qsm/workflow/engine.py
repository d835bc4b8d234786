"""WF-1: the one transition engine. Every lifecycle in QSM is a declared table fired here.

A domain app declares ``Workflow(model, transitions=[Transition(...), ...], clocks=[Clock(...)])``
in its ``workflows.py`` and registers it. ``fire()`` is the only code in the project that sets a
status: it checks the actor's permission, locks the row, checks the state and the guard,
changes the state, runs the transition's effect (notifications, derived fields), runs the
declared clocks (``clocks.py``: start, pause, resume, complete or cancel; the record's ``due_at``
follows its earliest running deadline) and writes the timeline event, all in one transaction.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError

from . import clocks as clock_runner
from .actors import event_actor_fields
from .clocks import Clock
from .models import Event

Predicate = Callable[[Any, Any], bool]  # (user, record) -> bool, usually a `rules` predicate
Guard = Callable[[Any, Any, dict], None]  # (record, actor, params): raise ValidationError to refuse
Effect = Callable[[Any, Any, dict], None]  # (record, actor, params): runs after the state is set


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    label: Any  # lazy translated verb shown on the button
    allowed: Predicate
    guard: Guard | None = None
    effect: Effect | None = None
    comment_required: bool = False
    style: str = "primary"  # Bootstrap button colour on the record page


@dataclass
class Workflow:
    model: type[models.Model]
    transitions: Iterable[Transition]
    state_field: str = "status"
    clocks: Iterable[Clock] = ()  # SLA-1: the deadlines that run in each state (see clocks.py)
    by_action: dict[str, Transition] = field(init=False)

    def __post_init__(self) -> None:
        self.by_action = {t.action: t for t in self.transitions}
        self.clocks = tuple(self.clocks)
        choices = {c for c, _label in self.model._meta.get_field(self.state_field).choices}
        for t in self.by_action.values():
            unknown = (set(t.sources) | {t.target}) - choices
            if unknown:  # a typo in a table must fail at start-up, not in production
                raise ValueError(f"{self.model.__name__}.{t.action}: unknown states {sorted(unknown)}")
        clock_runner.check_clocks(self.model, choices, self.clocks)

    @property
    def record_type(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"

    def state_label(self, value: str) -> str:
        return str(dict(self.model._meta.get_field(self.state_field).choices).get(value, value))

    def available(self, record, user) -> list[Transition]:
        """Transitions the user could fire now (for buttons); guards are checked on firing."""
        state = getattr(record, self.state_field)
        return [t for t in self.by_action.values() if state in t.sources and t.allowed(user, record)]


_registry: dict[type[models.Model], Workflow] = {}

# The ``action`` of the core's own timeline lines that are not transitions (notes, edits). A
# module's own lines are the ones it declares with ``register_event_text``; with the transitions
# they make the API's ``TimelineAction`` enum (``qsm.workflow.selectors.timeline_actions``).
NOTE_ACTIONS = {"attach", "discussion_note", "due_recomputed", "solution"}


def register(workflow: Workflow) -> Workflow:
    from qsm.sla.services import register_stage_notices

    _registry[workflow.model] = workflow
    for clock in workflow.clocks:
        register_stage_notices(record_type=workflow.record_type, stage=clock.stage, notices=clock.notices())
    return workflow


def workflows() -> list[Workflow]:
    return list(_registry.values())


def workflow_for(model_or_record) -> Workflow:
    model = model_or_record if isinstance(model_or_record, type) else type(model_or_record)
    return _registry[model]


def fire(record, action: str, *, actor, via: str | None = None, comment: str = "", **params):
    """Fire ``action`` on ``record``. Raises PermissionDenied, TransitionNotAllowed or ValidationError.

    ``actor`` is a staff user, a ``CustomerActor`` (through a link) or a ``SystemActor`` (a sweep);
    the transition's predicate must allow it. ``via`` defaults to the request's (page / API) or
    ``system`` outside a request. Nothing changes when it raises: the whole firing is one transaction.
    """
    wf = workflow_for(record)
    transition = wf.by_action.get(action)
    if transition is None:
        raise TransitionNotAllowed(_("Unknown action “%(action)s”.") % {"action": action}, action=action)
    with transaction.atomic():
        # Lock first: two people pressing the same button at once must not both succeed.
        locked = type(record).objects.select_for_update().get(pk=record.pk)
        state = getattr(locked, wf.state_field)
        if not transition.allowed(actor, locked):
            raise PermissionDenied(_("You are not allowed to “%(action)s” on this record.") % {"action": transition.label})
        if state not in transition.sources:
            raise TransitionNotAllowed(
                _("“%(action)s” is not possible: the record is “%(state)s”.")
                % {"action": transition.label, "state": wf.state_label(state)},
                action=action,
                state=state,
            )
        comment = (comment or "").strip()
        if transition.comment_required and not comment:
            raise ValidationError(
                {"comment": ValidationError(_("A comment is required for this action."), code="comment_required")}
            )
        # The guard and the effect read the transition's comment too (a plan step's "what was done"
        # is its comment); a parameter of that name given by the caller wins.
        params.setdefault("comment", comment)
        if transition.guard:
            transition.guard(locked, actor, params)
        setattr(locked, wf.state_field, transition.target)
        if transition.effect:
            transition.effect(locked, actor, params)
        if wf.clocks:
            clock_runner.on_transition(locked, wf.clocks, before=state, after=transition.target, action=action)
            clock_runner.sync_due_at(locked, save=False)
        locked.save()
        Event.objects.create(
            content_type=ContentType.objects.get_for_model(locked),
            object_id=locked.pk,
            kind=Event.Kind.TRANSITION,
            action=action,
            from_state=state,
            to_state=transition.target,
            comment=comment,
            **event_actor_fields(actor, via),
        )
    sync_fields(locked, record)
    return locked


def sync_fields(source, target) -> None:
    """Copy the saved field values onto the caller's instance so it is never left stale."""
    if source is target:
        return
    for f in source._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    # Cached relations may point at the old related objects; drop them.
    target._state.fields_cache = {}


def _event(record, *, actor, via: str | None = None, **fields) -> Event:
    return Event.objects.create(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
        **fields, **event_actor_fields(actor, via),
    )


def record_created(record, *, actor, via: str | None = None, comment: str = "", action: str = "",
                   data: dict | None = None) -> None:
    """A new record: the first line of its timeline (``action``/``data`` say how it came to be,
    rendered when read), and the clocks of its initial state start."""
    wf = _registry.get(type(record))
    if wf and wf.clocks:
        clock_runner.on_created(record, wf.clocks, state=getattr(record, wf.state_field))
        clock_runner.sync_due_at(record, save=True)
    _event(record, actor=actor, via=via, kind=Event.Kind.CREATED, to_state=getattr(record, "status", "") or "",
           comment=comment, action=action, data=raw_value(data or {}))


def clock_dates_refresh(record) -> None:
    """Re-read the agreed dates of ``record``'s date clocks and start, move or cancel them.

    ``edit`` does this by itself for the fields it changes; this is for a date written some other
    way (a data fix, an import), so that the clock and ``due_at`` follow the record.
    """
    wf = _registry.get(type(record))
    if wf is None or not wf.clocks:
        return
    with transaction.atomic():
        locked = type(record).objects.select_for_update().get(pk=record.pk)
        dates = {c.due_field for c in wf.clocks if c.due_field}
        clock_runner.on_edit(locked, wf.clocks, state=getattr(locked, wf.state_field), changed=dates, actor=None)
        clock_runner.sync_due_at(locked, save=True)
    sync_fields(locked, record)


def raw_value(value: Any) -> Any:
    """A value as stored in an event: JSON-able and in no one's language (dates ISO, numbers as text)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 2.00 -> "2", 98000.50 -> "98000.5"
    if isinstance(value, (list, tuple)):
        return [raw_value(v) for v in value]
    if isinstance(value, dict):
        return {k: raw_value(v) for k, v in value.items()}
    return str(value)


def _field_raw(record, name: str) -> Any:
    f = record._meta.get_field(name)
    return raw_value(getattr(record, f.attname))


def edit(record, *, actor, data: dict[str, Any], tracked: Iterable[str], comment: str = "",
         via: str | None = None, action: str = "", event_data: dict | None = None) -> list[dict]:
    """WF-2: set fields on ``record``, save, and write one timeline event listing what changed.

    ``tracked`` names the fields whose edits the timeline must show; each change is stored as
    ``{"field", "old", "new"}`` with raw values (``raw_value``), rendered when read. Status is never
    edited here: only ``fire`` moves a record between states. ``action`` names an edit that is a
    declared action of its own (an installation rescheduled) and ``event_data`` keeps its raw values,
    for the module's sentence (``selectors.register_event_text``).
    """
    wf = _registry.get(type(record))
    if wf and wf.state_field in data:
        raise ValidationError(
            {wf.state_field: ValidationError(_("The status changes only through an action."), code="status_readonly")}
        )
    tracked = set(tracked)
    changes = []
    for name, new in data.items():
        old_raw = _field_raw(record, name)
        setattr(record, name, new)
        new_raw = _field_raw(record, name)
        if name in tracked and old_raw != new_raw:
            changes.append({"field": name, "old": old_raw, "new": new_raw})
    # The edit and its timeline line are one write: an edit without its audit line must not persist.
    with transaction.atomic():
        if wf and wf.clocks:  # an agreed date changed: its running clock moves with it
            changed = {c["field"] for c in changes}
            clock_runner.on_edit(record, wf.clocks, state=getattr(record, wf.state_field), changed=changed,
                                 actor=actor)
            clock_runner.sync_due_at(record, save=False)
        record.save()
        if changes or comment:
            _event(record, actor=actor, via=via, kind=Event.Kind.EDIT, changes=changes, comment=comment,
                   action=action, data=raw_value(event_data or {}))
    return changes


def record_change(record, *, actor, field: str, old: Any, new: Any, via: str | None = None,
                  comment: str = "", action: str = "", data: dict | None = None) -> Event | None:
    """WF-2 for what ``edit`` cannot set: a many-to-many field (old/new = lists of ids) or child
    rows replaced as a whole (old/new = lists of {field: raw} of the related model, e.g. order
    lines). Nothing is written when nothing changed."""
    old, new = raw_value(old), raw_value(new)
    if old == new:
        return None
    return _event(record, actor=actor, via=via, kind=Event.Kind.EDIT,
                  changes=[{"field": field, "old": old, "new": new}], comment=comment, action=action,
                  data=raw_value(data or {}))


def note(record, *, actor, kind: str, comment: str = "", action: str = "", via: str | None = None,
         data: dict | None = None) -> Event:
    """A timeline line that is not a transition (a comment, an attachment, a logged call).

    ``comment`` is a person's own words; what the service itself says goes into ``data`` as raw
    values, and the module renders it when read (``selectors.register_event_text``).
    """
    return _event(record, actor=actor, via=via, kind=kind, action=action, comment=comment, data=raw_value(data or {}))
