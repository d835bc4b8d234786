"""The in-sale journey in a real browser (Debian's Chromium driven by Playwright), issue 3.

An inquiry handed over to the sales department (set up through the services) is converted into an
order in the browser; the sales manager reviews it and returns it to the customer with two
problems; the sales staff member enters the amendment and resubmits; the second round is approved.
Production starts, two partial deliveries are shipped and received and a progress update is told
to the customer. The installation is scheduled with a named engineer, who commissions it; the
customer rejects it once, the engineer reworks and commissions again, and the customer accepts with
remarks. The order then shows a follow-up visit due (ORD-4). Screenshots go to
test-artifacts/screenshots/orders-*.png.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from presales import services as presales_services
from qsm.org.models import Role
from tests.browser.conftest import CHROMIUM, screenshot, signed_in_page
from tests.builders.inquiries import new_inquiry
from tests.factories import CustomerFactory, ProductFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    # The live server commits; restore the migrations' reference data (SLA policies, calendar) for it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shot(page, name: str) -> None:
    screenshot(page, f"orders-{name}")


def _logout(page) -> None:
    page.click("#user-menu")
    page.click("#logout-button")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.context.close()


def _status(page, status: str) -> None:
    """Wait until htmx has swapped in the page of an order (or its installation) in ``status``."""
    page.wait_for_selector(f"#order-status .status-{status}, #installation-status .status-{status}")


def _check(page, item: str, result: str, note: str = "") -> None:
    index = {"pass": 0, "fail": 1, "waived": 2}[result]
    page.click(f"#checklist-form label[for=id_result_{item}_{index}]")
    if note:
        page.fill(f"#checklist-form input[name=note_{item}]", note)


@pytest.mark.spec("ORD-1", "ORD-2", "ORD-3", "ORD-4", "PRE-4", "WF-1", "WF-2", "SEC-2")
def test_order_journey(browser, live_server, csp_violations, business_department, sales_department,
                       production_department):
    # given the people of the journey (no e-mail address: nothing is queued for a mail worker)
    zhang = UserFactory(username="zhang", display_name="张客服", email="", department=business_department,
                        roles=[Role.STAFF])
    li = UserFactory(username="li", display_name="李销售", email="", department=sales_department, roles=[Role.STAFF])
    UserFactory(username="wang", display_name="王经理", email="", department=sales_department, roles=[Role.MANAGER])
    zhao = UserFactory(username="zhao", display_name="赵工程师", email="", department=production_department,
                       roles=[Role.STAFF])
    cnc = ProductFactory(code="CNC-100", name="数控机床 CNC-100", list_price=Decimal("100000.00"))
    customer = CustomerFactory(name="江南精密制造", phone="0512-88886666")
    # and an inquiry handed over to the sales department and acknowledged there (PRE-4)
    inquiry = new_inquiry(actor=zhang, customer=customer, subject="五轴加工中心采购", question="需要两台设备，含安装调试",
                           answer="已介绍型号与报价", products=[cnc])
    presales_services.inquiry_hand_over(inquiry=inquiry, actor=zhang, department=sales_department)
    presales_services.inquiry_acknowledge(inquiry=inquiry, actor=li)

    # --- PRE-4 -> ORD-1: the sales staff member converts the inquiry in the browser ------------------
    page = signed_in_page(browser, live_server, "li")
    page.goto(live_server.url + inquiry.get_absolute_url())
    page.click("[data-action=convert]")
    # issue 7: the pre-filled new-order form; the customer's PO and promised date are entered, then saved
    page.wait_for_selector("#convert-preview")
    page.fill("#order-form input[name=customer_reference]", "PO-JN-0601")
    page.fill("#order-form input[name=promised_date]", (timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.click("#save-order")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order_url = page.url
    number = page.locator("#order-number").inner_text().strip()
    assert number.startswith("ORD-")
    assert page.locator("#source-inquiry").inner_text() == inquiry.number
    assert "数控机床 CNC-100" in page.locator("#order-lines").inner_text()
    _status(page, "review")
    _shot(page, "01-converted")
    _logout(page)

    # --- ORD-1: the sales manager reviews and returns it with two problems ---------------------------
    page = signed_in_page(browser, live_server, "wang")
    page.goto(order_url)
    _check(page, "customer", "pass")
    _check(page, "items", "fail", "数量未确认（咨询为两台）")
    _check(page, "prices", "pass")
    _check(page, "delivery_date", "fail", "未给出交货日期")
    page.click("#save-findings")
    page.wait_for_selector("#round-1 .findings")
    assert page.locator("#round-1 .findings tr").count() == 4
    page.fill("#checklist-form textarea[name=problems]", "1. 请确认订购数量（两台）\n2. 请给出要求的交货日期，并确认是否需要安装")
    page.click("#checklist-form [data-action=return]")  # issue 7: one review form
    _status(page, "returned")
    assert "请确认订购数量" in page.locator("#returned-notice").inner_text()
    _shot(page, "02-returned-with-two-problems")
    _logout(page)

    # --- the customer's amendment is entered, and the order goes back to review --------------------
    page = signed_in_page(browser, live_server, "li")
    page.goto(order_url)
    promised = timezone.localdate() + dt.timedelta(days=40)
    page.fill("#amend-form input[name=promised_date]", promised.isoformat())
    page.check("#amend-installation")
    page.fill("#amend-form input[name=site_address]", "苏州工业园区星湖街 1 号 3 号厂房")
    page.fill("#amend-form input[name=site_contact]", "陈工 13900001111")
    page.fill("#amend-form input[name='lines-0-quantity']", "2")
    page.fill("#amend-form input[name=comment]", "客户邮件确认数量与交期")
    page.click("#save-amendment")
    page.wait_for_selector("#messages .alert-success")
    assert page.locator("#order-lines tbody tr td").nth(1).inner_text().strip() == "2"
    page.click("[data-action=resubmit]")
    _status(page, "review")
    # four-eyes (ORG-1): li entered and amended the order, so li is offered no approve or return
    page.wait_for_selector("#four-eyes-notice")
    assert page.locator("[data-action=approve]").count() == 0 and page.locator("[data-action=return]").count() == 0
    _shot(page, "03-amended-round-2")
    _logout(page)

    # --- ORD-1: round 2 passes, with the installation item, and the order is approved ---------------
    page = signed_in_page(browser, live_server, "wang")
    page.goto(order_url)
    for item in ("customer", "items", "prices", "delivery_date", "installation"):
        _check(page, item, "pass")
    page.click("#save-findings")
    page.wait_for_selector("#round-2 .findings")
    page.click("[data-action=approve]")
    _status(page, "approved")
    assert page.locator(".review-round").count() == 2
    _logout(page)

    # --- ORD-2: production, two partial deliveries, a progress update to the customer -----------------
    page = signed_in_page(browser, live_server, "li")
    page.goto(order_url)
    page.click("[data-action=start_production]")
    _status(page, "in_production")
    line_input = page.locator("#ship-form input[name^=qty_]").first
    line_input.fill("1")
    page.fill("#ship-form input[name=carrier]", "德邦物流 DB20240601")
    page.click("#ship-button")
    page.wait_for_selector("#delivery-1")
    _status(page, "delivering")
    page.fill("#delivery-1 input[name=quality_note]", "第一台到货，外观完好，随机资料齐全")
    page.click("#delivery-1 [data-action=confirm]")
    page.wait_for_selector("#delivery-1[data-status=delivered]")
    page.click("#progress-form label[for=id_kind_0]")  # a progress update to the customer
    page.select_option("#progress-form select[name=channel]", "phone")
    page.fill("#progress-form textarea[name=text]", "电话告知陈工：第二台设备本周五发货，预计下周二到厂。")
    page.click("#progress-form button[type=submit]")
    page.wait_for_selector("#progress-notes >> text=第二台设备本周五发货")
    page.locator("#ship-form input[name^=qty_]").first.fill("1")
    page.fill("#ship-form input[name=carrier]", "德邦物流 DB20240615")
    page.click("#ship-button")
    page.wait_for_selector("#delivery-2")
    page.fill("#delivery-2 input[name=quality_note]", "第二台到货，检验合格")
    page.click("#delivery-2 [data-action=confirm]")
    _status(page, "delivered")
    assert page.locator("#order-lines td.outstanding").first.inner_text().strip() == "0"
    _shot(page, "04-two-partial-deliveries")

    # --- ORD-3: the installation is scheduled with a named engineer ----------------------------------
    page.fill("#schedule-form input[name=scheduled_for]", (timezone.localdate() + dt.timedelta(days=3)).isoformat())
    page.select_option("#schedule-form select[name=engineers]", str(zhao.pk))
    page.click("#schedule-form button[type=submit]")
    _status(page, "installing")
    assert "赵工程师" in page.locator("#engineers").inner_text()
    _logout(page)

    # --- the engineer installs and commissions; the customer rejects once -------------------------
    page = signed_in_page(browser, live_server, "zhao")
    page.goto(order_url)
    page.click("[data-action=start_installation]")
    _status(page, "on_site")
    page.fill("#commission-form textarea[name=site_work]", "设备就位、调平、接电接气")
    page.fill("#commission-form input[name=check_item_0]", "空载运行 2 小时")
    page.check("#commission-form input[name=check_ok_0]")
    page.fill("#commission-form input[name=check_item_1]", "定位精度检测")
    page.check("#commission-form input[name=check_ok_1]")
    page.fill("#commission-form input[name=m_name_0]", "定位精度")
    page.fill("#commission-form input[name=m_value_0]", "0.008")
    page.fill("#commission-form input[name=m_unit_0]", "mm")
    page.click("#commission-button")
    _status(page, "commissioned")
    _shot(page, "05-commissioned")
    page.click("#acceptance-form label[for=id_result_2]")  # rejected
    page.fill("#acceptance-form textarea[name=remarks]", "主轴噪音偏大，要求更换轴承后复验")
    page.fill("#acceptance-form input[name=signatory]", "陈工")
    page.click("#acceptance-button")
    _status(page, "rework")
    assert page.locator("#acceptance-rounds tr[data-result=rejected]").count() == 1
    _shot(page, "06-rejected-rework")

    # --- rework, commissioned again (a new round, its form empty), accepted with remarks --------------
    assert page.input_value("#commission-form input[name=check_item_0]") == ""
    page.fill("#commission-form textarea[name=site_work]", "更换主轴轴承，重新调试")
    page.fill("#commission-form input[name=check_item_0]", "主轴噪音复测")
    page.check("#commission-form input[name=check_ok_0]")
    page.click("#commission-button")
    _status(page, "commissioned")
    assert page.locator("#commissioning .commissioning-round").count() == 2
    page.click("#acceptance-form label[for=id_result_1]")  # accepted with remarks
    page.fill("#acceptance-form textarea[name=remarks]", "需补充一次操作培训")
    page.fill("#acceptance-form textarea[name=feedback]", "安装人员专业，整体满意")
    page.fill("#acceptance-form input[name=signatory]", "陈工")
    page.click("#acceptance-button")
    _status(page, "accepted")

    # --- ORD-4: the order shows a follow-up visit due ------------------------------------------------
    page.wait_for_selector("#visit-due-badge")
    assert page.locator("#acceptance-rounds tbody tr").count() == 2
    assert "需补充一次操作培训" in page.locator("#acceptance-rounds").inner_text()
    _shot(page, "07-accepted-visit-due")
    _logout(page)

    order = Order.objects.get(number=number)
    assert order.status == "accepted" and order.visit_due and order.follow_up_reason == "accepted"
    assert [r.outcome for r in order.review_rounds.order_by("number")] == ["returned", "approved"]
    assert order.deliveries.count() == 2 and order.progress_notes.count() == 1

    # --- the list: the order carries its visit-due badge; deliveries and installations tabs ---------
    page = signed_in_page(browser, live_server, "li")
    page.goto(live_server.url + reverse("orders:order-list"))
    row = page.locator("#order-table tr", has_text=number)
    assert row.locator(".visit-due-badge").count() == 1
    _shot(page, "08-order-list")
    page.click("#tab-deliveries")
    page.wait_for_url(re.compile(r"/orders/deliveries/$"))
    assert page.locator("#delivery-table tbody tr").count() == 2
    page.click("#tab-installations")
    page.wait_for_url(re.compile(r"/orders/installations/$"))
    assert "赵工程师" in page.locator("#installation-table").inner_text()
    _shot(page, "09-installation-list")

    # --- ORD-1: an order entered directly; rows are added without leaving the form -----------------
    page.click("#new-order")
    page.wait_for_url(re.compile(r"/orders/new/$"))
    page.fill("#customer-search", "江南")
    page.click("#customer-results input[name=customer]")
    page.select_option("select[name='lines-0-product']", str(cnc.pk))
    page.fill("input[name='lines-0-quantity']", "1")
    page.fill("input[name='lines-0-unit_price']", "98000")
    page.click("#add-line")
    assert page.locator("#line-rows tbody tr").count() == 4 and page.input_value("input[name=lines-TOTAL_FORMS]") == "4"
    page.check("#id_installation_required")
    page.fill("input[name=site_address]", "苏州工业园区星湖街 1 号 5 号厂房")
    page.set_viewport_size({"width": 1366, "height": 1300})  # the whole form above its sticky save bar
    _shot(page, "10-new-order-form")
    page.click("#save-order")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    _status(page, "review")
    assert Order.objects.filter(customer=customer).count() == 2
    page.context.close()

    # SEC-2: the whole journey ran under the content security policy without a single violation
    csp_violations.assert_none()
