"""ORD-3 in a real browser (issue 7): the sales staff member reschedules a scheduled installation on
the order page (a new date and the reason), the page shows the date in force and the timeline the
move with the reason; the engineers are changed the same way. Screenshots go to
test-artifacts/screenshots/installation-*.png."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from orders.models import Installation, Order
from qsm.notify.models import Notification
from qsm.org.models import Role
from tests.browser.conftest import CHROMIUM, screenshot, signed_in_page
from tests.builders.orders import order_in
from tests.factories import CustomerFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shot(page, name: str) -> None:
    screenshot(page, f"installation-{name}")


@pytest.mark.spec("ORD-3", "WF-2", "NTF-1", "SEC-2")
def test_reschedule_an_installation_on_the_order_page(browser, live_server, csp_violations, sales_department,
                                                      production_department):
    # given an order whose installation is scheduled with an engineer of production
    li = UserFactory(username="li", display_name="李销售", email="", department=sales_department, roles=[Role.STAFF])
    zhao = UserFactory(username="zhao", display_name="赵工程师", email="", department=production_department,
                       roles=[Role.STAFF])
    ma = UserFactory(username="ma", display_name="马工程师", email="", department=production_department,
                     roles=[Role.MANAGER])
    order = order_in(Order.Status.INSTALLING, actor=li, engineer=zhao, installation=True,
                     customer=CustomerFactory(name="江南精密制造", phone="0512-88886666"))
    old = Installation.objects.get(order=order).scheduled_for
    new = timezone.localdate() + dt.timedelta(days=10)

    # when the sales staff member opens the order and reschedules, first forgetting the reason
    page = signed_in_page(browser, live_server, "li")
    page.goto(live_server.url + order.get_absolute_url() + "#installation")
    assert page.inner_text("#installation-date") == old.isoformat()
    page.click("#reschedule-toggle")
    page.fill("#reschedule-form input[name=scheduled_for]", new.isoformat())
    page.click("#reschedule-button")
    page.wait_for_selector("#reschedule-form .invalid-feedback, #reschedule-form .is-invalid")
    # the date typed is kept and nothing moved
    assert page.input_value("#reschedule-form input[name=scheduled_for]") == new.isoformat()
    assert Installation.objects.get(order=order).scheduled_for == old
    page.fill("#reschedule-form textarea[name=reason]", "客户厂房地面未完工，推迟安装")
    page.click("#reschedule-button")

    # then the page shows the new date in force, and the timeline the move with the reason
    page.wait_for_function(
        "d => document.querySelector('#installation-date').textContent.trim() === d", arg=new.isoformat())
    timeline = page.inner_text("#timeline")
    assert "安装改期" in timeline and "客户厂房地面未完工，推迟安装" in timeline
    assert new.strftime("%Y年%-m月%-d日") in timeline
    _shot(page, "rescheduled")
    assert Installation.objects.get(order=order).scheduled_for == new
    assert Notification.objects.filter(recipient=zhao, kind="installation_rescheduled").exists()

    # and the engineers are changed the same way: only people who install are offered
    page.click("#engineers-toggle")
    options = page.locator("#engineers-form select[name=engineers] option").all_inner_texts()
    assert any("马工程师" in o for o in options) and not any("李销售" in o for o in options)
    page.select_option("#engineers-form select[name=engineers]", str(ma.pk))
    page.fill("#engineers-form textarea[name=reason]", "赵工程师出差")
    page.click("#engineers-button")
    page.wait_for_function("() => document.querySelector('#engineers').textContent.includes('马工程师')")
    assert "赵工程师出差" in page.inner_text("#timeline")
    _shot(page, "engineers-changed")
    csp_violations.assert_none()
