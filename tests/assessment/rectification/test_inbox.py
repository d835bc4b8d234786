"""QC-3 on "my work" and on the inspected record's page."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.rectification.inbox import open_notice_section, rectification_inbox
from assessment.rectification.models import Notice, RectificationPlan
from qsm.registry import inbox_items, record_sections
from tests.builders.assessment import a_failed_finding, a_notice, a_plan

pytestmark = pytest.mark.django_db
N = Notice.Status
P = RectificationPlan.Status


def _numbers(user) -> dict[str, str]:
    return {i.number: i.waiting_for for i in rectification_inbox(user)}


@pytest.mark.spec("QC-3", "INBOX-1")
def test_my_work_shows_plans_to_approve_notices_to_answer_and_to_verify(people):
    waiting = a_notice(people=people, title="待提方案")
    submitted = a_plan(a_notice(people=people, title="待审批"), state=P.SUBMITTED, people=people)
    reported = a_notice(state=N.REPORTED, people=people, title="待验证")
    elsewhere = a_plan(a_notice(people=people, department=people.service_department), state=P.SUBMITTED,
                       author=people.service_staff, people=people)
    # the department's manager: the plan to approve (not another department's), the notices to answer
    manager = _numbers(people.manager)
    assert submitted.number in manager and elsewhere.number not in manager
    assert waiting.number in manager and reported.number not in manager
    # the author (a member) does not approve; they see the notices to answer
    member = _numbers(people.member)
    assert submitted.number not in member and waiting.number in member
    # the quality manager approves for every department and verifies
    quality_manager = _numbers(people.quality_manager)
    assert {submitted.number, elsewhere.number, reported.number} <= set(quality_manager)
    # the quality officer verifies, decides no plan
    officer = _numbers(people.quality)
    assert reported.number in officer and submitted.number not in officer
    # an unrelated department sees nothing of it
    assert _numbers(people.outside_manager) == {}
    assert any(i.number == submitted.number for i in inbox_items(people.manager))


@pytest.mark.spec("QC-3", "INBOX-1", "PERF-1")
def test_my_work_costs_the_same_with_more_rows(people, django_assert_num_queries):
    a_plan(a_notice(people=people), state=P.SUBMITTED, people=people)
    rectification_inbox(people.quality_manager)  # the user's roles are read once and kept on the user
    with CaptureQueriesContext(connection) as one:
        rectification_inbox(people.quality_manager)
    for _ in range(6):
        a_plan(a_notice(people=people), state=P.SUBMITTED, people=people)
        a_notice(state=N.REPORTED, people=people)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(rectification_inbox(people.quality_manager)) >= 13


@pytest.mark.spec("QC-3")
def test_the_inspected_records_page_shows_its_open_notice(people):
    finding = a_failed_finding(people=people)
    record = finding.sample.record
    assert open_notice_section(record, people.quality) is None
    notice = a_notice(people=people, finding=finding, department=finding.sample.department)
    section = open_notice_section(record, people.quality)
    assert section is not None and section.rows[0]["cells"][0] == notice.number
    assert section.rows[0]["url"] == notice.get_absolute_url()
    assert any(s.key == "rectification-notices" for s in record_sections(record, people.quality))
    # not for someone who may not see the notice
    assert open_notice_section(record, people.outsider) is None
    # a closed notice is not open any more
    Notice.objects.filter(pk=notice.pk).update(status=N.CANCELLED, cancel_reason="x")
    assert open_notice_section(record, people.quality) is None


@pytest.mark.spec("QC-3")
def test_an_after_sales_case_page_shows_its_open_notice(client, people):
    from tests.builders.aftersales import new_case
    from tests.builders.assessment import an_inspection

    case = new_case(actor=people.member, subject="抽查的售后案件")
    inspection = an_inspection(state="in_progress", module="cases", records=[case], results=("fail",),
                               people=people)
    finding = inspection.findings.filter(result="fail").select_related("sample").first()
    notice = a_notice(people=people, finding=finding, department=people.department, title="售后记录整改")
    client.force_login(people.manager)
    page = client.get(case.get_absolute_url()).content.decode()
    assert notice.number in page and notice.get_absolute_url() in page
