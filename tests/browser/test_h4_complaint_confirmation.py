"""CMP-4/CMP-5 in a real browser: the customer answers "not satisfied" through the signed link on a
phone-sized screen (only the outcome summary, no sideways scrolling, no CSP violation); the link is
then spent; the investigator's link page shows the text to copy and the QR code; the case report
page of a closed complaint. Screenshots go to test-artifacts/screenshots/complaint-h4-*.png."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from complaints.models import Complaint, CustomerAnswer
from complaints.services.confirmation import complaint_link_issue
from tests.browser.conftest import SHOTS
from tests.builders.complaints import complaint_in

# The ``browser`` fixture skips without Debian's Chromium.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _shot(page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"complaint-h4-{name}.png"), full_page=True)


def _signed_in(browser, live_server, user, **context):
    client = Client()
    user.refresh_from_db()
    client.force_login(user)
    ctx = browser.new_context(locale="zh-CN", **context)
    ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                      "url": live_server.url}])
    return ctx


@pytest.mark.spec("CMP-4", "CMP-5")
def test_the_customer_answers_on_a_phone_and_the_staff_pages_read_well(browser, live_server, csp_violations):
    from tests.builders.complaints import cast

    people = cast()
    complaint = complaint_in(Complaint.Status.CONFIRMING)
    link, path = complaint_link_issue(complaint=complaint, actor=people.investigator, contact_name="王经理")

    # --- the customer, on a phone, no login -------------------------------------------------------------
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + path)
    page.wait_for_selector("#confirm-form")
    html = page.content()
    assert complaint.number in html and "整改措施 1" in html  # the measures taken
    assert people.investigator.username not in html and "保养规程未随新型号更新" not in html  # nothing internal
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    _shot(page, "01-confirm-phone")
    page.click("label[for=id_satisfied_1]")  # not satisfied
    page.click("#confirm-submit")
    page.wait_for_selector("#confirm-errors")  # objections are required
    page.click("label[for=id_satisfied_1]")
    page.fill("textarea[name=objections]", "更换后仍有异响，希望派工程师复测")
    _shot(page, "02-confirm-phone-objections")
    page.click("#confirm-submit")
    page.wait_for_selector("#confirm-done-not-satisfied")
    _shot(page, "03-confirm-phone-done")
    answer = CustomerAnswer.objects.get(complaint=complaint)
    assert (answer.satisfied, answer.method, answer.objections) == (False, "link", "更换后仍有异响，希望派工程师复测")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.PLANNING and complaint.round == 2
    assert page.goto(live_server.url + path).status == 410  # spent
    csp_violations.assert_none()

    # --- the investigator issues a link for another complaint: the text to copy and the QR code ----------
    other = complaint_in(Complaint.Status.CONFIRMING)
    closed = complaint_in(Complaint.Status.CLOSED)  # (built before signing in: the builder resets the cast)
    staff = _signed_in(browser, live_server, people.investigator, viewport={"width": 1366, "height": 900})
    desk = staff.new_page()
    desk.set_default_timeout(15_000)
    desk.goto(live_server.url + reverse("complaints:case-report", args=[other.pk]))  # a page to take the CSRF
    response = desk.request.post(live_server.url + reverse("complaints:confirm-link", args=[other.pk]),
                                 form={"contact_name": "李工", "csrfmiddlewaretoken": _csrf(desk)},
                                 headers={"Referer": live_server.url + "/"})
    assert response.ok
    desk.goto(live_server.url + reverse("complaints:confirm-link-issued", args=[other.pk]))
    desk.wait_for_selector("#confirm-link-qr svg")
    assert other.number in desk.input_value("#confirm-link-text")
    _shot(desk, "04-link-text-and-qr")

    # --- the case report page of a closed complaint ---------------------------------------------------
    desk.goto(live_server.url + reverse("complaints:case-report", args=[closed.pk]))
    desk.wait_for_selector("#case-report-form")
    assert closed.subject in desk.input_value("textarea[name=summary]")  # prefilled
    _shot(desk, "05-case-report-form")
    csp_violations.assert_none()


def _csrf(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == settings.CSRF_COOKIE_NAME)
