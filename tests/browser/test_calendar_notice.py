"""SLA-1 in a real browser: an administrator's start page says that this year's working calendar is
only estimated and reloads it from the official notice in one click (desktop and phone width)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from qsm.org.models import Role
from qsm.sla.calendar import default_calendar
from qsm.sla.models import CalendarDay
from tests.factories import UserFactory

from .conftest import PASSWORD, SHOTS

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.spec("SLA-1")
def test_the_administrator_reloads_an_estimated_year_from_the_start_page(browser, live_server, csp_violations,
                                                                         time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC))  # 10:00 in Shanghai, ticking
    calendar = default_calendar()
    CalendarDay.objects.filter(calendar=calendar, date__year=2026).delete()
    CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 10, 1), kind="holiday", name="国庆节",
                               source=CalendarDay.Source.ESTIMATE)
    UserFactory(username="root", password=PASSWORD, department=None, roles=[Role.ADMINISTRATOR], is_staff=True,
                is_superuser=True)

    for width, name in ((1366, "desktop"), (390, "phone")):
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(live_server.url + reverse("login"))
        page.fill("input[name=username]", "root")
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-button")
        page.wait_for_url(live_server.url + reverse("inbox"))
        notice = page.locator("#calendar-notice-2026")
        assert "2026 年的法定节假日仍是推定" in notice.inner_text()
        page.screenshot(path=str(SHOTS / f"calendar-notice-{name}.png"), full_page=True)
        context.close()

    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(live_server.url + reverse("inbox"))
    page.goto(live_server.url + reverse("admin:index"))  # the admin's index says it too
    assert "2026 年的法定节假日仍是推定" in page.locator("#calendar-notice-2026").inner_text()
    page.screenshot(path=str(SHOTS / "calendar-notice-admin.png"), full_page=True)
    page.goto(live_server.url + reverse("inbox"))
    page.click("#calendar-notice-2026 button[type=submit]")
    page.wait_for_url(live_server.url + reverse("inbox"))
    assert page.locator("#calendar-notice-2026").count() == 0
    assert "2026 年工作日历已重新载入" in page.content()
    page.screenshot(path=str(SHOTS / "calendar-notice-reloaded.png"), full_page=True)
    assert CalendarDay.objects.get(calendar=calendar, date=dt.date(2026, 10, 10)).kind == CalendarDay.Kind.WORKDAY
    csp_violations.assert_none()
