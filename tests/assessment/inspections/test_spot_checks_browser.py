"""QC-2 in a real browser: the quality officer draws a spot check of after-sales cases on a tablet;
choosing the module leaves only that module's checklists to pick; the page reads at phone width
without sideways scrolling and without CSP violations. Screenshots:
test-artifacts/screenshots/qc-spot-check-*.png."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from aftersales.models import Case
from assessment.inspections.models import InspectedRecord, Inspection
from tests.browser import conftest as journeys
from tests.browser.conftest import no_sideways_scroll, screenshot
from tests.builders.aftersales import new_case
from tests.builders.assessment import a_checklist, cast, today

# The browser fixtures live with the journeys (tests/browser/conftest.py); this test sits with QC-2's.
browser, csp_violations = journeys.browser, journeys.csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _page(browser, live_server, user, **context):
    client = Client()
    client.force_login(user)
    ctx = browser.new_context(locale="zh-CN", **context)
    ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                      "url": live_server.url}])
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.mark.spec("QC-2")
def test_a_spot_check_of_after_sales_cases_drawn_on_a_tablet(browser, live_server, csp_violations):
    people = cast()
    cases_checklist = a_checklist(module="cases", name="售后服务检查表", people=people)
    a_checklist(module="inquiries", name="售前咨询检查表", people=people)
    cases = [new_case(actor=people.member, subject=f"售后抽查样本{i}") for i in range(8)]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(department=people.department)

    page = _page(browser, live_server, people.quality, viewport={"width": 820, "height": 1180}, has_touch=True)
    page.goto(live_server.url + "/quality/spot-checks/new/")
    page.wait_for_selector("#spot-check-form")
    assert "新建不定期抽查" in page.inner_text("h1")
    # Every module's checklists until a module is chosen; then only that module's.
    assert page.locator("#id_checklist optgroup:not([hidden])").count() == 2
    page.select_option("#id_module", "cases")
    visible = page.locator("#id_checklist optgroup:not([hidden])")
    assert visible.count() == 1 and visible.first.get_attribute("label") == "售后服务单"
    page.select_option("#id_department", str(people.department.pk))
    page.fill("#id_period_start", today().replace(day=1).isoformat())
    page.fill("#id_period_end", today().isoformat())
    page.fill("#id_sample_size", "5")
    page.select_option("#id_checklist", str(cases_checklist.pk))
    screenshot(page, "qc-spot-check-form-tablet")
    page.click("#spot-check-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert not page.locator(".invalid-feedback").count(), page.inner_text("#spot-check-form")
    inspection = Inspection.objects.get()
    assert inspection.module == "cases" and InspectedRecord.objects.filter(inspection=inspection).count() == 5
    assert inspection.number in page.content()
    screenshot(page, "qc-spot-check-drawn")
    csp_violations.assert_none()

    phone = _page(browser, live_server, people.quality, viewport={"width": 390, "height": 844}, is_mobile=True,
                  has_touch=True)
    phone.goto(live_server.url + "/quality/spot-checks/new/")
    phone.wait_for_selector("#spot-check-form")
    phone.click("#spot-check-form button[type=submit]")  # nothing filled in: the errors, in Chinese
    phone.wait_for_selector(".invalid-feedback")
    assert "请选择被检查部门。" in phone.content()
    no_sideways_scroll(phone)
    screenshot(phone, "qc-spot-check-errors-phone")
