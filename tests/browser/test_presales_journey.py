"""The pre-sales journey in a real browser (Debian's Chromium driven by Playwright).

A service staff member logs a phone inquiry for a new customer, answers it, marks it complex,
opens a discussion with the production department, records a tailored solution and hands it to
the sales department; a sales user finds it in "my work", acknowledges it and converts it into an
order; a user of another business department gets 404 on the inquiry. Screenshots of each main
step go to test-artifacts/screenshots/.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from qsm.org.models import Role
from tests.browser.conftest import CHROMIUM, screenshot, signed_in_page
from tests.factories import ProductFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    # The live server commits; restore the migrations' reference data (SLA policies, calendar) for it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


_shot = screenshot


@pytest.mark.spec("PRE-1", "PRE-2", "PRE-3", "PRE-4", "INBOX-1", "ORG-1", "SEC-2")
def test_presales_journey(browser, live_server, csp_violations, business_department, sales_department,
                          other_department, production_department):
    # given the three people of the journey (no e-mail address: nothing is queued for a mail worker)
    zhang = UserFactory(username="zhang", display_name="张客服", email="", department=business_department,
                        roles=[Role.STAFF])
    UserFactory(username="li", display_name="李销售", email="", department=sales_department, roles=[Role.STAFF])
    UserFactory(username="wang", display_name="王工程", email="", department=other_department, roles=[Role.STAFF])
    cnc = ProductFactory(code="CNC-100", name="数控机床 CNC-100")
    fixture = ProductFactory(code="FIX-200", name="定制液压夹具")
    assert zhang.pk

    # --- the service staff member logs in: the UI is Chinese -------------------------------------
    page = signed_in_page(browser, live_server, "zhang")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    _shot(page, "01-staff-inbox-empty")

    # --- PRE-1: a phone inquiry for a new customer, without leaving the form ----------------------
    page.click(f"a[href='{reverse('presales:inquiry-create')}']")
    page.wait_for_url(re.compile(r"/presales/new/$"))
    page.click("label[for=id_channel_0]")  # 电话 / phone
    page.fill("#customer-search", "江南精密制造")
    page.wait_for_selector("#customer-results .list-group-item")  # the type-ahead answered: no match
    page.check("#customer-new")
    assert page.input_value("input[name=new_customer_name]") == "江南精密制造"  # carried over
    page.fill("input[name=new_customer_phone]", "0512-88886666")
    page.fill("input[name=new_customer_contact]", "陈工")
    page.fill("input[name=subject]", "五轴加工中心询价")
    page.fill("textarea[name=question]", "客户需要加工铝合金壳体，询问设备报价和交期。")
    page.check(f"input[name=products][value='{cnc.pk}']")
    _shot(page, "02-intake-form")
    page.click("#save-inquiry")
    page.wait_for_url(re.compile(r"/presales/\d+/$"))
    inquiry_url = page.url
    number = page.locator("header h1 span").first.inner_text()
    assert number.startswith("INQ-")
    assert page.locator("#customer-link").inner_text() == "江南精密制造"
    assert page.locator("#inquiry-status .status-new").count() == 1

    # --- the first response (htmx swaps the page body) ---------------------------------------------
    page.fill("#respond-form textarea[name=answer]", "已介绍五轴加工中心型号，报价待方案确认后提供。")
    page.click("#respond-form button[type=submit]")
    page.wait_for_selector("#answer-text")
    assert page.locator("#inquiry-status .status-answered").count() == 1

    # --- PRE-2: needs analysis and "complex" -----------------------------------------------------------
    page.fill("#analyse-form textarea[name=needs_analysis]", "批量加工铝合金壳体，需要定制夹具。")
    page.fill("#analyse-form textarea[name=recommendation]", "CNC-100 + 定制液压夹具")
    page.click("#analyse-form button[type=submit]")
    page.wait_for_selector("text=批量加工铝合金壳体，需要定制夹具。")
    page.click("#toggle-complex")
    page.wait_for_selector("#complex-badge")

    # --- PRE-3: a discussion with the production department, and a tailored solution --------------
    page.fill("#discussion-form input[name=topic]", "定制夹具方案讨论")
    page.check(f"#discussion-form input[name=departments][value='{production_department.pk}']")
    page.click("#discussion-form button[type=submit]")
    page.wait_for_selector("#discussion-topic")
    assert production_department.name in page.locator("#invited").inner_text()
    page.click("#note-details summary")
    page.fill("#note-form textarea[name=body]", "生产部：夹具需三周，可与设备同步交付。")
    page.click("#note-form button[type=submit]")
    page.wait_for_selector("#notes >> text=夹具需三周")
    page.fill("#solution-form input[name=title]", "五轴加工+液压夹具方案")
    page.fill("#solution-form textarea[name=content]", "CNC-100 一台，配定制液压夹具两套，交期六周。")
    page.check(f"#solution-form input[name=products][value='{cnc.pk}']")
    page.check(f"#solution-form input[name=products][value='{fixture.pk}']")
    page.click("#solution-form button[type=submit]")
    page.wait_for_selector(".solution[data-version='1']")
    page.click(".solution[data-version='1'] .sent-form button[type=submit]")
    page.wait_for_selector(".solution[data-version='1'] .bi-send-check")
    _shot(page, "03-discussion-and-solution")

    # --- PRE-4: hand over to the sales department ---------------------------------------------------
    page.select_option("#handover-form select[name=department]", str(sales_department.pk))
    page.fill("#handover-form textarea[name=note]", "客户希望下周拿到正式报价。")
    page.click("#handover-form button[type=submit]")
    page.wait_for_selector("#handover-department")
    assert page.locator("#handover-department").inner_text() == sales_department.name
    assert page.locator("#inquiry-status .status-handed_over").count() == 1
    _shot(page, "04-handed-over")

    # --- SEARCH-1 / ORG-2 on the way: the list filtered by the new customer, and the customer's page --
    page.goto(live_server.url + reverse("presales:inquiry-list"))
    page.fill("#f-customer", "江南")
    with page.expect_navigation(url=re.compile(r"[?&]customer=\d+")):
        # picking a customer applies the filter at once (the page navigates, so click, not check)
        page.click("#filter-customer-results input[name=customer]")
    assert page.locator("#inquiry-table tbody tr").count() == 1
    assert number in page.locator("#inquiry-table").inner_text()
    _shot(page, "04a-inquiry-list")
    page.click("#inquiry-table tbody tr td:nth-child(4) a")  # the customer column
    page.wait_for_url(re.compile(r"/customers/\d+/$"))
    assert number in page.locator(".history-section").first.inner_text()
    assert "陈工" in page.content()
    _shot(page, "04b-customer-page")
    page.click("#user-menu")
    page.click("#logout-button")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.context.close()

    # --- the sales department finds it in "my work", acknowledges and converts it -----------------
    page = signed_in_page(browser, live_server, "li")
    row = page.locator("#inbox-table tr", has_text=number)
    assert row.count() == 1
    _shot(page, "05-sales-inbox")
    row.locator("a").first.click()
    page.wait_for_url(inquiry_url)
    page.click("[data-action=acknowledge]")
    page.wait_for_selector("[data-action=convert]")
    assert page.locator("#inquiry-status .status-acknowledged").count() == 1
    page.click("[data-action=convert]")
    # issue 7: the new-order form pre-filled from the solution (CNC-100, the fixture); nothing saved yet
    page.wait_for_selector("#convert-preview")
    page.fill("#order-form input[name=customer_reference]", "PO-JN-0601")
    page.fill("#order-form input[name=promised_date]", (timezone.localdate() + dt.timedelta(days=42)).isoformat())
    page.fill("#order-form input[name='lines-0-unit_price']", "380000")
    page.fill("#order-form input[name='lines-1-quantity']", "2")
    page.fill("#order-form input[name='lines-1-unit_price']", "12000")
    page.click("#save-order")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    assert page.locator("#order-number").inner_text().strip().startswith("ORD-")
    assert "定制液压夹具" in page.locator("#order-lines").inner_text()
    assert page.locator("#source-inquiry").inner_text() == number
    _shot(page, "06-order")
    page.context.close()

    # --- another business department may not even see it -----------------------------------------
    page = signed_in_page(browser, live_server, "wang")
    response = page.goto(inquiry_url)
    assert response.status == 404
    _shot(page, "07-other-department-404")
    page.context.close()

    # --- the intake form on a phone ---------------------------------------------------------------
    page = signed_in_page(browser, live_server, "zhang", viewport={"width": 390, "height": 844})
    page.goto(live_server.url + reverse("presales:inquiry-create"))
    page.fill("#customer-search", "江南")
    page.wait_for_selector("#customer-results input[name=customer]")  # the customer created above is found
    _shot(page, "08-phone-intake")
    page.context.close()

    # SEC-2: the whole journey ran under the content security policy without a single violation
    csp_violations.assert_none()
