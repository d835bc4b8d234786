"""Issue 7 in a real browser (h1): converting an inquiry through the pre-filled new-order form, and
returning an order with three failed checklist items in one press (Debian's Chromium, Playwright).

An inquiry whose tailored solution names a robot is acknowledged by the sales department; the sales
staff member converts it: the form shows the robot at list price, the quantity is changed to two, the
customer's PO and promised date entered, and only then is the order created. The sales manager marks
three checklist items failed with notes, lists the problems and presses 退回客户 without saving the
checklist first: the order is returned and the notes are on the returned round. Screenshots go to
test-artifacts/screenshots/h1-*.png (1366 px and 390 px wide).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Order
from presales import services as presales_services
from presales.models import Inquiry
from qsm.org.models import Role
from tests.browser.conftest import CHROMIUM, screenshot, signed_in_page
from tests.builders.inquiries import inquiry_in
from tests.factories import CustomerFactory, ProductFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    # The live server commits; restore the migrations' reference data (SLA policies, calendar) for it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shot(page, name: str) -> None:
    screenshot(page, f"h1-{name}")


def _check(page, item: str, result: str, note: str = "") -> None:
    index = {"pass": 0, "fail": 1, "waived": 2}[result]
    page.click(f"#checklist-form label[for=id_result_{item}_{index}]")
    if note:
        page.fill(f"#checklist-form input[name=note_{item}]", note)


@pytest.mark.spec("PRE-4", "ORD-1", "SEC-2")
def test_convert_with_the_prefilled_form_then_return_with_three_failed_items(
        browser, live_server, csp_violations, business_department, sales_department, production_department):
    # given an inquiry whose tailored solution names a robot, acknowledged by the sales department
    zhang = UserFactory(username="zhang", display_name="张客服", email="", department=business_department,
                        roles=[Role.STAFF])
    li = UserFactory(username="li", display_name="李销售", email="", department=sales_department, roles=[Role.STAFF])
    UserFactory(username="wang", display_name="王经理", email="", department=sales_department, roles=[Role.MANAGER])
    robot = ProductFactory(code="RB-QR6", name="六轴工业机器人 QR-6", list_price=Decimal("158000.00"))
    customer = CustomerFactory(name="江南精密制造", phone="0512-88886666")
    inquiry = inquiry_in(Inquiry.Status.DISCUSSION, actor=zhang, customer=customer, subject="焊接工作站改造",
                         invited=[production_department], contact_name="陈工", contact_phone="13900001111")
    presales_services.solution_add(inquiry=inquiry, actor=zhang, title="双机器人焊接方案",
                                   content="两台 QR-6 机器人，配焊接夹具。", products=[robot])
    presales_services.inquiry_hand_over(inquiry=inquiry, actor=zhang, department=sales_department)
    presales_services.inquiry_acknowledge(inquiry=inquiry, actor=li)

    # --- PRE-4: "convert to order" opens the pre-filled form; nothing exists until it is saved -------
    page = signed_in_page(browser, live_server, "li")
    page.goto(live_server.url + inquiry.get_absolute_url())
    page.click("[data-action=convert]")
    page.wait_for_selector("#convert-preview")
    assert "江南精密制造" in page.locator("#inquiry-customer").inner_text()
    assert page.locator("select[name='lines-0-product']").input_value() == str(robot.pk)
    assert page.locator("input[name='lines-0-quantity']").input_value() == "1"
    assert page.locator("input[name='lines-0-unit_price']").input_value() == "158000"
    assert page.locator("input[name=site_contact]").input_value() == "陈工 13900001111"
    assert "双机器人焊接方案" in page.locator("textarea[name=needs]").input_value()
    assert not Order.objects.exists()
    _shot(page, "01-convert-form-prefilled")
    # the solution named two robots: the quantity is corrected, the PO and the promised date entered
    page.fill("input[name='lines-0-quantity']", "2")
    page.fill("input[name=customer_reference]", "PO-JN-2026-118")
    page.fill("input[name=promised_date]", (timezone.localdate() + dt.timedelta(days=45)).isoformat())
    page.click("#save-order")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order_url = page.url
    assert page.locator("#source-inquiry").inner_text() == inquiry.number
    assert page.locator("#order-lines tbody tr td").nth(1).inner_text().strip() == "2"
    order = Order.objects.get()
    assert (order.customer_reference, order.lines.get().quantity) == ("PO-JN-2026-118", Decimal("2.00"))
    assert Inquiry.objects.get(pk=inquiry.pk).status == Inquiry.Status.CONVERTED
    _shot(page, "02-converted-order")
    page.context.close()

    # --- ORD-1: three items failed with notes and 退回客户 pressed at once (no save before) ------------
    page = signed_in_page(browser, live_server, "wang")
    page.goto(order_url)
    _check(page, "customer", "pass")
    _check(page, "items", "fail", "数量以客户采购单为准，需确认两台")
    _check(page, "prices", "fail", "单价未含焊接夹具")
    _check(page, "delivery_date", "fail", "45 天内无法交付两台")
    page.fill("#checklist-form textarea[name=problems]", "1. 确认数量\n2. 单价补充夹具\n3. 交期延后两周")
    page.click("#checklist-form [data-action=return]")
    page.wait_for_selector("#order-status .status-returned")
    assert "交期延后两周" in page.locator("#returned-notice").inner_text()
    round_text = page.locator("#round-1 .findings").inner_text()
    assert "单价未含焊接夹具" in round_text and "45 天内无法交付两台" in round_text
    returned = Order.objects.get().review_rounds.get()
    assert returned.outcome == "returned"
    assert {f.item: f.note for f in returned.findings.filter(result="fail")} == {
        "items": "数量以客户采购单为准，需确认两台", "prices": "单价未含焊接夹具", "delivery_date": "45 天内无法交付两台"}
    _shot(page, "03-returned-in-one-press")
    page.context.close()

    # --- the same review form on a phone, with a refusal: nothing typed is lost ----------------------
    li_page = signed_in_page(browser, live_server, "li", width=390)
    li_page.goto(order_url)
    li_page.click("[data-action=resubmit]")
    li_page.wait_for_selector("#order-status .status-review")
    li_page.context.close()
    page = signed_in_page(browser, live_server, "wang", width=390)
    page.goto(order_url)
    _check(page, "items", "fail", "仍需确认")
    page.click("#checklist-form [data-action=return]")  # no problems listed: refused
    page.wait_for_selector("#checklist-form textarea[name=problems].is-invalid")
    assert page.locator("#checklist-form input[name=note_items]").input_value() == "仍需确认"
    assert page.locator("#order-status .status-review").count() == 1
    _shot(page, "04-review-refused-phone")
    page.context.close()
    csp_violations.assert_none()
