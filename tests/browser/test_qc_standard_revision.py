"""QC-1 in a real browser (Debian's Chromium, Playwright, zh-CN): a service standard is revised and
approved, and the old version stays readable and printable.

The quality officer opens a standard in force (v1), starts a revision, rewrites the process and says
what changed, submits it; the quality manager finds it in "my work" and approves it; v2 is in force at
once (its date has come); a member of a business department reads the standard on a phone, opens the
superseded v1 (marked as such) and downloads its Chinese PDF.

Screenshots: test-artifacts/screenshots/qc-standard-revision-*.png (desktop and 390 px).
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.standards.models import Standard, StandardVersion
from tests.assessment.standards.support import standard_in
from tests.browser.conftest import no_sideways_scroll, screenshot, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def _shot(page, name: str) -> None:
    screenshot(page, f"qc-standard-revision-{name}")


def _wait_text(page, selector: str, text: str) -> None:
    try:
        page.locator(selector).filter(has_text=text).first.wait_for()
    except Exception:
        _shot(page, "FAILED")
        said = page.locator(".alert, .invalid-feedback, .text-danger").all_inner_texts()
        raise AssertionError(f"{selector} did not say {text!r} on {page.url}; the page said: {said}") from None


@pytest.mark.spec("QC-1")
def test_a_standard_is_revised_approved_and_the_old_version_stays_readable(
        browser, live_server, quality_officer, quality_manager, staff_user):
    # given a standard in force (v1) for after-sales cases
    standard, v1 = standard_in("effective", author=quality_officer, approver=quality_manager,
                               title="售后服务响应规范")
    today = timezone.localdate()

    # the quality officer starts a revision and rewrites the process
    page = signed_in_page(browser, live_server, quality_officer.username)
    page.goto(live_server.url + reverse("assessment:standard-detail", args=[standard.pk]))
    _wait_text(page, "#in-force", "v1")
    page.click("#revise-standard")
    page.wait_for_selector("#version-form")
    page.fill("#id_process", "接到客户反馈后1小时内响应，夜间由值班工程师接听")
    page.fill("#id_change_summary", "响应时限由2小时缩短为1小时；增加夜间值班")
    page.fill("#id_effective_on", today.isoformat())
    page.fill("#id_review_on", (today + dt.timedelta(days=365)).isoformat())
    _shot(page, "1-draft")
    page.click("#save-version")
    _wait_text(page, "#version-status", "草拟")
    page.click("button[data-action=submit]")
    _wait_text(page, "#version-status", "审核中")
    _shot(page, "2-submitted")
    v2 = StandardVersion.objects.get(standard=standard, version=2)
    assert v2.status == StandardVersion.Status.REVIEW and v2.change_summary.startswith("响应时限")
    page.context.close()

    # the quality manager finds it in "my work" and approves it
    page = signed_in_page(browser, live_server, quality_manager.username)
    page.locator(f"a[href='{v2.get_absolute_url()}']").first.click()
    _wait_text(page, "#version-status", "审核中")
    assert "响应时限由2小时缩短为1小时" in page.inner_text("#change-summary")
    page.click("button[data-action=approve]")
    _wait_text(page, "#version-status", "生效")
    _shot(page, "3-approved")
    page.context.close()
    standard = Standard.objects.get(pk=standard.pk)
    v1.refresh_from_db()
    assert standard.current_version.version == 2
    assert v1.status == StandardVersion.Status.SUPERSEDED

    # a member of a business department reads it on a phone; v1 is still there, marked, and prints
    page = signed_in_page(browser, live_server, staff_user.username, viewport=PHONE)
    page.goto(live_server.url + reverse("assessment:standard-detail", args=[standard.pk]))
    _wait_text(page, "#in-force", "v2")
    assert "夜间由值班工程师接听" in page.inner_text("#version-process")
    no_sideways_scroll(page)
    _shot(page, "4-phone-standard")
    page.click("#version-row-1 a")
    page.wait_for_selector("#superseded-note")
    assert "接到客户反馈后2小时内响应" in page.inner_text("#version-process")
    _shot(page, "5-phone-old-version")
    pdf = page.request.get(live_server.url + reverse("assessment:standard-version-pdf", args=[v1.pk]))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    page.context.close()
