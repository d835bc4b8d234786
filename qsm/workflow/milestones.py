"""SLA-1: a stage reached without a state change (issue 10, added for complaints).

Some clocks stop on a milestone that is not a transition: a complaint's reply to the customer is
recorded once, in whatever open state the complaint is, and its ``reply`` clock must stop then (met
on time or completed late), while the complaint stays where it is. ``stage_complete`` does it for
a clock the record's workflow declares, inside the caller's lock, keeping the record's ``due_at`` at
its earliest running deadline, as the engine does for transitions. Nothing else touches a deadline.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from qsm.sla import services as sla

from . import clocks as clock_runner
from .engine import workflow_for


def stage_complete(record, stage: str, *, at: dt.datetime | None = None) -> int:
    """Stop ``record``'s open ``stage`` clock as done at ``at`` (default: now); returns how many
    clocks stopped (0: none was open). ``stage`` must be one the record's workflow declares."""
    wf = workflow_for(record)
    if stage not in {c.stage for c in wf.clocks}:
        raise ValueError(f"{wf.record_type} declares no clock {stage!r}")
    with transaction.atomic():
        stopped = sla.deadline_complete(record=record, stage=stage, at=at)
        clock_runner.sync_due_at(record, save=True)
    return stopped
