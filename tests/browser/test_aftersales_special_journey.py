"""The after-sales case journey, part 2 (AFS-2, the special-solution flow), in a real browser (Debian's
Chromium, Playwright).

A case in progress is marked complex; its owner invites the production department to the discussion,
makes a special plan of two steps (the first for a production engineer), starts it; resolving is
refused while the plan runs; the engineer, in another department, opens the case and reports their
step done; the owner reports the second, which completes the plan, logs a progress update to the
customer and resolves the case. Screenshots (desktop and a 390 px phone) go to
test-artifacts/screenshots/aftersales-special-*.png.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.models import Case, SpecialPlan
from qsm.contacts.models import ContactEntry
from qsm.notify.models import Notification
from qsm.org.models import Role
from tests.browser.conftest import CHROMIUM, screenshot, signed_in_page
from tests.browser.tomselect import pick
from tests.builders.aftersales import case_build, diagnose
from tests.factories import CustomerFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shot(page, name: str) -> None:
    screenshot(page, f"aftersales-special-{name}")


def _flash(page) -> str:
    return page.inner_text("#messages")


@pytest.mark.spec("AFS-2", "ORG-1", "NTF-1", "SEC-2")
def test_special_solution_journey(browser, live_server, csp_violations, business_department,
                                  production_department):
    # given a case in progress of the service desk, diagnosed, and an engineer of production
    zhang = UserFactory(username="zhang", display_name="张客服", email="", department=business_department,
                        roles=[Role.STAFF])
    wang = UserFactory(username="wang", display_name="王工程师", email="", department=production_department,
                       roles=[Role.STAFF])
    case = case_build(actor=zhang, state=Case.Status.IN_PROGRESS, subject="主轴异响，加工精度下降",
                      description="客户反映 CNC-100 主轴运转时异响，工件精度超差",
                      customer=CustomerFactory(name="江南精密制造", phone="0512-88886666"))
    diagnose(case)
    url = live_server.url + case.get_absolute_url()
    due_1 = timezone.localdate() + dt.timedelta(days=3)
    due_2 = timezone.localdate() + dt.timedelta(days=7)

    # --- the owner marks it complex and opens the discussion with production ---------------------------
    page = signed_in_page(browser, live_server, "zhang")
    page.goto(url)
    page.click("[data-action=mark_complex]")
    page.wait_for_selector("#case-status .status-special")
    page.wait_for_selector("#special #discussion-form")
    page.fill("#discussion-form input[name=topic]", "")
    page.click("#discussion-button")
    page.wait_for_selector("#discussion-form .invalid-feedback")  # nobody invited, no topic: errors shown
    page.fill("#discussion-form input[name=topic]", "主轴异响原因研讨")
    page.check(f"#discussion-form input[name=departments][value='{production_department.pk}']")
    page.click("#discussion-button")
    page.wait_for_selector("#discussion-topic")
    assert "主轴异响原因研讨" in page.inner_text("#discussion-topic")
    assert "生产部" in page.inner_text("#invited")
    assert Notification.objects.filter(recipient=wang, kind="case_discussion").count() == 1

    # --- a plan of two steps, the first for the engineer ---------------------------------------------
    page.fill("#plan-form input[name=title]", "主轴轴承更换专项方案")
    page.fill("#plan-form textarea[name=content]", "拆检主轴，更换轴承，复测精度")
    page.click("#plan-create-button")
    page.wait_for_selector("#step-form")
    page.click("#step-add-button")  # an empty step: the errors are shown on the fields
    page.wait_for_selector("#step-form .invalid-feedback")
    page.fill("#step-form textarea[name=description]", "拆检主轴，确认轴承磨损情况")
    pick(page, "#step-form select[name=owner]", "王工", wang.pk)
    page.fill("#step-form input[name=due_date]", due_1.isoformat())
    page.click("#step-add-button")
    page.wait_for_selector("#step-1")
    page.fill("#step-form textarea[name=description]", "更换主轴轴承并复测加工精度")
    pick(page, "#step-form select[name=owner]", "张客", zhang.pk)
    page.fill("#step-form input[name=due_date]", due_2.isoformat())
    page.click("#step-add-button")
    page.wait_for_selector("#step-2")
    _shot(page, "01-draft")
    page.click("#plan-start-button")
    page.wait_for_selector("#plan-status .status-in_progress")
    assert Notification.objects.filter(recipient=wang, kind="plan_step_assigned").count() == 1

    # resolving is refused while the plan runs
    page.click("[data-action=resolve]")
    page.wait_for_selector("#actions .action-error")
    assert "专项解决方案完成" in page.inner_text("#actions .action-error")
    assert page.locator("#plan-pending").count() == 1
    assert Case.objects.get(pk=case.pk).status == Case.Status.SPECIAL
    page.context.close()

    # --- the engineer (production) opens the case and reports their step done ------------------------
    page = signed_in_page(browser, live_server, "wang")
    page.goto(url + "#special")
    assert page.locator("#step-complete-2").count() == 0  # not their step
    page.click("#step-complete-1 button[type=submit]")  # without saying what was done
    page.wait_for_selector("#step-complete-1 .invalid-feedback")
    page.fill("#step-complete-1 textarea", "已拆检：前端轴承滚道磨损，需更换")
    page.click("#step-complete-1 button[type=submit]")
    page.wait_for_selector("#step-1[data-status=done]")
    _shot(page, "02-engineer-step-done")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                             storage_state=page.context.storage_state())
    small = phone.new_page()
    small.goto(url + "#special")
    small.wait_for_selector("#step-1[data-status=done]")
    assert small.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    _shot(small, "03-phone")
    phone.close()
    page.context.close()

    # --- the owner does the last step (the plan completes), tells the customer, resolves --------------
    page = signed_in_page(browser, live_server, "zhang")
    page.goto(url + "#special")
    page.fill("#step-complete-2 textarea", "已更换主轴轴承，复测精度合格")
    page.click("#step-complete-2 button[type=submit]")
    page.wait_for_selector("#plan-done")
    assert SpecialPlan.objects.get(case=case).status == "done"
    page.fill("#customer-update-form textarea[name=update-summary]", "已电话告知客户：轴承已更换，精度复测合格")
    page.click("#customer-update-button")
    page.wait_for_function("() => document.querySelector('#contact-entries').textContent.includes('精度复测合格')")
    assert ContactEntry.objects.filter(kind="update", object_id=case.pk).count() == 1
    timeline = page.inner_text("#timeline")
    assert "主轴异响原因研讨" in timeline and "已拆检：前端轴承滚道磨损，需更换" in timeline
    page.click("[data-action=resolve]")
    page.wait_for_selector("#case-status .status-resolved")
    assert Case.objects.get(pk=case.pk).status == Case.Status.RESOLVED
    _shot(page, "04-resolved")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                             storage_state=page.context.storage_state())
    small = phone.new_page()
    small.goto(url)
    assert small.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    _shot(small, "05-resolved-phone")
    phone.close()
    csp_violations.assert_none()
