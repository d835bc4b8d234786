import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils import timezone

from .models import Deadline


def deadlines_of(record):
    ct = ContentType.objects.get_for_model(record)
    return Deadline.objects.filter(content_type=ct, object_id=record.pk).order_by("started_at", "id")


def time_left(due_at, now=None):
    """Signed seconds until ``due_at`` (negative: overdue)."""
    if due_at is None:
        return None
    return (due_at - (now or timezone.now())).total_seconds()


def sla_met_rate(deadlines) -> float | None:
    """Share of the completed ``deadlines`` that were met on time (0..1); None when none completed.

    The KPIs count SLA-met rates from this (per module: filter by content type / stage first);
    cancelled and still open deadlines do not count. One aggregate query.
    """
    counts = deadlines.aggregate(
        met=Count("pk", filter=Q(state=Deadline.State.MET)),
        done=Count("pk", filter=Q(state__in=Deadline.DONE_STATES)),
    )
    return counts["met"] / counts["done"] if counts["done"] else None


# --- SLA-1: is the working calendar still good for this year and the next? ---------------------

NOTICE_FROM_MONTH = 11  # the State Council publishes next year's notice in November, usually


@dataclass(frozen=True)
class CalendarYear:
    """One year of a calendar: ``state`` is "confirmed" (official notice or entered by hand),
    "estimate" (some days are the package's guess) or "missing" (no day at all)."""

    year: int
    state: str
    package_official: bool  # the installed `holidays` package carries the official notice

    @property
    def can_reload(self) -> bool:
        """A reload would bring something better: the official notice, or any data at all."""
        return self.state == "missing" or (self.state == "estimate" and self.package_official)


def calendar_years(calendar, years) -> list[CalendarYear]:
    """The state of ``years`` in ``calendar`` (one query)."""
    from django.db.models.functions import ExtractYear

    from .cn_calendar import package_is_official
    from .models import CalendarDay

    counts = {
        row["y"]: row for row in CalendarDay.objects.filter(calendar=calendar, date__year__in=list(years))
        .annotate(y=ExtractYear("date")).values("y")
        .annotate(days=Count("pk"), estimated=Count("pk", filter=Q(source=CalendarDay.Source.ESTIMATE)))
    }
    out = []
    for year in years:
        row = counts.get(year)
        state = "missing" if not row else "estimate" if row["estimated"] else "confirmed"
        out.append(CalendarYear(year=year, state=state, package_official=package_is_official(year)))
    return out


def calendar_attention(*, user, today: dt.date | None = None) -> list[CalendarYear]:
    """The years of the default calendar the quality department and the administrators must see
    to (SLA-1): this year when it is not confirmed, and from November on next year too. Empty for
    everyone else. ``today`` defaults to the local date (time-machine moves it in tests)."""
    from qsm.org.rules import in_quality_department, is_administrator

    from .calendar import default_calendar

    if not user.is_authenticated or not (is_administrator(user) or in_quality_department(user)):
        return []
    today = today or timezone.localdate()
    years = [today.year] + ([today.year + 1] if today.month >= NOTICE_FROM_MONTH else [])
    return [y for y in calendar_years(default_calendar(), years) if y.state != "confirmed"]
