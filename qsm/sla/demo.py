"""DATA-1, clocks: the holidays of the demo year, and the deadline sweep every few hours of it."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qsm.demo import SWEEP_RANK, DemoContext
from qsm.sla.calendar import default_calendar, load_cn_public_holidays
from qsm.sla.services import deadlines_sweep

SWEEP_EVERY = dt.timedelta(hours=4)  # the beat sweeps every minute; this is often enough for a plausible history


def build(ctx: DemoContext) -> None:
    # The calendar migration loads this year and next; the demo year starts in the last one.
    year = timezone.localdate().year
    load_cn_public_holidays(default_calendar(), [year - 1, year])
    now = ctx.now

    def sweeps(first: dt.datetime) -> list[dt.datetime]:
        return [first + k * SWEEP_EVERY for k in range(int((now - first) / SWEEP_EVERY) + 1)]

    ctx.every(rank=SWEEP_RANK, times=sweeps, step=lambda at: deadlines_sweep(now=at),
              last=lambda: deadlines_sweep(now=timezone.now()))
