"""DATA-1: the frame every app's demo builder writes into (the command in ``assessment`` only
orchestrates them).

Each app declares its builder on its AppConfig (``demo_data = "presales.demo:build"``); the
command calls them in INSTALLED_APPS order, which is the dependency order, with one shared
:class:`DemoContext`: one random generator (one seed gives one data set), "now", the people and
the catalogue the organisation builder made, and a timeline. A builder draws every random
choice when it builds and hands the timeline its steps, each at a moment of the past year;
:meth:`DemoContext.run` then runs every step of every app in time order, with the periodic
sweeps in between as beat would, the clock moved by time-machine.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from qsm.notify import services as notify_services

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR, DAY = 60, 24 * 60
# Periodic sweeps run after every record's step at the same moment (ranks below are the records').
SWEEP_RANK = 1 << 30

Step = Callable[[], None]


class Clock:
    """Places a plan's steps one after another, inside office hours unless told otherwise."""

    def __init__(self, rng: random.Random, start: dt.datetime) -> None:
        self.rng = rng
        self.t = start
        self.times: list[dt.datetime] = []

    def office(self, t: dt.datetime) -> dt.datetime:
        local = t.astimezone(SHANGHAI)
        if local.hour < 9:
            local = local.replace(hour=9, minute=self.rng.randrange(60))
        elif local.hour >= 18:
            local = (local + dt.timedelta(days=1)).replace(hour=9, minute=self.rng.randrange(60))
        while local.isoweekday() > 5:
            local += dt.timedelta(days=1)
        return local

    def next(self, lo_minutes: float = 0, hi_minutes: float = 0, office: bool = True) -> dt.datetime:
        t = self.t + dt.timedelta(minutes=self.rng.uniform(lo_minutes, hi_minutes))
        if office:
            t = self.office(t)
        t = max(t, self.t + dt.timedelta(minutes=1))
        self.t = t
        self.times.append(t)
        return t


HOUR, DAY = 60, 24 * 60


@dataclass
class Periodic:
    """A sweep beat would run: at each of ``times(first moment of the demo year)``, and once more
    at the end."""

    rank: int
    times: Callable[[dt.datetime], Iterable[dt.datetime]]
    step: Callable[[dt.datetime], None]
    last: Step


