"""QC-5 in the browser, in Chinese at phone width (390 px): the quality officer opens a held session
from the session list, records attendance and a score in the attendance table (cards on a phone),
and the plan page's completion shows the attended hours. Screenshots in test-artifacts/screenshots/."""
from __future__ import annotations

import pytest

from assessment.training.models import Attendance
from tests.browser.conftest import CHROMIUM, no_sideways_scroll, screenshot
from tests.builders.assessment import a_session, a_training_plan, cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.spec("QC-5")
def test_officer_records_attendance_on_a_phone(signed_in, live_server, csp_violations):
    people = cast()
    plan = a_training_plan(people=people, target_hours="4")
    session = a_session(people=people, plan=plan, state="held", hours="2",
                        attendees=[people.member, people.colleague])
    Attendance.objects.filter(session=session).update(attended=None)
    page = signed_in("quality", width=390, height=844)
    page.goto(f"{live_server.url}/quality/training/sessions/")
    page.locator("#session-table").get_by_text(session.number).click()
    page.wait_for_selector("#attendance-form")
    no_sideways_scroll(page)
    screenshot(page, "qc-training-session-phone")
    row = page.locator('.attendee-row[data-person="sales"]')
    row.locator("select").select_option("yes")
    row.locator("input[type=number]").fill("92.5")
    page.locator('.attendee-row[data-person="sales_colleague"] select').select_option("no")
    page.click("#save-attendance")
    page.wait_for_selector(".alert-success, .toast, #messages")
    assert Attendance.objects.get(session=session, person=people.member).score == 92.5
    assert Attendance.objects.get(session=session, person=people.colleague).attended is False
    page.click("#plan-link")
    page.wait_for_selector("#completion")
    hours = page.locator('.completion-row[data-person="sales"] .completion-hours').inner_text()
    assert hours.startswith("2.0"), hours
    assert "计划完成情况" in page.locator("#completion").inner_text()
    no_sideways_scroll(page)
    screenshot(page, "qc-training-plan-phone")
    csp_violations.assert_none()
