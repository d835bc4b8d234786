"""A production user follows an order in a real browser (issue 7, §3.2(2)).

The sales department has started production of an order (set up through the services). 生产部's
staff member, whose department is declared the production department, finds the order in the
order list (an order still in review is not there), opens it, records two production steps — one
refused first for a missing reason — and sees them on the order and its timeline, with none of the
sales department's actions offered. Screenshots: test-artifacts/screenshots/production-*.png.
"""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from orders.models import ProductionStep
from qsm.org.models import Role
from tests.browser.conftest import CHROMIUM, screenshot, signed_in_page
from tests.builders.orders import S, new_order, order_in
from tests.factories import CustomerFactory, ProductFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shot(page, name: str) -> None:
    screenshot(page, f"production-{name}")


@pytest.mark.spec("ORD-2", "ORG-1", "SEC-2")
def test_a_production_user_follows_an_order(browser, live_server, csp_violations, sales_department,
                                             production_department):
    # given 生产部 declared the production department, and an order the sales department put in production
    production_department.is_production = True
    production_department.save(update_fields=["is_production"])
    sun = UserFactory(username="sun", display_name="孙浩", email="", department=production_department,
                      roles=[Role.STAFF])
    li = UserFactory(username="li", display_name="李销售", email="", department=sales_department, roles=[Role.STAFF])
    UserFactory(username="wang", display_name="王经理", email="", department=sales_department, roles=[Role.MANAGER])
    cnc = ProductFactory(code="VMC-850", name="立式加工中心 VMC850", list_price=Decimal("385000.00"))
    customer = CustomerFactory(name="江南精密制造有限公司")
    producing = order_in(S.IN_PRODUCTION, actor=li, order=new_order(actor=li, customer=customer,
                                                                      lines=[(cnc, 2, 385000)]))
    waiting = new_order(actor=li, customer=customer, lines=[(cnc, 1, 385000)])  # still in review

    page = signed_in_page(browser, live_server, "sun")

    # when the production user opens the order list from the menu
    page.click("#main-nav a[href='/orders/']")
    page.wait_for_url(re.compile(r"/orders/$"))
    table = page.locator("#order-table").inner_text()
    assert producing.number in table and waiting.number not in table
    _shot(page, "01-order-list")

    # and opens the order
    page.click(f"#order-table a:text('{producing.number}')")
    page.wait_for_url(re.compile(rf"/orders/{producing.pk}/$"))
    page.wait_for_selector("#order-status .status-in_production")
    assert page.locator("#actions").count() == 0  # no start / cancel / ship: not production's
    assert page.locator("#progress-form").count() == 0 and page.locator("#ship-form").count() == 0

    # a delay without a reason is refused, the choice kept
    page.select_option("#production-form select[name=stage]", "delayed")
    page.click("#production-form button[type=submit]")
    page.wait_for_selector("#production-form .invalid-feedback, #production-form .is-invalid")
    assert page.locator("#production-form select[name=stage]").input_value() == "delayed"
    assert not ProductionStep.objects.exists()

    # then records the steps
    page.select_option("#production-form select[name=stage]", "materials")
    page.fill("#production-form textarea[name=note]", "铸件与主轴已到货，开始粗加工。")
    page.click("#production-form button[type=submit]")
    page.wait_for_selector("#production-steps .production-step[data-stage=materials]")
    page.select_option("#production-form select[name=stage]", "assembly")
    page.fill("#production-form textarea[name=note]", "主轴箱装配完成，待出厂检验。")
    page.click("#production-form button[type=submit]")
    page.wait_for_selector("#production-steps .production-step[data-stage=assembly]")
    steps = page.locator("#production-steps").inner_text()
    assert "备料完成" in steps and "装配" in steps and "孙浩" in steps
    assert "生产进度：装配" in page.locator("#timeline").inner_text()
    _shot(page, "02-order-with-steps")
    assert [(s.stage, s.recorded_by) for s in ProductionStep.objects.filter(order=producing)] == [
        ("materials", sun), ("assembly", sun)]

    # at phone width the card and its form stay readable
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("#production-form select[name=stage]").is_visible()
    _shot(page, "03-phone")

    # an order outside production is not found
    response = page.goto(live_server.url + waiting.get_absolute_url())
    assert response.status == 404
    page.context.close()
    csp_violations.assert_none()
