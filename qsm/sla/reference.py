"""Reference data of the clocks (SLA-1): the default working calendar with this year's and next
year's CN public holidays and make-up workdays, and a helper with which each domain app declares
its own SLA policies (``<app>/reference.py``).

Every loader is idempotent (rows already there, including an administrator's corrections, are
left alone) and takes an app registry: the global one in tests, a migration's historical one in
a data migration. Apps declare their loader on their AppConfig as ``reference_data``; see
qsm.registry.load_reference_data.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DEFAULT_CALENDAR = {
    "name": "默认工作日历",
    "defaults": {
        "is_default": True,
        "work_start": dt.time(9),
        "lunch_start": dt.time(12),
        "lunch_end": dt.time(13),
        "work_end": dt.time(18),
        "weekdays": "12345",
    },
}


@dataclass(frozen=True)
class Policy:
    """One SLA policy an app needs on every installation (administrators tune it in the admin)."""

    name: str
    record_type: str  # app_label.model
    stage: str
    working_minutes: int
    channel: str = ""
    priority: str = ""
    remind_at_percent: int = 75
    category: str = ""


def ensure_policies(apps, policies: list[Policy]) -> None:
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    for p in policies:
        SlaPolicy.objects.get_or_create(
            record_type=p.record_type, stage=p.stage, channel=p.channel, priority=p.priority, category=p.category,
            defaults={"name": p.name, "working_minutes": p.working_minutes, "remind_at_percent": p.remind_at_percent},
        )


def load(apps, *, today: dt.date | None = None) -> None:
    """The default calendar with this year and next (holiday names in Chinese), each day marked
    official or estimate (qsm.sla.cn_calendar). A year that already has days is left alone."""
    from .cn_calendar import package_year

    WorkCalendar = apps.get_model("sla", "WorkCalendar")
    CalendarDay = apps.get_model("sla", "CalendarDay")
    calendar, _created = WorkCalendar.objects.get_or_create(**DEFAULT_CALENDAR)
    year = (today or dt.date.today()).year
    rows = []
    for y in (year, year + 1):
        if CalendarDay.objects.filter(calendar=calendar, date__year=y).exists():
            continue
        package = package_year(y)
        source = "official" if package.official else "estimate"
        rows += [CalendarDay(calendar=calendar, date=day, kind=kind, name=name, source=source)
                 for day, (kind, name) in sorted(package.days().items())]
    CalendarDay.objects.bulk_create(rows)
