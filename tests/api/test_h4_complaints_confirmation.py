"""CMP-4/CMP-5 API: the confirmation actions, closing unresolved, the case report and preventive
measures; 400 field errors, 403, 404 outside the scope, 409 illegal steps; lists by keyset with
a query count that does not grow with the page."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.models import CaseReport, CustomerAnswer, PreventiveMeasure
from tests.complaints.h4_support import C, closed, confirming, fresh, login, now

PREVENTIVE = "/api/complaints/preventive-measures/"


def url(complaint, action: str) -> str:
    return f"/api/complaints/complaints/{complaint.pk}/{action}/"


@pytest.mark.spec("CMP-4")
def test_record_answer_by_phone(api, people):
    complaint = confirming()
    client = api(now(people.investigator))
    bad = client.post(url(complaint, "record-answer"), {"satisfied": False, "objections": ""}, format="json")
    assert bad.status_code == 400 and "objections" in bad.json()
    assert client.post(url(complaint, "record-answer"), {"objections": "x"}, format="json").status_code == 400
    ok = client.post(url(complaint, "record-answer"), {"satisfied": False, "objections": "仍有异响"}, format="json")
    assert ok.status_code == 201 and ok.json()["round"] == 1 and ok.json()["method"] == "phone"
    assert fresh(complaint).status == C.PLANNING
    again = client.post(url(complaint, "record-answer"), {"satisfied": True}, format="json")
    assert again.status_code == 409
    answers = client.get(url(complaint, "answers"))
    assert answers.status_code == 200 and [a["satisfied"] for a in answers.json()] == [False]


@pytest.mark.spec("CMP-4")
def test_issue_and_revoke_the_link(api, people):
    complaint = confirming()
    client = api(now(people.investigator))
    issued = client.post(url(complaint, "issue-link"), {"contact_name": "王经理"}, format="json")
    assert issued.status_code == 201 and "/l/" in issued.json()["url"] and complaint.number in issued.json()["text"]
    revoked = client.post(url(complaint, "revoke-link"), {}, format="json")
    assert revoked.status_code == 200 and revoked.json() == {"revoked": 1}


@pytest.mark.spec("CMP-4")
def test_another_departments_complaint_is_404_for_every_action(api, people):
    complaint = confirming()
    client = api(now(people.outsider))
    for action in ("record-answer", "issue-link", "revoke-link"):
        assert client.post(url(complaint, action), {"satisfied": True, "comment": "x"}, format="json").status_code == 404
    for action in ("answers", "case-report", "case-report/pdf"):
        assert client.get(url(complaint, action)).status_code == 404
    assert not CustomerAnswer.objects.filter(complaint=complaint).exists()


@pytest.mark.spec("CMP-5")
def test_case_report_put_finalise_pdf(api, people):
    complaint = closed()
    client = api(now(people.investigator))
    assert client.get(url(complaint, "case-report")).status_code == 404
    body = {"summary": "异响投诉", "cause_text": "润滑不足", "lessons_learned": "增加检验"}
    put = client.put(url(complaint, "case-report"), body, format="json")
    assert put.status_code == 200 and put.json()["status"] == "draft"
    assert client.put(url(complaint, "case-report"), {"summary": "x\x00"}, format="json").status_code == 400
    final = client.post(url(complaint, "case-report/finalise"), {}, format="json")
    assert final.status_code == 200 and final.json()["status"] == "final"
    assert client.put(url(complaint, "case-report"), body, format="json").status_code == 409
    pdf = client.get(url(complaint, "case-report/pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert CaseReport.objects.get(complaint=complaint).status == "final"


@pytest.mark.spec("CMP-5")
def test_preventive_measures_create_complete_and_filter(api, people):
    complaint = closed()
    client = api(now(people.investigator))
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    bad = client.post(PREVENTIVE, {"complaint": complaint.pk, "description": "", "owner": people.responsible.pk,
                                   "due_date": "9999-12-31"}, format="json")
    assert bad.status_code == 400
    created = client.post(PREVENTIVE, {"complaint": complaint.pk, "description": "修订检验规程",
                                       "owner": people.responsible.pk, "due_date": due}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api(now(people.outsider)).get(f"{PREVENTIVE}{pk}/").status_code == 404
    assert api(now(people.outsider)).post(PREVENTIVE, {"complaint": complaint.pk, "description": "x",
                                                         "owner": people.responsible.pk, "due_date": due},
                                            format="json").status_code == 404
    assert client.post(f"{PREVENTIVE}{pk}/complete/", {"note": ""}, format="json").status_code == 400
    done = api(now(people.responsible)).post(f"{PREVENTIVE}{pk}/complete/", {"note": "已修订"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert client.post(f"{PREVENTIVE}{pk}/complete/", {"note": "再次"}, format="json").status_code == 409
    listed = client.get(PREVENTIVE, {"status": "done"}).json()["results"]
    assert [row["id"] for row in listed] == [pk]
    assert client.get(PREVENTIVE, {"overdue": "true"}).json()["results"] == []
    export = client.get(PREVENTIVE + "export/", {"format": "csv"})
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert export.status_code == 200 and "修订检验规程" in body.decode("utf-8-sig")


def _bulk(complaint, owner, n, start=0):
    PreventiveMeasure.objects.bulk_create([
        PreventiveMeasure(complaint=complaint, description=f"措施 {i}", owner=owner, department=owner.department, created_by=owner,
                          due_date=timezone.localdate() + dt.timedelta(days=i)) for i in range(start, start + n)])


@pytest.mark.spec("SEARCH-1", "CMP-5")
def test_the_preventive_list_costs_the_same_queries_at_10_and_100_rows(people, api, client, django_assert_num_queries):
    complaint = closed()
    _bulk(complaint, people.responsible, 10)
    api_client = api(now(people.investigator))
    login(client, people.investigator)
    api_client.get(PREVENTIVE)
    client.get("/complaints/preventive/")
    with CaptureQueriesContext(connection) as api_ctx:
        assert len(api_client.get(PREVENTIVE, {"page_size": 100}).json()["results"]) == 10
    with CaptureQueriesContext(connection) as page_ctx:
        assert client.get("/complaints/preventive/", {"per_page": 100}).status_code == 200
    _bulk(complaint, people.responsible, 90, start=10)
    with django_assert_num_queries(len(api_ctx.captured_queries)):
        assert len(api_client.get(PREVENTIVE, {"page_size": 100}).json()["results"]) == 100
    with django_assert_num_queries(len(page_ctx.captured_queries)):
        assert client.get("/complaints/preventive/", {"per_page": 100}).status_code == 200


@pytest.fixture
def people(db):
    from tests.builders.complaints import cast

    return cast()
