"""SLA-1/SLA-2: the clocks a workflow declares, run by the engine (WF-1).

A ``Workflow`` lists its ``clocks``; the engine starts, pauses, resumes, completes and cancels
them inside ``fire()`` (and ``record_created`` / ``edit``), and keeps the record's ``due_at`` in
step. No service or effect touches a deadline by hand::

    Clock("review", states=(S.REVIEW,), pauses=(S.RETURNED,), cancel_on=("cancel",),
          title=lambda o: f"{o.number} {o.customer.name}", owner=lambda o: o.owner,
          department=lambda o: o.department)                        # an SLA policy's working time
    Clock("delivery", states=Order.UNDELIVERED_STATES, due="promised_date",
          lead_days=lambda: settings.ORDER_RISK_LEAD_DAYS, ...)      # a date a person chose
    Clock("handover_ack", ..., remind_to=Recipients(assigned=(OWNER,), unassigned=(MANAGERS,)))
                                                                    # whom the levels tell (SLA-2)

Rules, for each clock, when a record moves from state ``a`` to state ``b``:

- ``b`` in ``states`` and ``a`` in neither ``states`` nor ``pauses``: the clock starts;
- ``a`` in ``states`` and ``b`` in ``pauses``: it pauses; back from ``pauses`` to ``states``: it
  resumes with the working time it had left (a date clock keeps its date);
- ``a`` in ``states`` or ``pauses`` and ``b`` in neither: it stops, *met on time* or *completed
  late*, or is cancelled when the action is listed in ``cancel_on``;
- moving between two of its ``states`` leaves it running.

A policy clock finds its policy by the record type, the stage and the record's ``channel`` /
``priority`` / ``category`` attributes (names declared on the clock); a missing active policy is the system
check error ``qsm.E001``. A date clock with no date set does not run; setting, changing or
clearing the date with ``engine.edit`` starts, moves or cancels it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

from qsm.sla import services as sla
from qsm.sla.models import Deadline
from qsm.sla.services import MANAGERS, OWNER, QUALITY, Recipients  # noqa: F401  (for the declarations)

Getter = Callable[[Any], Any]


@dataclass(frozen=True)
class Clock:
    stage: str
    states: tuple[str, ...]  # the clock runs while the record is in one of these
    title: Getter  # record -> the deadline's title (reminders quote it)
    pauses: tuple[str, ...] = ()  # waiting for the customer: the clock stands still here (SLA-1)
    cancel_on: tuple[str, ...] = ()  # actions that cancel the clock instead of completing it
    # A date a person chose: a field name or a callable giving a date (due at the end of that
    # working day) or a datetime. None: the clock's working time comes from an SLA policy.
    due: str | Getter | None = None
    lead_days: int | Callable[[], int] = 0  # date clocks: remind this many working days before
    channel: str = ""  # policy clocks: the record attribute holding the channel, if any
    priority: str = ""  # policy clocks: the record attribute holding the priority, if any
    category: str = ""  # policy clocks: the record attribute holding the category (a case's type), if any
    owner: Getter | None = None
    department: Getter | None = None
    started: Getter | None = None  # when a clock running at creation started (default: now)
    completed: Getter | None = None  # when leaving the state completed the stage (default: now)
    # What the sweep says (defaults: the generic SLA reminder and overdue notices), and a record
    # field the sweep sets when the first level fires (e.g. Order.risk_flagged_at).
    remind_title: Any = None
    overdue_title: Any = None
    remind_kind: str = "sla_reminder"
    overdue_kind: str = "sla_overdue"
    flag_field: str = ""
    # Who each level tells (SLA-2): by default the owner is reminded, or the department's managers
    # when nobody owns the deadline; the escalation goes to the owner, the managers and the quality
    # department. Never the whole department.
    remind_to: sla.Recipients = sla.REMIND_OWNER
    escalate_to: sla.Recipients = sla.ESCALATE
    # The stage's name as people read it (the SLA policies in the admin): "首次响应", not "first_response".
    label: Any = ""

    @property
    def is_date(self) -> bool:
        return self.due is not None

    @property
    def due_field(self) -> str:
        return self.due if isinstance(self.due, str) else ""

    def due_value(self, record):
        if isinstance(self.due, str):
            return getattr(record, self.due)
        return self.due(record)

    def lead(self) -> int:
        return self.lead_days() if callable(self.lead_days) else self.lead_days

    def notices(self) -> sla.StageNotices:
        return sla.StageNotices(remind_title=self.remind_title, overdue_title=self.overdue_title,
                                remind_kind=self.remind_kind, overdue_kind=self.overdue_kind,
                                flag_field=self.flag_field, remind_to=self.remind_to,
                                escalate_to=self.escalate_to)


def check_clocks(model: type[models.Model], choices: set[str], clocks: Iterable[Clock]) -> None:
    """A typo in a clock must fail at start-up, like a typo in a transition."""
    names = {f.name for f in model._meta.get_fields()}
    for c in clocks:
        unknown = (set(c.states) | set(c.pauses)) - choices
        if unknown:
            raise ValueError(f"{model.__name__} clock {c.stage}: unknown states {sorted(unknown)}")
        if set(c.states) & set(c.pauses):
            raise ValueError(f"{model.__name__} clock {c.stage}: a state cannot both run and pause it")
        for attr in (c.due_field, c.channel, c.priority, c.category, c.flag_field):
            if attr and attr not in names:
                raise ValueError(f"{model.__name__} clock {c.stage}: no field {attr!r}")


# --- running them ----------------------------------------------------------------------------------

def _start(record, clock: Clock, *, at: dt.datetime | None = None) -> Deadline | None:
    common = {
        "record": record,
        "stage": clock.stage,
        "title": clock.title(record),
        "owner": clock.owner(record) if clock.owner else None,
        "department": clock.department(record) if clock.department else None,
        "start": at,
    }
    if clock.is_date:
        due = clock.due_value(record)
        if due is None:
            return None  # no date agreed yet: nothing to run to
        return sla.deadline_start_on_date(due=due, lead_days=clock.lead(), **common)
    return sla.deadline_start(channel=getattr(record, clock.channel, "") if clock.channel else "",
                              priority=getattr(record, clock.priority, "") if clock.priority else "",
                              category=getattr(record, clock.category, "") if clock.category else "", **common)


def on_transition(record, clocks: Iterable[Clock], *, before: str, after: str, action: str) -> None:
    """Start, pause, resume, complete or cancel each clock for one state change (see module doc)."""
    for c in clocks:
        was_running, was_paused = before in c.states, before in c.pauses
        runs, pauses = after in c.states, after in c.pauses
        if (was_running or was_paused) and not (runs or pauses):
            if action in c.cancel_on:
                sla.deadline_cancel(record=record, stage=c.stage)
            else:
                sla.deadline_complete(record=record, stage=c.stage, at=c.completed(record) if c.completed else None)
        elif was_running and pauses:
            sla.deadline_pause(record=record, stage=c.stage)
        elif was_paused and runs:
            if sla.deadline_resume(record=record, stage=c.stage) is None and sla.deadline_for(
                    record=record, stage=c.stage) is None:
                _start(record, c)  # paused before the clock existed (data from before the table said so)
        elif runs and not was_running:
            _start(record, c)


def on_created(record, clocks: Iterable[Clock], *, state: str) -> None:
    """A new record's initial state starts its clocks (e.g. an inquiry's first response)."""
    for c in clocks:
        if state in c.states:
            _start(record, c, at=c.started(record) if c.started else None)


def on_edit(record, clocks: Iterable[Clock], *, state: str, changed: set[str], actor) -> None:
    """An edited agreed date moves its running clock (or starts / cancels it)."""
    for c in clocks:
        if not c.due_field or c.due_field not in changed or state not in (*c.states, *c.pauses):
            continue
        due = c.due_value(record)
        if sla.deadline_for(record=record, stage=c.stage) is None:
            if due is not None and state in c.states:
                _start(record, c)
            continue
        moved, _old = sla.deadline_move_to_date(record=record, stage=c.stage, due=due, lead_days=c.lead())
        if c.flag_field and (moved is None or (moved.reminded_at is None and moved.overdue_at is None)):
            # The new date is far enough away: the record is no longer flagged.
            type(record)._default_manager.filter(pk=record.pk).update(**{c.flag_field: None})
            setattr(record, c.flag_field, None)


def sync_due_at(record, *, save: bool) -> None:
    """Keep the record's ``due_at`` at its earliest running deadline (None when none runs)."""
    if not hasattr(record, "due_at"):
        return
    due = sla.earliest_due(record)
    if record.due_at != due:
        record.due_at = due
    if save:
        type(record)._default_manager.filter(pk=record.pk).update(due_at=due)
