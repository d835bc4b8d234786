"""QC-3 API: notices and plans; 400 / 403 / 404 / 409; keyset lists of a fixed query count."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from assessment.rectification.models import Notice, RectificationPlan
from tests.builders.assessment import a_failed_finding, a_notice, a_plan, evidence, in_days

pytestmark = pytest.mark.django_db
N = Notice.Status
P = RectificationPlan.Status
BASE = "/api/quality/notices/"
PLANS = "/api/quality/rectification-plans/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.spec("QC-3", "API-1")
def test_the_journey_through_the_api(people):
    finding = a_failed_finding(people=people)
    r = api(people.quality).post(BASE, {"title": "受理记录缺项", "requirement": "补录", "deadline": str(in_days(7)),
                                        "finding": finding.pk}, format="json")
    assert r.status_code == 201, r.content
    notice_id = r.json()["id"]
    assert r.json()["source"] == "finding" and r.json()["department"] == finding.sample.department_id
    member, manager = api(people.member), api(people.manager)
    measures = [{"description": "增加复核", "owner": people.member.pk, "due_on": str(in_days(3))}]
    r = member.post(f"{BASE}{notice_id}/plans/", {"cause": "缺少复核", "measures": measures}, format="json")
    assert r.status_code == 201, r.content
    plan_id = r.json()["id"]
    assert member.post(f"{PLANS}{plan_id}/submit/", {}, format="json").status_code == 200
    # the author cannot approve; a rejection needs a reason
    assert member.post(f"{PLANS}{plan_id}/approve/", {}, format="json").status_code == 403
    r = manager.post(f"{PLANS}{plan_id}/reject/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "comment" in r.json()
    assert manager.post(f"{PLANS}{plan_id}/reject/", {"reason": "措施太笼统"}, format="json").status_code == 200
    # already decided: 409
    r = api(people.quality_manager).post(f"{PLANS}{plan_id}/approve/", {}, format="json")
    assert r.status_code == 409
    r = member.post(f"{PLANS}{plan_id}/revise/", {}, format="json")
    assert r.status_code == 201 and r.json()["version"] == 2
    new_id = r.json()["id"]
    assert member.post(f"{PLANS}{new_id}/submit/", {}, format="json").status_code == 200
    r = manager.post(f"{PLANS}{new_id}/approve/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert api(people.member).get(f"{BASE}{notice_id}/").json()["status"] == "rectifying"
    # completion without evidence: 400; with: reported
    r = member.post(f"{BASE}{notice_id}/report/", {"note": "已整改"}, format="json")
    assert r.status_code == 400 and "attachments" in r.json()
    r = member.post(f"{BASE}{notice_id}/report/", {"note": "已整改", "evidence": evidence()}, format="multipart")
    assert r.status_code == 200 and r.json()["status"] == "reported"
    assert member.post(f"{BASE}{notice_id}/verify/", {}, format="json").status_code == 403
    r = api(people.quality).post(f"{BASE}{notice_id}/verify/", {"note": "复查合格"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert api(people.quality).post(f"{BASE}{notice_id}/reopen/", {"comment": "x"}, format="json").status_code == 409
    plans = api(people.manager).get(f"{BASE}{notice_id}/plans/").json()
    assert [p["version"] for p in plans] == [2, 1] and plans[1]["reject_reason"] == "措施太笼统"


@pytest.mark.spec("QC-3", "SEC-2", "API-1")
def test_another_departments_notice_and_plan_are_404(people):
    notice = a_notice(state=N.ISSUED, people=people)
    plan = a_plan(notice, state=P.SUBMITTED, people=people)
    outsider = api(people.outsider)
    for url in (f"{BASE}{notice.pk}/", f"{BASE}{notice.pk}/plans/", f"{BASE}{notice.pk}/timeline/",
                f"{BASE}{notice.pk}/attachments/", f"{PLANS}{plan.pk}/"):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"{PLANS}{plan.pk}/approve/", {}, format="json").status_code == 404
    assert api(people.outside_manager).post(f"{PLANS}{plan.pk}/reject/", {"reason": "x"},
                                            format="json").status_code == 404
    assert outsider.get(BASE).json()["results"] == []
    r = outsider.get(f"{BASE}export/?format=csv")
    assert r.status_code == 200 and notice.number not in b"".join(r.streaming_content).decode()
    r = api(people.member).get(f"{BASE}export/?format=csv")
    assert notice.number in b"".join(r.streaming_content).decode()
    # the department's members and a measure owner see it
    assert api(people.colleague).get(f"{BASE}{notice.pk}/").status_code == 200


@pytest.mark.spec("QC-3", "SEC-1")
@pytest.mark.parametrize("payload, field", [
    ({"title": "x" * 10000, "requirement": "r", "deadline": "2030-01-01", "department": None}, "title"),
    ({"title": "t\x07", "requirement": "r", "deadline": "2030-01-01"}, "title"),
    ({"title": "t", "requirement": "r'; DROP TABLE x;--", "deadline": "9999-01-01"}, "deadline"),
    ({"title": "😀", "requirement": "r", "deadline": "2030-01-01", "finding": 999999}, "finding"),
])
def test_hostile_input_is_a_400_never_a_500(people, payload, field):
    payload.setdefault("department", people.department.pk)
    r = api(people.quality).post(BASE, payload, format="json")
    assert r.status_code == 400 and field in r.json(), r.content


@pytest.mark.spec("QC-3", "SEARCH-1", "PERF-1")
def test_list_filters_and_a_fixed_query_count(people, django_assert_num_queries):
    late = a_notice(people=people, title="逾期的整改", deadline=in_days(1))
    Notice.objects.filter(pk=late.pk).update(deadline=in_days(-2))
    a_notice(state=N.RECTIFYING, people=people, title="正在整改")
    client = api(people.quality)
    assert [n["number"] for n in client.get(f"{BASE}?overdue=true").json()["results"]] == [late.number]
    assert [n["title"] for n in client.get(f"{BASE}?q=正在").json()["results"]] == ["正在整改"]
    assert len(client.get(f"{BASE}?status=rectifying").json()["results"]) == 1
    assert client.get(f"{BASE}?deadline_from=notadate").status_code == 400

    def count() -> int:
        with CaptureQueriesContext(connection) as q:
            assert client.get(BASE).status_code == 200
        return len(q.captured_queries)

    for i in range(8):
        a_notice(people=people, title=f"整改{i}")
    ten = count()
    for i in range(90):
        a_notice(people=people, title=f"更多{i}", department=people.service_department)
    with django_assert_num_queries(ten):
        client.get(BASE)


@pytest.mark.spec("QC-3", "API-1")
def test_the_draft_is_changed_and_withdrawn_through_the_api(people):
    notice = a_notice(people=people)
    plan = a_plan(notice, state=P.DRAFT, people=people)
    member = api(people.member)
    r = member.patch(f"{PLANS}{plan.pk}/", {"cause": "培训不足", "measures": [
        {"description": "组织培训", "owner": people.colleague.pk, "due_on": str(in_days(4))}]}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["cause"] == "培训不足" and [m["owner"] for m in r.json()["measures"]] == [people.colleague.pk]
    # an owner outside the department is a field error
    r = member.patch(f"{PLANS}{plan.pk}/", {"measures": [
        {"description": "x", "owner": people.outsider.pk, "due_on": str(in_days(4))}]}, format="json")
    assert r.status_code == 400 and "measures" in r.json()
    assert api(people.outsider).patch(f"{PLANS}{plan.pk}/", {"cause": "x"}, format="json").status_code == 404
    r = member.post(f"{PLANS}{plan.pk}/withdraw/", {}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert member.patch(f"{PLANS}{plan.pk}/", {"cause": "再改"}, format="json").status_code == 409


@pytest.mark.spec("QC-3", "WF-3", "API-1")
def test_evidence_on_an_issued_notice_is_a_409_through_the_api(people):
    notice = a_notice(state=N.ISSUED, people=people)
    r = api(people.member).post(f"{BASE}{notice.pk}/attachments/", {"file": evidence()}, format="multipart")
    assert r.status_code == 409 and r.json().get("code")
    assert not notice.attachments.exists()
    rectifying = a_notice(state=N.RECTIFYING, people=people, title="回访记录整改")
    r = api(people.member).post(f"{BASE}{rectifying.pk}/attachments/", {"file": evidence()}, format="multipart")
    assert r.status_code == 201 and rectifying.attachments.count() == 1
