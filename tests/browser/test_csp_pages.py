"""SEC-2 in a real browser: the main pages work under the content security policy, and the browser
reports no violation while people use them (the watch is tests/browser/conftest.py).

Visited: my work, notifications, the inquiry list, intake and record page, the customer list and
page, the order list, a new order (adding a row), the order page with the review checklist, with a
shipment and with an installation, the printable acceptance form (PDF), the deliveries and installations lists, the admin (index, a
list, a change form, the user form with its JavaScript widgets) and the API docs (Swagger UI).
Forms are sent through htmx where the pages do it, including a refused one that re-renders.
"""
from __future__ import annotations

import pytest
from django.urls import reverse

from qsm.org.models import Role
from tests.browser.conftest import CHROMIUM, signed_in_page
from tests.builders.inquiries import new_inquiry
from tests.builders.orders import new_order, order_in, priced_product
from tests.factories import CustomerFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    # The live server commits; restore the migrations' reference data (SLA policies, calendar) for it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _visit(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, (url, response.status)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")


def _post_through_htmx(page, selector: str) -> None:
    """Click a submit button that htmx sends, and wait until its answer is swapped in."""
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.click(selector)
    # (not wait_for_function: its polling evaluates a string, which this very policy forbids)
    page.wait_for_selector(".htmx-request", state="detached")


@pytest.mark.spec("SEC-2")
def test_the_watch_sees_a_violation(browser, live_server, csp_violations, staff_user):
    """The init script runs under the page's policy and reports what the policy blocks."""
    page = signed_in_page(browser, live_server, "staff", timeout=20_000)

    ran = page.evaluate("""() => {
      const script = document.createElement("script");
      script.textContent = "window.__injected = true";
      document.body.appendChild(script);
      document.body.setAttribute("style", "color: red");
      return window.__injected === true;
    }""")
    for _ in range(50):  # the two reports arrive asynchronously
        if len(csp_violations.events) >= 2:
            break
        page.wait_for_timeout(100)

    assert ran is False  # the inline script was blocked
    assert any(v.startswith("script-src-elem blocked inline") for v in csp_violations.events), csp_violations.events
    assert any(v.startswith("style-src-attr blocked inline") for v in csp_violations.events), csp_violations.events
    assert any("script-src" in m for m in csp_violations.console), csp_violations.console
    csp_violations.clear()  # seen on purpose: the fixture's teardown check must not fail this test
    page.context.close()


