"""Working-time arithmetic (SLA-1): working hours, public holidays and make-up workdays (调休).

All arithmetic happens in Asia/Shanghai wall-clock time and results are returned as aware
datetimes; the database stores them in UTC.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

from .models import CalendarDay, WorkCalendar

log = logging.getLogger(__name__)

MAX_DAYS = 800  # a deadline further than two years of working days away is a configuration error


@dataclass
class WorkingTime:
    calendar: WorkCalendar
    holidays: set[dt.date]
    workdays: set[dt.date]
    # Years of the window with at least one calendar day. A calendar that has days in some years
    # but none in a year a computation crosses counts that year's public holidays as working days:
    # it says so in the log (SLA-1). A calendar without any days (a 7x24 desk) is as intended.
    years: set[int] = field(default_factory=set)
    _warned: set[int] = field(default_factory=set, repr=False)

    @classmethod
    def load(cls, calendar: WorkCalendar, around: dt.date) -> WorkingTime:
        # One query for a window wide enough for any realistic SLA.
        days = CalendarDay.objects.filter(
            calendar=calendar, date__gte=around - dt.timedelta(days=400), date__lte=around + dt.timedelta(days=MAX_DAYS)
        ).values_list("date", "kind")
        holidays = {d for d, k in days if k == CalendarDay.Kind.HOLIDAY}
        workdays = {d for d, k in days if k == CalendarDay.Kind.WORKDAY}
        return cls(calendar, holidays, workdays, years={d.year for d, _k in days})

    def _check_year(self, year: int) -> None:
        if self.years and year not in self.years and year not in self._warned:
            self._warned.add(year)
            log.warning(
                "working calendar %r has no public holidays or make-up workdays for %s: deadlines in %s count "
                "its holidays as working days. Load the year (the start page of the quality department and the "
                "administrators offers it) or enter it in the admin.", self.calendar.name, year, year)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(settings.TIME_ZONE)

    def is_working_day(self, day: dt.date) -> bool:
        self._check_year(day.year)
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return str(day.isoweekday()) in self.calendar.weekdays

    def intervals(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working intervals of one day, as aware local datetimes."""
        if not self.is_working_day(day):
            return []
        c = self.calendar
        tz = self.tz
        spans = []
        if c.lunch_start and c.lunch_end and c.work_start < c.lunch_start < c.lunch_end < c.work_end:
            spans = [(c.work_start, c.lunch_start), (c.lunch_end, c.work_end)]
        else:
            spans = [(c.work_start, c.work_end)]
        return [(dt.datetime.combine(day, a, tz), dt.datetime.combine(day, b, tz)) for a, b in spans]

    def add(self, start: dt.datetime, minutes: float) -> dt.datetime:
        """The moment when ``minutes`` of working time have passed after ``start``."""
        remaining = dt.timedelta(minutes=minutes)
        current = start.astimezone(self.tz)
        day = current.date()
        for _ in range(MAX_DAYS):
            for a, b in self.intervals(day):
                if b <= current:
                    continue
                begin = max(a, current)
                span = b - begin
                if remaining <= span:
                    return begin + remaining
                remaining -= span
            day += dt.timedelta(days=1)
        raise ValueError("working time does not fit in the calendar window")

    def minutes_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working minutes from ``start`` to ``end`` (0 when end is not after start)."""
        if end <= start:
            return 0.0
        start = start.astimezone(self.tz)
        end = end.astimezone(self.tz)
        total = dt.timedelta()
        day = start.date()
        while day <= end.date():
            for a, b in self.intervals(day):
                lo, hi = max(a, start), min(b, end)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total.total_seconds() / 60


def default_calendar() -> WorkCalendar:
    calendar = WorkCalendar.objects.filter(is_default=True).first()
    if calendar is None:
        calendar, _created = WorkCalendar.objects.get_or_create(
            name="Default", defaults={"is_default": not WorkCalendar.objects.filter(is_default=True).exists()}
        )
    return calendar


def end_of_working_day(day: dt.date, calendar: WorkCalendar | None = None) -> dt.datetime:
    """When work ends on ``day`` in the calendar's hours: the due time of "by that date"."""
    calendar = calendar or default_calendar()
    return dt.datetime.combine(day, calendar.work_end, ZoneInfo(settings.TIME_ZONE))


def add_working_minutes(start: dt.datetime, minutes: float, calendar: WorkCalendar | None = None) -> dt.datetime:
    calendar = calendar or default_calendar()
    return WorkingTime.load(calendar, start.date()).add(start, minutes)


def add_working_days(day: dt.date, days: int, calendar: WorkCalendar | None = None) -> dt.date:
    """The ``days``-th working day after ``day`` (``day`` itself when ``days`` is 0): "N working days
    later" of a visit plan or a follow-up (VIS-1), skipping weekends, public holidays and counting
    make-up workdays (调休) of the calendar."""
    if days < 0:
        raise ValueError("days must not be negative")
    calendar = calendar or default_calendar()
    wt = WorkingTime.load(calendar, day)
    current, counted = day, 0
    for _step in range(MAX_DAYS):
        if counted >= days:
            return current
        current += dt.timedelta(days=1)
        if wt.is_working_day(current):
            counted += 1
    raise ValueError("working days do not fit in the calendar window")


def load_cn_public_holidays(calendar: WorkCalendar, years: list[int]) -> int:
    """Pre-load CN public holidays and make-up workdays from the `holidays` package.

    A year is loaded only when none of its days came from the package yet; days entered by hand
    are never touched (a reload of a year is ``services.calendar_year_load(replace=True)``).
    Returns the number of days added.
    """
    from .services import calendar_year_load

    return sum(calendar_year_load(calendar=calendar, year=year).added for year in years)
