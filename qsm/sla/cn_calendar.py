"""What the installed `holidays` package knows about one year of China's working calendar (SLA-1),
and whether that is the State Council's notice or a rule-based estimate.

How official is told from estimated. The package computes every year from the statutory rules
(元旦, 春节 from the lunar calendar, 清明, 劳动节, 端午, 中秋, 国庆) and moves a day that falls on a
weekend with a generic "observed" rule. That is an **estimate**: it has no make-up workdays (调休)
and often the wrong days off. When the General Office of the State Council publishes a year's
notice (usually in November of the year before), the package transcribes its day swaps into
``ChinaStaticHolidays.special_public_holidays[year]``; only then does it know the make-up
Saturdays/Sundays (``weekend_workdays``) and the real bridges. So a year is **official** exactly when
it has an entry there (every year 2001-2026 does in holidays 0.109; 2027 and later do not). If a
future package version moves that table, every year reads as an estimate: the app then asks
for a reload too often, never too rarely.

Pure functions of the package, no models: used by the services, the reference-data loader and
the data migration that marked the existing rows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

WORKDAY_NAME = "调休上班"


def package_is_official(year: int) -> bool:
    """True when the installed `holidays` package carries the State Council's notice for ``year``."""
    try:
        from holidays.countries.china import ChinaStaticHolidays
    except ImportError:  # pragma: no cover - a package reorganisation: treat everything as estimated
        return False
    return year in (getattr(ChinaStaticHolidays, "special_public_holidays", None) or {})


@dataclass(frozen=True)
class PackageYear:
    """One year as the package has it: days off and make-up workdays, with their Chinese names."""

    year: int
    official: bool
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: dict[dt.date, str] = field(default_factory=dict)

    def days(self) -> dict[dt.date, tuple[str, str]]:
        """date -> (kind, name), kind being CalendarDay.Kind's value ("holiday" / "workday")."""
        rows = {d: ("holiday", name) for d, name in self.holidays.items()}
        rows.update({d: ("workday", name) for d, name in self.workdays.items() if d not in rows})
        return rows


def package_year(year: int) -> PackageYear:
    import holidays

    cn = holidays.China(years=year, language="zh_CN")
    return PackageYear(
        year=year,
        official=package_is_official(year),
        holidays={d: str(name)[:100] for d, name in sorted(cn.items()) if d.year == year},
        workdays={d: WORKDAY_NAME for d in sorted(getattr(cn, "weekend_workdays", ()) or ()) if d.year == year},
    )
