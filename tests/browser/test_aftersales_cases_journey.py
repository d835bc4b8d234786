"""The after-sales case journey, part 1 (AFS-1, AFS-2), in a real browser (Debian's Chromium, Playwright).

A service staff member logs a product-quality case for an accepted order through the intake page
(customer and order found by type-ahead); the routing rule hands it to the product's engineer, which
the page shows; the engineer replies, records the diagnosis, cause and solution and resolves it.
The same case page and the list are looked at on a 390 px phone. Screenshots go to
test-artifacts/screenshots/ (aftersales-*.png).
"""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.models import Case, RoutingRule
from qsm.org.models import Role
from tests.aftersales.cases_support import a_cause
from tests.browser.conftest import CHROMIUM, no_sideways_scroll, screenshot, signed_in_page
from tests.browser.tomselect import pick
from tests.factories import CustomerFactory, ProductFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shot(page, name: str) -> None:
    screenshot(page, f"aftersales-{name}")


@pytest.mark.spec("AFS-1", "AFS-2", "SLA-1", "SEC-2")
def test_aftersales_case_journey(browser, live_server, csp_violations, business_department):
    from tests.builders.orders import order_in

    # given a service desk, the machine's engineer, and an accepted order for a machine of the CNC line
    zhang = UserFactory(username="zhang", display_name="张客服", email="", department=business_department,
                        roles=[Role.STAFF])
    zhao = UserFactory(username="zhao", display_name="赵工程师", email="", department=business_department,
                       roles=[Role.STAFF])
    qian = UserFactory(username="qian", display_name="钱工程师", email="", department=business_department,
                       roles=[Role.STAFF])
    machine = ProductFactory(code="CNC-100", name="数控机床 CNC-100", product_line="数控机床",
                             list_price=Decimal("380000.00"))
    customer = CustomerFactory(name="江南精密制造", phone="0512-88886666")
    order = order_in("accepted", actor=zhang, customer=customer, product=machine, installation=True)
    RoutingRule.objects.create(product_line="数控机床", case_type="product_quality", department=business_department,
                               default_owner=zhao, position=1)
    cause = a_cause()

    # --- AFS-1: the staff member logs the phone call on the intake page -------------------------------
    page = signed_in_page(browser, live_server, "zhang")
    page.click("#nav-aftersales")
    page.wait_for_url(re.compile(r"/aftersales/$"))
    page.click("#new-case")
    page.wait_for_url(re.compile(r"/aftersales/new/$"))
    page.click("label[for=id_channel_0]")  # 电话 / phone
    page.fill("#order-search", order.number)  # the order by its number: the type-ahead answers
    page.wait_for_selector(f"#order-results input[name=order][value='{order.pk}']")
    page.check(f"#order-results input[name=order][value='{order.pk}']")
    page.fill("#customer-search", "江南")
    page.wait_for_selector(f"#customer-results input[name=customer][value='{customer.pk}']")
    page.check(f"#customer-results input[name=customer][value='{customer.pk}']")
    page.fill("input[name=contact_name]", "陈工")
    page.click("label[for=id_case_type_0]")  # 产品质量 / product quality
    page.click("label[for=id_severity_2]")  # high
    page.fill("input[name=subject]", "主轴运行异响")
    page.fill("textarea[name=description]", "验收后第二周开始，主轴高速运行时有明显异响。")
    pick(page, "#id_product", "CNC-100", machine.pk)
    _shot(page, "01-intake")
    page.click("#save-case")
    page.wait_for_url(re.compile(r"/aftersales/\d+/$"))
    case = Case.objects.get()
    assert case.owner == zhao and case.order == order and case.product == machine
    # routed: the page says to whom
    assert "赵工程师" in page.locator("#routed-to").inner_text()
    assert business_department.name in page.locator("#messages").inner_text()
    assert page.locator("#case-status .status-new").count() == 1
    assert page.locator("#deadline-reply").count() == 1
    _shot(page, "02-routed")
    page.context.close()

    # --- AFS-1: the engineer hands it to the colleague who looks after this customer, saying why ------
    page = signed_in_page(browser, live_server, "zhao")
    page.goto(live_server.url + case.get_absolute_url())
    page.click("[data-action=reroute]")
    page.click("#reroute summary")
    page.fill("#reroute-owner", "钱")
    page.wait_for_selector(f"#reroute-owner-results input[name=owner][value='{qian.pk}']")
    page.check(f"#reroute-owner-results input[name=owner][value='{qian.pk}']")
    page.fill("#reroute-form textarea[name=reason]", "钱工负责江南精密的设备")
    page.click("#reroute-form button[type=submit]")
    page.wait_for_selector("#routed-to >> text=钱工程师")
    assert "钱工负责江南精密的设备" in page.locator("#timeline").inner_text()
    page.context.close()

    # --- AFS-2: the new owner replies, diagnoses, resolves -----------------------------------------------
    page = signed_in_page(browser, live_server, "qian")
    page.goto(live_server.url + case.get_absolute_url())
    page.fill("#reply textarea[name=reply]", "已电话联系陈工，明天上门检查主轴。")
    page.click("#reply-button")
    page.wait_for_selector("#reply-text")
    assert page.locator("#case-status .status-in_progress").count() == 1
    page.fill("#diagnosis-form textarea[name=diagnosis]", "主轴前轴承磨损。")
    pick(page, "#id_cause", cause.name, cause.pk)
    page.fill("#diagnosis-form textarea[name=cause_detail]", "润滑脂选型不当，磨损加快。")
    page.fill("#diagnosis-form textarea[name=solution]", "更换前轴承，改用高速润滑脂，三个月后复查。")
    page.click("#diagnosis-save")
    page.wait_for_selector("#timeline >> text=主轴前轴承磨损")
    _shot(page, "03-diagnosed")
    page.click("[data-action=resolve]")
    page.wait_for_selector("#case-status .status-resolved")
    case.refresh_from_db()
    assert case.status == "resolved" and case.cause == cause
    _shot(page, "04-resolved")
    page.context.close()

    # --- the same on a phone: the case page and the list as cards, nothing scrolls sideways ----------
    page = signed_in_page(browser, live_server, "zhang", viewport={"width": 390, "height": 844})
    page.goto(live_server.url + case.get_absolute_url())
    no_sideways_scroll(page)
    _shot(page, "05-phone-case")
    page.goto(live_server.url + reverse("aftersales:case-list") + "?q=异响")
    assert page.locator("#case-table tbody tr").count() == 1
    no_sideways_scroll(page)
    _shot(page, "06-phone-list")
    page.context.close()

    csp_violations.assert_none()
