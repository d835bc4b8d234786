"""QC-2 + QC-3 in a real browser, the issue's journey end to end: the quality officer draws a random
spot check of 5 after-sales cases of the sales department (on a tablet), fails one item with an
evidence photo and issues the rectification notice from the failed finding; the notice reaches the
department ("my work" of its staff, at phone width); the staff proposes a plan, the department
manager rejects it with a reason, the staff revises it and the manager approves the revision; the
staff reports completion with evidence; the quality officer verifies and closes.

Every step is checked in the database as well as on the page. Screenshots:
test-artifacts/screenshots/qc-journey-*.png."""
from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.models import Case
from assessment.inspections.models import Finding, InspectedRecord, Inspection
from assessment.rectification.models import Notice, RectificationPlan
from tests.assessment.inspections.test_spot_checks_browser import _page  # signed in through a session cookie
from tests.browser import conftest as journeys
from tests.browser.conftest import no_sideways_scroll, screenshot
from tests.builders.aftersales import new_case
from tests.builders.assessment import PNG, a_checklist, cast, in_days, today

browser, csp_violations = journeys.browser, journeys.csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TABLET = {"viewport": {"width": 820, "height": 1180}, "has_touch": True}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _evidence(tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(PNG)
    return str(path)


def _status(notice: Notice) -> str:
    return Notice.objects.values_list("status", flat=True).get(pk=notice.pk)


@pytest.mark.spec("QC-2", "QC-3")
def test_spot_check_to_closed_rectification(browser, live_server, csp_violations, tmp_path):
    people = cast()
    checklist = a_checklist(module="cases", name="售后服务检查表", people=people)
    cases = [new_case(actor=people.member, subject=f"售后抽查样本{i}") for i in range(8)]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(department=people.department)
    elsewhere = new_case(actor=people.service_staff, subject="客服部的售后单")
    Case.objects.filter(pk=elsewhere.pk).update(department=people.service_department)

    # 1. The quality officer draws 5 after-sales cases of the sales department (tablet).
    officer = _page(browser, live_server, people.quality, **TABLET)
    officer.goto(live_server.url + "/quality/spot-checks/new/")
    officer.wait_for_selector("#spot-check-form")
    officer.select_option("#id_module", "cases")
    officer.select_option("#id_department", str(people.department.pk))
    officer.fill("#id_period_start", today().replace(day=1).isoformat())
    officer.fill("#id_period_end", today().isoformat())
    officer.fill("#id_sample_size", "5")
    officer.select_option("#id_checklist", str(checklist.pk))
    officer.click("#spot-check-form button[type=submit]")
    officer.wait_for_selector("#inspection-page")
    inspection = Inspection.objects.get()
    samples = InspectedRecord.objects.filter(inspection=inspection)
    assert inspection.module == "cases" and samples.count() == 5
    assert set(samples.values_list("object_id", flat=True)) <= {c.pk for c in cases}  # never the other department
    assert officer.locator(".sample-card").count() == 5
    screenshot(officer, "qc-journey-1-drawn")

    # 2. Start it (if the draw left it planned) and fail the first item of the first sample with evidence.
    if officer.locator("[data-action=start]").count():
        officer.click("[data-action=start]")
        # the page is swapped in place (htmx): wait for the new one before filling its forms
        officer.locator("[data-action=start]").wait_for(state="detached")
        officer.wait_for_load_state("networkidle")
    finding = Finding.objects.filter(sample__inspection=inspection).order_by("sample__position", "item__position")[0]
    row = officer.locator(f"#finding-{finding.pk}")
    row.locator(f"label[for=r-{finding.pk}-fail]").click()
    assert row.locator(f"#r-{finding.pk}-fail").is_checked()
    row.locator("input[type=file]").set_input_files(_evidence(tmp_path, "现场照片.png"))
    row.locator("textarea[name=comment]").fill("回访记录缺失，未按流程在24小时内回访客户。")
    row.locator("button[type=submit]").click()
    officer.wait_for_load_state("networkidle")
    officer.locator(f"#finding-{finding.pk}.list-group-item-danger").wait_for()
    finding.refresh_from_db()
    assert finding.result == "fail" and finding.attachments.count() == 1
    assert "现场照片.png" in officer.locator(f"#finding-{finding.pk}").inner_text()
    screenshot(officer, "qc-journey-2-failed-item")

    # 3. From the failed finding, issue the notice to the sampled record's department.
    officer.goto(live_server.url + finding.get_absolute_url())
    officer.click("#issue-notice")
    officer.wait_for_selector("#notice-form")
    assert officer.locator("#from-finding").count() == 1
    officer.fill("#id_deadline", in_days(10).isoformat())
    officer.click("#issue-button")
    officer.wait_for_selector("#notice-page")
    notice = Notice.objects.get()
    assert (notice.department_id, notice.finding_id, notice.status) == (people.department.pk, finding.pk, "issued")
    assert notice.number in officer.inner_text("#notice-number")
    screenshot(officer, "qc-journey-3-notice-issued")
    csp_violations.assert_none()

    # 4. The notice reaches the department: its staff's "my work" (phone width) and the notice list.
    phone = _page(browser, live_server, people.member, **PHONE)
    phone.goto(live_server.url + "/")
    phone.wait_for_load_state("networkidle")
    assert notice.number in phone.content() and "提出整改方案" in phone.content()
    no_sideways_scroll(phone)
    screenshot(phone, "qc-journey-4-my-work-phone")
    phone.goto(live_server.url + "/quality/notices/")
    assert notice.number in phone.content()
    no_sideways_scroll(phone)
    screenshot(phone, "qc-journey-4-notice-list-phone")

    # 5. The staff proposes a plan (desktop) and submits it.
    staff = _page(browser, live_server, people.member, viewport={"width": 1366, "height": 900})
    staff.goto(live_server.url + notice.get_absolute_url())
    form = staff.locator("#plan-create-form")
    form.locator("textarea[name=cause]").fill("回访人员排班不足")
    form.locator("textarea[name=m-0-description]").fill("增加回访排班")
    form.locator("select[name=m-0-owner]").select_option(str(people.colleague.pk))
    form.locator("input[name=m-0-due_on]").fill(in_days(5).isoformat())
    form.locator("button[type=submit]").click()
    staff.wait_for_selector("#plan-1 [data-action=plan-submit]")
    staff.click("#plan-1 [data-action=plan-submit]")
    staff.wait_for_selector("#plan-1[data-status=submitted]")
    plan1 = RectificationPlan.objects.get(notice=notice, version=1)
    assert plan1.status == "submitted" and plan1.measures.count() == 1

    # 6. Its manager sees it in "my work" and rejects it with a reason.
    manager = _page(browser, live_server, people.manager, viewport={"width": 1366, "height": 900})
    manager.goto(live_server.url + "/")
    assert plan1.number in manager.content() and "批准或驳回整改方案" in manager.content()
    manager.goto(live_server.url + notice.get_absolute_url())
    manager.click("#plan-1 [data-action=plan-reject]")
    manager.fill("#plan-1 #plan-comment-reject", "措施没有覆盖回访记录的补录，请补充")
    manager.click("#plan-1 #plan-reject-form button[type=submit]")
    manager.wait_for_selector("#plan-1[data-status=rejected]")
    plan1.refresh_from_db()
    assert plan1.status == "rejected" and plan1.decided_by_id == people.manager.pk
    assert "请补充" in manager.inner_text("#plan-1 .reject-reason")
    assert _status(notice) == "issued"
    screenshot(manager, "qc-journey-5-plan-rejected")

    # 7. The staff revises it (version 2, measures copied), adds the missing measure, submits.
    staff.goto(live_server.url + notice.get_absolute_url())
    staff.click("#plan-1 [data-action=plan-revise]")
    staff.wait_for_selector("#plan-2")
    edit = staff.locator("#plan-2 #plan-edit-form")
    if not edit.is_visible():
        staff.click("#plan-2 details summary")
    edit.locator("textarea[name=m-1-description]").fill("补录缺失的回访记录")
    edit.locator("select[name=m-1-owner]").select_option(str(people.member.pk))
    edit.locator("input[name=m-1-due_on]").fill(in_days(3).isoformat())
    edit.locator("button[type=submit]").click()
    staff.wait_for_selector("#plan-2 [data-action=plan-submit]")
    staff.click("#plan-2 [data-action=plan-submit]")
    staff.wait_for_selector("#plan-2[data-status=submitted]")
    plan2 = RectificationPlan.objects.get(notice=notice, version=2)
    assert plan2.measures.count() == 2

    # 8. The manager approves the revision: the notice is being rectified.
    manager.goto(live_server.url + notice.get_absolute_url())
    manager.click("#plan-2 [data-action=plan-approve]")
    manager.wait_for_selector("#plan-2[data-status=approved]")
    assert _status(notice) == "rectifying"
    screenshot(manager, "qc-journey-6-plan-approved")

    # 9. The staff reports completion with evidence.
    staff.goto(live_server.url + notice.get_absolute_url())
    staff.fill("#report-form textarea[name=note]", "已增加回访排班并补录全部缺失记录")
    staff.set_input_files("#report-form input[name=evidence]", _evidence(tmp_path, "整改后记录.png"))
    staff.click("#report-button")
    staff.wait_for_selector("#completion-note")
    assert _status(notice) == "reported"
    screenshot(staff, "qc-journey-7-reported")

    # 10. The quality officer verifies and closes.
    officer.goto(live_server.url + notice.get_absolute_url())
    officer.fill("#verify-form textarea[name=comment]", "抽查复核合格")
    officer.click("#verify-button")
    officer.wait_for_selector("#verification-note")
    notice.refresh_from_db()
    assert notice.status == "closed" and notice.verified_by_id == people.quality.pk
    assert notice.attachments.count() >= 1
    screenshot(officer, "qc-journey-8-closed")
    csp_violations.assert_none()
