"""The follow-up visit journey in a real browser (part 3 of the after-sales journey, VIS-1/VIS-2).

A resolved after-sales case is in the follow-up queue; the scheduler (run here as beat would run
it) plans its visit; the department's visit owner finds it and sends the survey link; the customer
opens the link on a phone with no login, answers 2/5 with a comment; the link then shows the "used"
page; the quality officer finds the low score in the visit list and opens a new after-sales case
in one click. Screenshots of each step go to test-artifacts/screenshots/.
"""
from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from aftersales.models import Case, Question, Visit
from aftersales.services.scheduler import visits_schedule
from qsm.org.models import Role
from tests.browser.conftest import CHROMIUM, screenshot, signed_in_page
from tests.builders.aftersales import case_build
from tests.factories import CustomerFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


_shot = screenshot


@pytest.mark.spec("VIS-1", "VIS-2", "SEC-2")
def test_aftersales_visit_journey(browser, live_server, csp_violations, business_department, quality_department):
    zhao = UserFactory(username="zhao", display_name="赵回访", email="", department=business_department,
                       roles=[Role.STAFF])
    business_department.visit_owner = zhao
    business_department.save(update_fields=["visit_owner"])
    UserFactory(username="qian", display_name="钱质量", email="", department=quality_department,
                roles=[Role.QUALITY_OFFICER])
    customer = CustomerFactory(name="苏州精工机械有限公司")
    # given a resolved case (its follow-up row is in the core queue)
    case = case_build(actor=zhao, state=Case.Status.RESOLVED, customer=customer, subject="主轴异响")
    # when the scheduler runs (beat's task, here in the test)
    assert visits_schedule()["planned"] == 1
    visit = Visit.objects.get(content_type=ContentType.objects.get_for_model(Case), object_id=case.pk)
    assert visit.owner == zhao

    # --- the visit owner finds the visit and sends the survey link -----------------------------------
    page = signed_in_page(browser, live_server, "zhao")
    page.goto(live_server.url + reverse("aftersales:visit-list"))
    page.wait_for_selector(f"tr[data-visit='{visit.number}']")
    _shot(page, "visit-01-list-planned")
    page.click(f"a[href='{visit.get_absolute_url()}']")
    page.wait_for_selector("#record")  # the call script
    _shot(page, "visit-02-record-page-call-script")
    page.fill("#link input[name=contact_name]", "周经理")
    page.click("#send-link")
    page.wait_for_selector("#link-text")
    assert page.locator("#link-qr svg").count() == 1
    text = page.input_value("#link-text")
    url = re.search(r"https?://\S+/l/[\w-]+/", text).group(0)
    _shot(page, "visit-03-link-sent-text-and-qr")

    # --- the customer, on a phone, with no login -------------------------------------------------------
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                has_touch=True)
    customer_page = phone.new_page()
    customer_page.set_default_timeout(15_000)
    customer_page.goto(url)
    customer_page.wait_for_selector("#survey-form")
    assert customer_page.locator("html").get_attribute("lang") == "zh-hans"
    assert case.number in customer_page.content() and "赵回访" not in customer_page.content()
    assert customer_page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    _shot(customer_page, "visit-04-survey-phone")
    for q in Question.objects.filter(version=visit.questionnaire_version).order_by("position"):
        if q.kind == Question.Kind.SCALE:
            customer_page.click(f"label[for=id_q_{q.pk}_1]")  # 2
        elif q.kind == Question.Kind.CHOICE:
            customer_page.click(f"label[for=id_q_{q.pk}_{len(q.choices) - 1}]")
        else:
            customer_page.fill(f"textarea[name=q_{q.pk}]", "希望多做一次培训")
    customer_page.click("label[for=id_satisfaction_1]")  # 2 / 5
    customer_page.fill("textarea[name=comments]", "修好后三天又出现异响，很失望")
    customer_page.click("#survey-submit")
    customer_page.wait_for_selector("#survey-done")
    _shot(customer_page, "visit-05-survey-thank-you")
    visit.refresh_from_db()
    assert (visit.status, visit.method, visit.satisfaction, visit.done_by) == ("done", "link", 2, None)
    assert visit.answer_user_agent and visit.answer_ip
    # the link no longer works
    customer_page.goto(url)
    customer_page.wait_for_selector("#link-refused[data-reason=used]")
    _shot(customer_page, "visit-06-link-used")
    phone.close()

    # --- the quality officer sees the low score and opens a new case in one click ---------------------
    quality = signed_in_page(browser, live_server, "qian")
    quality.goto(live_server.url + reverse("aftersales:visit-list"))
    quality.check("#f-low-score")
    quality.click("#apply-filters")
    quality.wait_for_url(re.compile(r"low_score=true"))
    row = quality.locator(f"tr[data-visit='{visit.number}']")
    assert row.locator(".low-score").inner_text().strip() == "2/5"
    _shot(quality, "visit-07-quality-low-score-list")
    # at phone width the list is cards, without sideways scrolling
    quality.set_viewport_size({"width": 390, "height": 844})
    assert quality.evaluate("document.documentElement.scrollWidth") <= 390
    assert quality.locator("#visit-table thead").is_hidden()
    _shot(quality, "visit-07b-low-score-list-phone")
    quality.set_viewport_size({"width": 1366, "height": 900})
    row.locator(f"a[href='{visit.get_absolute_url()}']").click()
    quality.wait_for_selector("#open-case")
    assert "修好后三天又出现异响" in quality.inner_text("#visit-comments")
    assert quality.locator("#answer-ip").inner_text().strip() == visit.answer_ip
    _shot(quality, "visit-08-visit-low-score-authenticity")
    quality.click("#open-case")
    quality.wait_for_load_state("networkidle")
    new_case = Case.objects.get(source_visit=visit)
    assert (new_case.customer, new_case.severity, new_case.description) == (customer, "high",
                                                                             "修好后三天又出现异响，很失望")
    if not new_case.get_absolute_url():  # the case pages join later: back on the visit, with the case's number
        quality.wait_for_selector("#opened-case")
    _shot(quality, "visit-09-case-opened")
    csp_violations.assert_none()