@pytest.mark.spec("SEC-2")
def test_main_pages_run_without_a_csp_violation(browser, live_server, csp_violations, business_department,
                                                sales_department, production_department):
    # given a service staff member's inquiry and three orders of the sales department (in review,
    # delivering, installing), and an administrator
    staff = UserFactory(username="zhang", display_name="张客服", email="", department=business_department,
                        roles=[Role.STAFF])
    sales = UserFactory(username="li", display_name="李销售", email="", department=sales_department, roles=[Role.STAFF])
    manager = UserFactory(username="wang", display_name="王经理", email="", department=sales_department,
                          roles=[Role.MANAGER])
    engineer = UserFactory(username="zhao", display_name="赵工程师", email="", department=production_department,
                           roles=[Role.STAFF])
    UserFactory(username="root", email="", department=None, roles=[Role.ADMINISTRATOR], is_staff=True,
                is_superuser=True)
    customer = CustomerFactory(name="江南精密制造", phone="0512-88886666")
    inquiry = new_inquiry(actor=staff, customer=customer, subject="五轴加工中心询价")
    in_review = new_order(actor=sales, customer=customer, product=priced_product("VMC-1"))
    delivering = order_in("delivering", actor=manager, entered_by=sales, customer=customer,
                          product=priced_product("VMC-2"), quantity="3")
    installing = order_in("installing", actor=manager, entered_by=sales, engineer=engineer, customer=customer,
                          product=priced_product("VMC-3"), installation=True)
    url = live_server.url

    # --- the service staff member: my work, notifications, inquiries, customers, API docs --------
    page = signed_in_page(browser, live_server, "zhang", timeout=20_000)
    page.click("#language-menu")  # a Bootstrap dropdown (Popper positions it)
    page.click("#language-menu")
    _visit(page, url + reverse("notifications"))
    _visit(page, url + reverse("presales:inquiry-list"))
    page.fill("#f-customer", "江南")  # the filter's type-ahead, through htmx
    page.wait_for_selector("#filter-customer-results input[name=customer]")
    _visit(page, url + reverse("presales:inquiry-create"))
    page.fill("#customer-search", "新客户")
    page.wait_for_selector("#customer-results .list-group-item")
    page.check("#customer-new")  # qsm.js carries the typed name over
    assert page.input_value("input[name=new_customer_name]") == "新客户"
    _visit(page, url + reverse("presales:inquiry-detail", args=[inquiry.pk]))
    _post_through_htmx(page, "#respond-form button[type=submit]")  # empty: refused, re-rendered with the error
    page.fill("#respond-form textarea[name=answer]", "已介绍型号与报价。")
    _post_through_htmx(page, "#respond-form button[type=submit]")
    page.wait_for_selector("#answer-text")
    _visit(page, url + reverse("org:customer-list"))
    page.click("a[data-bs-target='#customer-modal']")  # a Bootstrap modal whose form htmx loads
    page.wait_for_selector("#customer-form")
    _post_through_htmx(page, "#customer-form button[type=submit]")  # no name: refused, re-rendered in the modal
    page.wait_for_selector("#customer-form .is-invalid")
    page.click("#customer-modal .btn-close")
    page.wait_for_selector("#customer-modal", state="hidden")
    _visit(page, url + reverse("org:customer-detail", args=[customer.pk]))
    _visit(page, url + reverse("api-docs"))
    page.wait_for_selector("#swagger-ui .opblock-tag")  # the Swagger UI built its page from the schema
    page.context.close()

    # --- the sales manager: orders with the review checklist, a shipment, an installation ---------
    page = signed_in_page(browser, live_server, "wang", timeout=20_000)
    _visit(page, url + reverse("orders:order-list"))
    _visit(page, url + reverse("orders:order-create"))
    page.click("#add-line")  # qsm.js clones the empty row
    assert page.input_value("input[name=lines-TOTAL_FORMS]") == "4"
    page.check("#id_installation_required")  # shows the site fields (CSS :has, no script)
    _visit(page, url + reverse("orders:order-detail", args=[in_review.pk]))
    page.wait_for_selector("#checklist-form")
    _post_through_htmx(page, "#save-findings")  # nothing checked: refused, the first error scrolls into view
    _visit(page, url + reverse("orders:order-detail", args=[delivering.pk]))
    page.wait_for_selector("#ship-form")
    page.locator("#ship-form input[name^=qty_]").first.fill("1")
    _post_through_htmx(page, "#ship-button")
    page.wait_for_selector("#delivery-2")
    _visit(page, url + reverse("orders:order-detail", args=[installing.pk]))
    page.wait_for_selector("#installation-status")
    # the printable acceptance form (inline PDF): Chromium's viewer still opens it under the policy
    response = page.goto(url + reverse("orders:acceptance-pdf", args=[installing.pk]))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    for _ in range(100):
        if any(frame.url.startswith("chrome-extension://") for frame in page.frames):
            break
        page.wait_for_timeout(100)
    assert any(frame.url.startswith("chrome-extension://") for frame in page.frames), [f.url for f in page.frames]
    _visit(page, url + reverse("orders:delivery-list"))
    _visit(page, url + reverse("orders:installation-list"))
    page.context.close()

    # --- the administrator: the admin keeps working ------------------------------------------------
    page = signed_in_page(browser, live_server, "root", timeout=20_000)
    _visit(page, url + reverse("admin:index"))
    _visit(page, url + reverse("admin:orders_order_changelist"))
    _visit(page, url + reverse("admin:orders_order_change", args=[installing.pk]))
    _visit(page, url + reverse("admin:org_user_change", args=[staff.pk]))
    _visit(page, url + reverse("admin:org_user_add"))
    page.context.close()

    # then the browser reported no violation of the policy on any of them
    csp_violations.assert_none()
