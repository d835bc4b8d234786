"""Helpers for the clock tests: Shanghai wall-clock times and a calendar with 2026 loaded."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from qsm.sla.calendar import default_calendar, load_cn_public_holidays

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(year, month, day, hour=0, minute=0) -> dt.datetime:
    """An aware Asia/Shanghai time (the zone the working calendar is written in)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def calendar_2026(db):
    """The default calendar with 2026 loaded from the `holidays` package.

    The migration loads the current and the next year; the tests use real 2026 dates, so a run
    in 2028 loads 2026 too (rows already there are kept as they are).
    """
    calendar = default_calendar()
    load_cn_public_holidays(calendar, [2026])
    return calendar
