"""VIS-1: "N working days later" (a visit planned after a follow-up is due) by the working calendar."""
from __future__ import annotations

import datetime as dt

import pytest

from qsm.sla.calendar import add_working_days


@pytest.mark.spec("VIS-1")
@pytest.mark.parametrize(("start", "days", "expected"), [
    pytest.param(dt.date(2026, 3, 2), 0, dt.date(2026, 3, 2), id="zero-is-the-day-itself"),
    pytest.param(dt.date(2026, 3, 2), 3, dt.date(2026, 3, 5), id="inside-a-week"),
    pytest.param(dt.date(2026, 3, 5), 3, dt.date(2026, 3, 10), id="across-a-weekend"),
    pytest.param(dt.date(2026, 3, 7), 1, dt.date(2026, 3, 9), id="from-a-saturday"),
    # National Day 2026: 1-7 October off (4 October a Sunday), Saturday 10 October worked (调休)
    pytest.param(dt.date(2026, 9, 30), 1, dt.date(2026, 10, 8), id="skips-national-day"),
    pytest.param(dt.date(2026, 10, 9), 1, dt.date(2026, 10, 10), id="counts-the-make-up-saturday"),
])
def test_add_working_days_follows_the_calendar(calendar_2026, start, days, expected):
    assert add_working_days(start, days, calendar_2026) == expected


def test_negative_days_are_refused(calendar_2026):
    with pytest.raises(ValueError):
        add_working_days(dt.date(2026, 3, 2), -1, calendar_2026)