class DemoContext:
    """What the builders share: the random generator, "now", the organisation and catalogue, what
    one builder hands the next (``outputs``), and the timeline of steps.

    People work in working hours on working days: every step a builder lays out is placed there
    with :meth:`working_times` (the company's working calendar of ``qsm.sla``, public holidays and
    make-up workdays included), and the sweeps run at working moments (:meth:`working_moments`).
    """

    def __init__(self, *, seed: int, small: bool) -> None:
        self.rng = random.Random(seed)
        self.small = small
        self.now = timezone.now().replace(microsecond=0)
        self.year_ago = self.now - dt.timedelta(days=365)
        self.departments: dict[str, Any] = {}
        self.users: dict[str, Any] = {}
        self.customers: list = []
        self.products: list = []
        self.outputs: dict[str, Any] = {}
        self._steps: list[tuple[dt.datetime, int, int, Step]] = []
        self._periodic: list[Periodic] = []
        self._at_end: list[Step] = []

    # --- working time ---------------------------------------------------------------------------

    @property
    def working(self):
        """The default working calendar over the demo year (holidays of both years loaded once)."""
        if getattr(self, "_working", None) is None:
            from qsm.sla.calendar import WorkingTime, default_calendar, load_cn_public_holidays

            calendar = default_calendar()
            load_cn_public_holidays(calendar, [self.year_ago.year, self.now.year])  # existing rows are kept
            self._working = WorkingTime.load(calendar, timezone.localdate(self.now))
        return self._working

    def is_working_moment(self, t: dt.datetime) -> bool:
        local = t.astimezone(self.working.tz)
        return any(a <= local <= b for a, b in self.working.intervals(local.date()))

    def _intervals_from(self, day: dt.date, step: int) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        for _n in range(800):
            spans = self.working.intervals(day)
            yield from (spans if step > 0 else reversed(spans))
            day += dt.timedelta(days=step)

    def next_working(self, t: dt.datetime) -> dt.datetime:
        """``t`` when someone is at work then; otherwise the start of the next working interval."""
        local = t.astimezone(self.working.tz)
        for a, b in self._intervals_from(local.date(), 1):
            if b >= local:
                return max(a, local)
        raise ValueError("no working time ahead")

    def previous_working(self, t: dt.datetime) -> dt.datetime:
        """``t`` when someone is at work then; otherwise the end of the last working interval before."""
        local = t.astimezone(self.working.tz)
        for a, b in self._intervals_from(local.date(), -1):
            if a <= local:
                return min(b, local)
        raise ValueError("no working time before")

    def working_times(self, times: list[dt.datetime], *, limit: dt.datetime | None = None) -> list[dt.datetime]:
        """One record's story (moments in order) told in working hours on working days.

        Each moment keeps its working-time distance from the first; a moment that fell in the night,
        a weekend or a holiday moves to the next working morning, a little after opening time, and
        never before the one it followed. The whole story is squeezed, in working time, to end by
        ``limit`` (default: now); the first moment moves back when even it would be too late.
        """
        if not times:
            return []
        working = self.working
        last = self.previous_working(limit or self.now - dt.timedelta(minutes=1))
        start = self.next_working(times[0])
        if start > times[0]:  # arrived out of hours: picked up some time after opening
            start = working.add(start, self.rng.uniform(3, 45))
        start = min(start, last)
        # Working minutes from one moment to the next (one pass over the story's days, not one per step).
        gaps: list[float] = [0.0]
        for before, t in zip(times, times[1:], strict=False):
            gap = working.minutes_between(max(before, start), t) if t > start else 0.0
            if not self.is_working_moment(t) and t > start:
                gap += self.rng.uniform(3, 75)  # came in overnight: dealt with some time after opening
            gaps.append(gap if gap >= 1 else self.rng.uniform(2, 12))
        total = sum(gaps)
        if total > 0 and working.add(start, total) > last:
            scale = working.minutes_between(start, last) / total
            gaps = [g * scale for g in gaps]
        out, at = [], start
        for gap in gaps:
            # Never past ``last``: the scaled gaps add up to it only up to rounding, and a fraction of
            # a minute past the end of a working day is the next working morning (a case "resolved"
            # tomorrow at 09:00, whose visit was then not due yet, when the demo ran after hours).
            at = min(working.add(at, gap), last) if gap else at
            out.append(at.replace(microsecond=0))
        return out

    def working_moments(self, first: dt.datetime, last: dt.datetime, every: dt.timedelta) -> list[dt.datetime]:
        """Moments ``every`` apart inside each working interval between ``first`` and ``last``, and
        each interval's end (when beat's minute-by-minute sweep would have caught what fell due)."""
        out: list[dt.datetime] = []
        day = timezone.localdate(first)
        while day <= timezone.localdate(last):
            for a, b in self.working.intervals(day):
                t = a
                while t < b:
                    out.append(t)
                    t += every
                out.append(b)
            day += dt.timedelta(days=1)
        return [t for t in out if first <= t <= last]

    def add_steps(self, rank: int, steps: list[tuple[dt.datetime, Step]]) -> None:
        """One record's steps, in its own order; ``rank`` orders records' steps at the same moment."""
        for n, (at, step) in enumerate(steps):
            self._steps.append((at, rank, n, step))

    def every(self, *, rank: int, times: Callable[[dt.datetime], Iterable[dt.datetime]],
              step: Callable[[dt.datetime], None], last: Step) -> None:
        self._periodic.append(Periodic(rank, times, step, last))

    def at_end(self, step: Step) -> None:
        """Run once the whole year has run (tidying up what real use would have tidied)."""
        self._at_end.append(step)

    def run(self) -> None:
        """Every step of every record in time order, with the sweeps running as beat would."""
        queue = list(self._steps)
        first = min(q[0] for q in queue)
        for periodic in self._periodic:
            for k, at in enumerate(periodic.times(first)):
                queue.append((at, periodic.rank, k, lambda at=at, step=periodic.step: step(at)))
        heapq.heapify(queue)
        while queue:
            at, _rank, _n, step = heapq.heappop(queue)
            with time_machine.travel(at, tick=False):
                step()
        for periodic in sorted(self._periodic, key=lambda p: p.rank):
            periodic.last()
        for step in self._at_end:
            step()


class DemoBuilder:
    """Base of an app's demo builder: the context's shared state under short names."""

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        self.small = ctx.small
        self.now = ctx.now
        self.year_ago = ctx.year_ago
        self.departments = ctx.departments
        self.users = ctx.users
        self.customers = ctx.customers
        self.products = ctx.products

    def _mobile(self) -> str:
        return f"1{self.rng.choice('3589')}{self.rng.randint(0, 9)}{self.rng.randint(10000000, 99999999)}"


@contextlib.contextmanager
def emails_not_handed_to_broker() -> Iterator[None]:
    """Hold back the e-mail hand-off of the demo year's notifications.

    notify() hands each batch to Celery on commit; a year of history is hundreds of batches,
    and with the broker down each failed hand-off costs the caller about 0.6 s. The demo
    notifications are marked as already e-mailed before the load commits, so nothing is lost.
    """
    original = notify_services._enqueue_emails
    notify_services._enqueue_emails = lambda ids: None
    try:
        yield
    finally:
        notify_services._enqueue_emails = original



def demo_load(*, seed: int, small: bool) -> DemoContext:
    """Every declared builder in dependency order, then the year, in one transaction.

    The transaction commits inside emails_not_handed_to_broker(): the e-mail hand-offs that
    notify() registered run on that commit, and must still find the hand-off held back.
    """
    from django.db import transaction

    from qsm.registry import demo_builders

    ctx = DemoContext(seed=seed, small=small)
    with emails_not_handed_to_broker(), transaction.atomic():
        for _label, build in demo_builders():
            build(ctx)
        ctx.run()
    return ctx

