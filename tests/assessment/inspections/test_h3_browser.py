"""QC-2 in a real browser (Debian's Chromium, Playwright): an inspection carried out on a tablet, item
by item (pass / fail with a comment, saved through htmx without leaving the page), then completed;
the inspection list on a phone is cards that fit the screen. Screenshots:
test-artifacts/screenshots/qc-inspection-*.png."""
from __future__ import annotations

import pytest

from assessment.inspections.models import Finding, Inspection
from tests.browser.conftest import CHROMIUM, no_sideways_scroll, screenshot, signed_in_page
from tests.builders.assessment import an_inspection, cast, fresh

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}


@pytest.mark.spec("QC-2", "SEARCH-1")
def test_an_inspection_is_carried_out_on_a_tablet(browser, live_server, csp_violations):
    people = cast()
    inspection = an_inspection(people=people, sample_size=2)
    page = signed_in_page(browser, live_server, "quality", viewport=TABLET, has_touch=True)
    page.goto(live_server.url + inspection.get_absolute_url())
    findings = list(inspection.findings.order_by("sample__position", "item__position"))
    first = findings[0]
    card = page.locator(f"#finding-{first.pk}")
    card.locator(f"label[for=r-{first.pk}-fail]").click()
    card.locator("textarea[name=comment]").fill("来电时间未登记")
    card.locator("button[type=submit]").click()
    page.locator(f"#finding-{first.pk} .status-fail").wait_for()
    assert "不通过" in page.locator(f"#finding-{first.pk} .finding-result").inner_text()
    for finding in findings[1:]:
        row = page.locator(f"#finding-{finding.pk}")
        row.locator(f"label[for=r-{finding.pk}-pass]").click()
        row.locator("button[type=submit]").click()
        page.locator(f"#finding-{finding.pk} .status-pass").wait_for()
    no_sideways_scroll(page)
    screenshot(page, "qc-inspection-tablet")
    page.locator("#complete textarea").fill("一项不通过，已通知销售部")
    page.locator("#complete button[data-action=complete]").click()
    page.locator("#summary").wait_for()
    done = fresh(inspection)
    assert (done.status, done.fail_count, done.pass_count) == (Inspection.Status.COMPLETED, 1, 3)
    assert Finding.objects.get(pk=first.pk).comment == "来电时间未登记"
    screenshot(page, "qc-inspection-completed")

    phone = signed_in_page(browser, live_server, "quality", viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(live_server.url + "/quality/inspections/")
    phone.locator("#inspection-table").wait_for()
    no_sideways_scroll(phone)
    screenshot(phone, "qc-inspection-list-phone")
    csp_violations.assert_none()
