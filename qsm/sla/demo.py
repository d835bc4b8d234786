"""DATA-1, clocks: the holidays of the demo year, and the deadline sweep every few hours of it."""
from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from qsm.demo import SWEEP_RANK, DemoContext
from qsm.sla.calendar import default_calendar, load_cn_public_holidays
from qsm.sla.services import deadlines_sweep

SWEEP_EVERY = dt.timedelta(hours=2)  # the beat sweeps every minute; this is often enough for a plausible history


def build(ctx: DemoContext) -> None:
    # The calendar migration loads this year and next; the demo year starts in the last one.
    year = timezone.localdate().year
    load_cn_public_holidays(default_calendar(), [year - 1, year])
    now = ctx.now

    def sweeps(first: dt.datetime) -> list[dt.datetime]:
        # Deadlines fall due in working time only: sweeping through the working day finds each when it
        # falls due, so its reminder is stamped at an hour someone is at work (DATA-1).
        return ctx.working_moments(first, now, SWEEP_EVERY)

    def last() -> None:
        # Nothing falls due outside working time: the last working moment is "now" for the sweep.
        at = ctx.previous_working(timezone.now())
        with time_machine.travel(at, tick=False):
            deadlines_sweep(now=at)

    ctx.every(rank=SWEEP_RANK, times=sweeps, step=lambda at: deadlines_sweep(now=at), last=last)
