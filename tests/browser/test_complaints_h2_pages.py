"""CMP-1 / SEARCH-1 in a real browser (Debian's Chromium, Playwright), on a 390 px phone: the receiver
logs a phone complaint on the intake page and reads the promised reply time out; the complaint's page
and the list (cards) fit the screen. Screenshots: test-artifacts/screenshots/complaints-h2-*.png."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from complaints.models import Complaint
from qsm.org.models import Role
from tests.browser.conftest import CHROMIUM, no_sideways_scroll, screenshot, signed_in_page
from tests.factories import CustomerFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}


def _shot(page, name: str) -> None:
    screenshot(page, f"complaints-h2-{name}")


@pytest.mark.spec("CMP-1", "SEARCH-1", "SEC-2")
def test_a_phone_complaint_logged_on_a_phone_states_the_promised_reply_time(browser, live_server, csp_violations,
                                                                           business_department):
    UserFactory(username="li", display_name="李客服", email="", department=business_department, roles=[Role.STAFF])
    customer = CustomerFactory(name="江南精密制造", phone="0512-88886666")
    page = signed_in_page(browser, live_server, "li", viewport=PHONE, is_mobile=True, has_touch=True)

    # the intake, opened for the customer on the line (as from the customer's page)
    page.goto(live_server.url + reverse("complaints:complaint-create") + f"?customer={customer.pk}")
    page.click("label[for=id_channel_0]")  # 电话 / phone
    page.click("label[for=id_severity_1]")  # 严重 / serious
    page.fill("#id_subject", "设备交付后频繁停机")
    page.fill("#id_description", "客户来电投诉：新交付的数控机床一周内停机三次，影响生产。")
    page.fill("#id_customer_demand", "要求三天内派工程师到场并赔偿停产损失")
    no_sideways_scroll(page)
    _shot(page, "intake-phone")
    page.click("#save-complaint")
    page.wait_for_url(re.compile(r"/complaints/\d+/\?logged=1"))

    complaint = Complaint.objects.get()
    promise = page.locator("#promise-text").inner_text()
    assert promise.startswith("我们将在") and promise.endswith("前答复您。")
    assert page.locator("#acknowledged").is_visible()
    assert complaint.received_by.username == "li" and complaint.severity == "serious"
    no_sideways_scroll(page)
    _shot(page, "logged-phone")

    page.fill("#reply textarea[name=reply]", "已安排质量部调查，工程师明天上门。")
    page.click("#reply-button")
    page.wait_for_selector("#reply-met")

    page.goto(live_server.url + reverse("complaints:complaint-list"))
    assert page.locator("#complaint-table").inner_text().count(complaint.number) == 1
    no_sideways_scroll(page)
    _shot(page, "list-phone")
    csp_violations.assert_none()
    page.context.close()
