"""QC-3 pages: the list, the issue page, the notice page and its forms (302 / 400 / 403 / 404 / 409)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.rectification.models import Notice, RectificationPlan
from tests.builders.assessment import a_failed_finding, a_notice, a_plan, evidence, fresh, in_days

pytestmark = pytest.mark.django_db
N = Notice.Status
P = RectificationPlan.Status


def login(client, user):
    client.force_login(user)
    return client


def _measure_post(people, cause="缺少复核", **rows):
    data = {"cause": cause, "m-0-description": "增加复核环节", "m-0-owner": people.member.pk,
            "m-0-due_on": in_days(3).isoformat()}
    data.update(rows)
    return data


@pytest.mark.spec("QC-3")
def test_the_journey_through_the_pages(client, people):
    finding = a_failed_finding(people=people)
    page = login(client, people.quality).get(reverse("assessment:notice-create") + f"?finding={finding.pk}")
    assert page.status_code == 200 and 'id="from-finding"' in page.content.decode()
    r = client.post(reverse("assessment:notice-create"), {
        "finding": finding.pk, "department": finding.sample.department_id, "title": "受理记录缺项",
        "requirement": "补录客户确认", "deadline": in_days(7).isoformat()})
    assert r.status_code == 302, r.content.decode()[:2000]
    notice = Notice.objects.get(finding=finding)
    url = notice.get_absolute_url()
    # the department drafts and submits
    login(client, people.member)
    page = client.get(url).content.decode()
    assert 'id="plan-create-form"' in page
    r = client.post(reverse("assessment:notice-plan-create", args=[notice.pk]), _measure_post(people))
    assert r.status_code == 302
    plan = notice.plans.get()
    fire = reverse("assessment:notice-plan-fire", args=[notice.pk, plan.pk])
    assert client.post(fire, {"action": "submit"}).status_code == 302
    # the author cannot approve: 403
    assert client.post(fire, {"action": "approve"}).status_code == 403
    # the manager rejects: a reason is required
    login(client, people.manager)
    page = client.get(url).content.decode()
    assert 'data-action="plan-approve"' in page and 'data-action="plan-reject"' in page
    assert client.post(fire, {"action": "reject", "comment": ""}).status_code == 400
    assert client.post(fire, {"action": "reject", "comment": "措施不具体"}).status_code == 302
    assert client.post(fire, {"action": "approve"}).status_code == 409  # already decided
    # revised and approved
    login(client, people.member)
    assert client.post(fire, {"action": "revise"}).status_code == 302
    v2 = notice.plans.get(version=2)
    edit = reverse("assessment:notice-plan-edit", args=[notice.pk, v2.pk])
    assert client.post(edit, _measure_post(people, cause="缺少复核与培训")).status_code == 302
    assert fresh(v2).cause == "缺少复核与培训"
    fire2 = reverse("assessment:notice-plan-fire", args=[notice.pk, v2.pk])
    assert client.post(fire2, {"action": "submit"}).status_code == 302
    login(client, people.manager)
    assert client.post(fire2, {"action": "approve"}).status_code == 302
    assert fresh(notice).status == N.RECTIFYING
    # completion: evidence required
    login(client, people.member)
    notice_fire = reverse("assessment:notice-fire", args=[notice.pk])
    r = client.post(notice_fire, {"action": "report", "note": "已整改"})
    assert r.status_code == 400
    r = client.post(notice_fire, {"action": "report", "note": "已整改", "evidence": evidence()})
    assert r.status_code == 302 and fresh(notice).status == N.REPORTED
    login(client, people.quality)
    assert client.post(notice_fire, {"action": "verify", "comment": "复查合格"}).status_code == 302
    assert fresh(notice).status == N.CLOSED
    page = client.get(url).content.decode()
    assert 'id="plan-1"' in page and 'id="plan-2"' in page and "措施不具体" in page


@pytest.mark.spec("QC-3", "SEC-2")
def test_another_department_gets_404_on_page_plan_and_export(client, people):
    notice = a_notice(people=people)
    plan = a_plan(notice, state=P.SUBMITTED, people=people)
    login(client, people.outsider)
    assert client.get(notice.get_absolute_url()).status_code == 404
    assert client.get(reverse("assessment:rectification-plan-detail", args=[plan.pk])).status_code == 404
    assert client.post(reverse("assessment:notice-plan-fire", args=[notice.pk, plan.pk]),
                       {"action": "approve"}).status_code == 404
    r = client.get(reverse("assessment:notice-export"))
    assert r.status_code == 200 and notice.number not in b"".join(r.streaming_content).decode()
    assert notice.number not in client.get(reverse("assessment:notice-list")).content.decode()
    login(client, people.outside_manager)
    assert client.get(notice.get_absolute_url()).status_code == 404
    # the department sees it; the plan address leads to it
    login(client, people.colleague)
    r = client.get(reverse("assessment:rectification-plan-detail", args=[plan.pk]))
    assert r.status_code == 302 and r["Location"].startswith(notice.get_absolute_url())
    # issuing is for the quality department
    assert client.get(reverse("assessment:notice-create")).status_code == 403


@pytest.mark.spec("QC-3", "SEC-1")
def test_hostile_input_on_the_issue_page_is_a_400(client, people):
    login(client, people.quality)
    for data in ({"department": people.department.pk, "title": "x" * 10000, "requirement": "r",
                  "deadline": in_days(3).isoformat()},
                 {"department": people.department.pk, "title": "坏\x00", "requirement": "😀' OR 1=1;--",
                  "deadline": "99999-01-01"},
                 {"department": people.department.pk, "title": "t", "requirement": "r",
                  "deadline": in_days(3).isoformat(), "finding": "999999"}):
        assert client.post(reverse("assessment:notice-create"), data).status_code == 400
    assert not Notice.objects.exists()
    assert client.get(reverse("assessment:notice-list") + "?q=%00'--&deadline_from=bad").status_code in (200, 400)


@pytest.mark.spec("QC-3", "SEARCH-1", "PERF-1")
def test_the_list_page_filters_and_costs_the_same_at_10_and_100_rows(client, people, django_assert_num_queries):
    late = a_notice(people=people, title="逾期整改")
    Notice.objects.filter(pk=late.pk).update(deadline=in_days(-1))
    login(client, people.quality)
    page = client.get(reverse("assessment:notice-list") + "?overdue=true").content.decode()
    assert late.number in page and "row-overdue" in page

    def count() -> int:
        with CaptureQueriesContext(connection) as q:
            assert client.get(reverse("assessment:notice-list")).status_code == 200
        return len(q.captured_queries)

    for i in range(9):
        a_notice(people=people, title=f"整改{i}")
    ten = count()
    for i in range(90):
        a_notice(people=people, title=f"更多{i}", department=people.service_department)
    with django_assert_num_queries(ten):
        client.get(reverse("assessment:notice-list"))


@pytest.mark.spec("QC-3", "PERF-1")
def test_the_notice_page_costs_the_same_with_more_plan_versions(client, people, django_assert_num_queries):
    notice = a_notice(people=people)
    a_plan(notice, state=P.REJECTED, people=people)
    login(client, people.manager)
    client.get(notice.get_absolute_url())
    with CaptureQueriesContext(connection) as one:
        assert client.get(notice.get_absolute_url()).status_code == 200
    for _ in range(4):
        a_plan(fresh(notice), state=P.REJECTED, measures=4, people=people)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(notice.get_absolute_url()).content.decode()
    assert page.count('data-status="rejected"') == 5


def _timeline(page: str) -> str:
    start = page.index('id="timeline"')
    return page[start:page.index("</ol>", start)]


@pytest.mark.spec("QC-3", "WF-2")
def test_the_plans_submit_reject_revise_and_approve_are_on_the_notice_timeline(client, people):
    """The notice page's timeline tells the whole story: each plan version's lines (drafted, submitted,
    rejected with its reason, revised as the next version, approved), each naming its version."""
    notice = a_notice(people=people)
    url = notice.get_absolute_url()
    login(client, people.member)
    assert client.post(reverse("assessment:notice-plan-create", args=[notice.pk]),
                       _measure_post(people)).status_code == 302
    v1 = notice.plans.get()
    fire = reverse("assessment:notice-plan-fire", args=[notice.pk, v1.pk])
    assert client.post(fire, {"action": "submit"}).status_code == 302
    login(client, people.manager)
    assert client.post(fire, {"action": "reject", "comment": "措施不具体"}).status_code == 302
    login(client, people.member)
    assert client.post(fire, {"action": "revise"}).status_code == 302
    v2 = notice.plans.get(version=2)
    fire2 = reverse("assessment:notice-plan-fire", args=[notice.pk, v2.pk])
    assert client.post(fire2, {"action": "submit"}).status_code == 302
    login(client, people.manager)
    assert client.post(fire2, {"action": "approve"}).status_code == 302

    timeline = _timeline(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    lines = timeline.split('<li class="list-group-item timeline-')[1:]
    v1_lines = [line for line in lines if "整改方案 v1" in line]
    v2_lines = [line for line in lines if "整改方案 v2" in line]
    # v1: drafted, submitted, rejected (with the reason); v2: revised, submitted, approved
    assert len(v1_lines) == 3 and len(v2_lines) == 3, timeline
    assert any("提交" in line for line in v1_lines) and any("驳回" in line and "措施不具体" in line for line in v1_lines)
    assert any("提交" in line for line in v2_lines) and any("批准" in line for line in v2_lines)
    # the notice's own line is still there and names no plan
    assert any("整改方案 v" not in line for line in lines)


@pytest.mark.spec("QC-3", "WF-3")
def test_the_upload_box_shows_only_where_evidence_is_accepted(client, people):
    """An issued notice (no approved plan) has no upload box and refuses an upload (409); while
    rectifying the department uploads; once reported only the quality department does."""
    issued = a_notice(people=people)
    login(client, people.member)
    assert 'id="attachment-form"' not in client.get(issued.get_absolute_url()).content.decode()
    r = client.post(reverse("assessment:notice-attach", args=[issued.pk]), {"file": evidence()},
                    HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 409 and not issued.attachments.exists()
    login(client, people.quality)
    assert 'id="attachment-form"' not in client.get(issued.get_absolute_url()).content.decode()

    rectifying = a_notice(state=N.RECTIFYING, people=people, title="回访记录整改")
    login(client, people.member)
    assert 'id="attachment-form"' in client.get(rectifying.get_absolute_url()).content.decode()
    r = client.post(reverse("assessment:notice-attach", args=[rectifying.pk]), {"file": evidence()})
    assert r.status_code == 302 and rectifying.attachments.count() == 1

    reported = a_notice(state=N.REPORTED, people=people, title="派工记录整改")
    assert 'id="attachment-form"' not in client.get(reported.get_absolute_url()).content.decode()
    login(client, people.quality)
    assert 'id="attachment-form"' in client.get(reported.get_absolute_url()).content.decode()
