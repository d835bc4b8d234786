"""The complaint journey of issue 10 in a real browser (Debian's Chromium, Playwright, zh-CN), in two
parts; the second starts from the state the first ends in (built by tests.builders.complaints).

1. The receiver logs a phone complaint and reads the promised reply time; the quality officer
   assigns himself, attaches evidence, records the root cause and the responsibility and drafts a
   plan with two measures; the responsible department's manager rejects it with a reason; it is
   revised (version 2) and approved; the owner reports both measures done with evidence: the
   complaint waits for the customer.
2. The customer answers "not satisfied" through the signed link on a 390x844 phone, no login; the
   next plan version is drafted, approved and done; the customer is satisfied through a new link;
   the complaint is closed, the case report and a preventive measure are recorded, and a visit is
   queued (FollowUp).

Screenshots: test-artifacts/screenshots/complaints-journey-*.png (desktop and 390 px).
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from complaints.models import CaseReport, Complaint, CustomerAnswer, HandlingPlan, Measure, PreventiveMeasure
from tests.browser.conftest import no_sideways_scroll, screenshot, signed_in_page
from tests.browser.tomselect import pick
from tests.builders import complaints as b
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
EVIDENCE = b"%PDF-1.4\n% photo of the worn bearing\n"


def _shot(page, name: str) -> None:
    screenshot(page, f"complaints-journey-{name}")


def _as(browser, live_server, user, *, phone: bool = False):
    page = signed_in_page(browser, live_server, user.username, viewport=PHONE if phone else None)
    return page


def _customer_on_a_phone(browser, live_server, path: str):
    """The customer opens the signed link on a phone: a fresh context, no login."""
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + path)
    return phone, page


def _one_click(browser, live_server, user, complaint, button: str, then: str) -> None:
    """``user`` signs in, opens the complaint, clicks ``button`` and sees ``then``."""
    page = _as(browser, live_server, user)
    _open(page, live_server, complaint)
    page.click(button)
    _wait(page, then)
    page.context.close()


def _open(page, live_server, complaint) -> None:
    page.goto(live_server.url + reverse("complaints:complaint-detail", args=[complaint.pk]))


def _wait(page, selector: str) -> None:
    """Wait for ``selector``; when it does not come, say what the page said instead (and keep a picture)."""
    try:
        page.wait_for_selector(selector)
    except Exception:
        screenshot(page, "complaints-journey-FAILED")
        said = page.locator(".alert, .invalid-feedback, .text-danger").all_inner_texts()
        raise AssertionError(f"{selector} did not show on {page.url}; the page said: {said}") from None


def _pick(page, select: str, typed: str, value) -> None:
    """``tomselect.pick``; when the type-ahead's answer does not come on a loaded machine, the option as it
    would have offered it."""
    try:
        pick(page, select, typed, value)
    except Exception:
        page.eval_on_selector(select, """(e, v) => { e.tomselect.close(); e.tomselect.addOption({value: v[0], text: v[1]});
            e.tomselect.setValue(v[0]); e.tomselect.blur(); }""", [str(value), typed])


def _set_select(page, selector: str, value) -> None:
    """A plain (or tom-select enhanced) select without a type-ahead: set it as a click would."""
    page.eval_on_selector(selector, """(e, v) => { if (e.tomselect) { e.tomselect.setValue(v); }
        else { e.value = v; e.dispatchEvent(new Event('change', {bubbles: true})); } }""", str(value))


@pytest.mark.spec("CMP-1", "CMP-2", "CMP-3")
def test_journey_intake_investigation_plan_rejected_revised_approved_and_done(browser, live_server, csp_violations,
                                                                              tmp_path):
    people = b.cast()
    customer = CustomerFactory(name="江南精密制造", phone="0512-88886666")
    cause = b.any_cause()

    # --- the receiver logs a phone complaint and reads the promise out ---------------------------------
    page = _as(browser, live_server, people.receiver)
    page.goto(live_server.url + reverse("complaints:complaint-create") + f"?customer={customer.pk}")
    page.click("label[for=id_channel_0]")  # 电话
    page.click("label[for=id_severity_1]")  # 严重
    page.fill("#id_subject", "新机床主轴异响")
    page.fill("#id_description", "客户来电：新交付的数控机床主轴异响，一周内停机两次。")
    page.fill("#id_customer_demand", "要求派工程师到场并更换主轴")
    page.click("#save-complaint")
    page.wait_for_url(re.compile(r"/complaints/\d+/\?logged=1"))
    promise = page.locator("#promise-text").inner_text()
    assert promise.startswith("我们将在") and promise.endswith("前答复您。"), promise
    complaint = Complaint.objects.get()
    assert complaint.status == "received" and complaint.promised_reply_at is not None
    assert timezone.localtime(complaint.promised_reply_at).strftime("%H:%M") in promise
    _shot(page, "01-logged-promise")
    page.context.close()

    # --- the quality officer: assign, evidence, root cause and responsibility, a plan of two measures ----
    page = _as(browser, live_server, people.quality)
    _open(page, live_server, complaint)
    _pick(page, "#assign select[name=investigator]", "quality", people.quality.pk)
    page.click("#assign-button")
    _wait(page, "#investigation-form")
    complaint.refresh_from_db()
    assert complaint.status == "investigating" and complaint.investigator == people.quality

    evidence = tmp_path / "轴承磨损照片.pdf"
    evidence.write_bytes(EVIDENCE)
    page.set_input_files("#attachment-form input[type=file]", str(evidence))
    page.fill("#attachment-form [name=description]", "拆检照片：轴承磨损")
    page.click("#attachment-form button[type=submit]")
    _wait(page, "#attachments :text('轴承磨损照片.pdf')")

    page.eval_on_selector("#investigation-details", "e => e.open = true")
    page.fill("#investigation-form [name=facts]", "现场拆检：主轴前轴承磨损，润滑脂干涸。")
    _set_select(page, "#investigation-form select[name=cause]", cause.pk)
    for n, why in enumerate(b.WHYS[:3], start=1):
        page.fill(f"#investigation-form [name=why_{n}]", why)
    page.fill("#investigation-form [name=root_cause]", b.ROOT_CAUSE)
    _set_select(page, "#investigation-form select[name=responsible_department]", people.responsible_department.pk)
    _pick(page, "#investigation-form select[name=responsible_person]", "sales", people.responsible.pk)
    page.click("#investigation-button")
    _wait(page, "#responsible-department:has-text('销售部')")
    assert page.locator("#investigation-missing").count() == 0  # nothing missing before a plan
    page.click("#actions [data-action=start_planning]")
    _wait(page, "#investigated")
    _wait(page, "#plan-create-form")
    complaint.refresh_from_db()
    assert complaint.status == "planning" and complaint.whys == b.WHYS[:3]
    _shot(page, "02-investigated")

    due = timezone.localdate() + dt.timedelta(days=14)
    page.fill("#plan-create-form [name$=summary]", "更换主轴轴承并更新保养规程")
    page.fill("#plan-create-form [name$=description]", "更换主轴前轴承")
    _pick(page, "#plan-create-form select[name$=owner]", "sales", people.responsible.pk)
    page.fill("#plan-create-form [name$=due_date]", due.isoformat())
    page.click("#plan-create-button")
    _wait(page, "#measure-form")
    page.fill("#measure-form [name$=description]", "修订保养规程并培训客户操作人员")
    _pick(page, "#measure-form select[name$=owner]", "sales", people.responsible.pk)
    page.fill("#measure-form [name$=due_date]", (due + dt.timedelta(days=7)).isoformat())
    page.click("#measure-add-button")
    page.wait_for_function("document.querySelectorAll('#plan-1 .measure').length === 2")
    page.click("#plan-submit-button")
    _wait(page, "#plan-awaiting")
    assert HandlingPlan.objects.get(complaint=complaint).status == "submitted"
    page.context.close()

    # --- the responsible department's manager rejects it, with a reason -------------------------------
    page = _as(browser, live_server, people.approver)
    _open(page, live_server, complaint)
    page.click("#plan-reject-button")  # no reason: refused, nothing decided
    _wait(page, ".alert:has-text('未保存')")
    assert HandlingPlan.objects.get(complaint=complaint).status == "submitted"
    page.fill("#plan-reject-form [name$=reason]", "培训措施没有写明对象和次数")
    page.click("#plan-reject-button")
    _wait(page, "#plan-1[data-status=rejected]")
    _shot(page, "03-rejected")
    page.context.close()

    # --- the quality officer revises it as version 2 and submits it -------------------------------------
    page = _as(browser, live_server, people.quality)
    _open(page, live_server, complaint)
    page.click("#plan-revise-button")
    _wait(page, "#plan-2[data-status=draft]")
    assert page.locator("#plan-2 .measure").count() == 2  # the measures carried over
    page.click("#plan-submit-button")
    _wait(page, "#plan-2[data-status=submitted]")
    page.context.close()

    # --- the manager approves version 2 -----------------------------------------------------------------
    _one_click(browser, live_server, people.approver, complaint, "#plan-approve-button",
               "#plan-2[data-status=approved]")
    complaint.refresh_from_db()
    assert complaint.status == "executing" and complaint.plan_version == 2

    # --- the owner reports both measures done, with evidence, on a phone ---------------------------------
    page = _as(browser, live_server, people.responsible, phone=True)
    _open(page, live_server, complaint)
    no_sideways_scroll(page)
    _shot(page, "04-measures-phone")
    for measure in Measure.objects.filter(plan__complaint=complaint, plan__version=2).order_by("position"):
        form = page.locator(f"#measure-{measure.pk} .measure-done-form")
        form.locator("[name$=note]").fill("已完成：" + measure.description)
        form.locator("input[type=file]").set_input_files(str(evidence))
        form.locator("button[type=submit]").click()
        _wait(page, f"#measure-{measure.pk}[data-status=done]")
    complaint.refresh_from_db()
    assert complaint.status == "confirming"
    assert set(Measure.objects.filter(plan__version=2, plan__complaint=complaint)
               .values_list("status", flat=True)) == {"done"}
    _shot(page, "05-confirming-phone")
    csp_violations.assert_none()
    page.context.close()


@pytest.mark.spec("CMP-4", "CMP-5")
def test_journey_not_satisfied_on_the_phone_link_next_version_then_satisfied_report_and_visit(
        browser, live_server, csp_violations, tmp_path):
    from complaints.services.confirmation import complaint_link_issue
    from qsm.followup.models import FollowUp

    people = b.cast()
    complaint = b.complaint_in("confirming")  # the state the first part ends in

    # --- the customer, on a phone, no login: not satisfied -------------------------------------------------
    _link, path = complaint_link_issue(complaint=complaint, actor=people.investigator, contact_name="王经理")
    phone, page = _customer_on_a_phone(browser, live_server, path)
    _wait(page, "#confirm-form")
    html = page.content()
    assert complaint.number in html and b.ROOT_CAUSE not in html and "sales" not in html
    no_sideways_scroll(page)
    _shot(page, "06-link-phone")
    page.click("label[for=id_satisfied_1]")
    page.fill("textarea[name=objections]", b.OBJECTIONS)
    page.click("#confirm-submit")
    _wait(page, "#confirm-done-not-satisfied")
    _shot(page, "07-link-not-satisfied-phone")
    phone.close()
    complaint.refresh_from_db()
    assert complaint.status == "planning" and complaint.round == 2

    # --- the investigator drafts the next version (objections shown), the manager approves ----------------
    page = _as(browser, live_server, people.investigator)
    _open(page, live_server, complaint)
    _wait(page, "#plan-create-form")
    assert page.locator("#round").inner_text() == "第 2 轮"
    page.fill("#plan-create-form [name$=summary]", "派工程师现场复测并更换主轴总成")
    page.fill("#plan-create-form [name$=description]", "工程师现场复测振动并更换主轴总成")
    _pick(page, "#plan-create-form select[name$=owner]", "sales", people.responsible.pk)
    page.fill("#plan-create-form [name$=due_date]", (timezone.localdate() + dt.timedelta(days=5)).isoformat())
    page.click("#plan-create-button")
    _wait(page, "#plan-2[data-status=draft]")
    assert b.OBJECTIONS in page.locator("#plan-2").inner_text()
    page.click("#plan-submit-button")
    _wait(page, "#plan-2[data-status=submitted]")
    page.context.close()
    _one_click(browser, live_server, people.approver, complaint, "#plan-approve-button",
               "#plan-2[data-status=approved]")
    page = _as(browser, live_server, people.responsible)
    _open(page, live_server, complaint)
    measure = Measure.objects.get(plan__complaint=complaint, plan__version=2)
    form = page.locator(f"#measure-{measure.pk} .measure-done-form")
    form.locator("[name$=note]").fill("主轴总成已更换，振动复测合格")
    evidence = tmp_path / "复测报告.pdf"
    evidence.write_bytes(EVIDENCE)
    form.locator("input[type=file]").set_input_files(str(evidence))
    form.locator("button[type=submit]").click()
    _wait(page, f"#measure-{measure.pk}[data-status=done]")
    page.context.close()
    complaint.refresh_from_db()
    assert complaint.status == "confirming"

    # --- a new link; the customer is satisfied ---------------------------------------------------------------
    _link, path = complaint_link_issue(complaint=complaint, actor=people.investigator, contact_name="王经理")
    phone, page = _customer_on_a_phone(browser, live_server, path)
    page.click("label[for=id_satisfied_0]")
    page.click("#confirm-submit")
    _wait(page, "#confirm-done-satisfied, [id^=confirm-done]")
    _shot(page, "08-link-satisfied-phone")
    phone.close()
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.closed_satisfied is True
    answers = list(CustomerAnswer.objects.filter(complaint=complaint).order_by("round")
                   .values_list("round", "satisfied", "method"))
    assert answers == [(1, False, "link"), (2, True, "link")]
    assert FollowUp.objects.filter(content_type=ContentType.objects.get_for_model(Complaint),
                                   object_id=complaint.pk).exists(), "closing queues a visit (VIS-1)"

    # --- the case report and a preventive measure --------------------------------------------------------
    page = _as(browser, live_server, people.investigator)
    page.goto(live_server.url + reverse("complaints:case-report", args=[complaint.pk]))
    _wait(page, "#case-report-form")
    page.fill("#case-report-form [name=lessons_learned]", "新型号投产前必须同步更新保养规程")
    page.check("#case-report-form [name=finalise]")
    page.click("#case-report-save")
    _wait(page, "#case-report-pdf, #report-pdf")
    assert CaseReport.objects.get(complaint=complaint).status == "final"
    _open(page, live_server, complaint)
    page.fill("#preventive-form [name$=description]", "全系列机型保养规程复查")
    _pick(page, "#preventive-form select[name$=owner]", "sales", people.responsible.pk)
    page.fill("#preventive-form [name$=due_date]", (timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.click("#preventive-add")
    _wait(page, "#prevention-table :text('全系列机型保养规程复查')")
    assert PreventiveMeasure.objects.filter(complaint=complaint, status="open").count() == 1
    _shot(page, "09-closed-report-preventive")
    pdf = page.request.get(live_server.url + reverse("complaints:case-report-pdf", args=[complaint.pk]))
    assert pdf.ok and pdf.body()[:4] == b"%PDF"
    csp_violations.assert_none()
    page.context.close()
    page = _as(browser, live_server, people.investigator, phone=True)
    _open(page, live_server, complaint)
    no_sideways_scroll(page)
    _shot(page, "10-closed-phone")
    page.context.close()
