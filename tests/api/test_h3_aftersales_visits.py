"""VIS-1/VIS-2/SEARCH-1 API: /api/aftersales/visits/ — list with filters and keyset pages, the
record with its version's questions, each step its own action; 400/403/404/409."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.models import Case, Question, Visit
from aftersales.services import visits as services
from qsm.links.models import SignedLink
from tests.builders.aftersales import visit_build
from tests.builders.visits import bulk_visits

URL = "/api/aftersales/visits/"


def url(visit, action: str = "") -> str:
    return f"{URL}{visit.pk}/" + (f"{action}/" if action else "")


def _answers(visit: Visit, score=4) -> dict:
    return {str(q.pk): {"scale": score, "choice": (q.choices or [""])[0], "text": "无"}[q.kind]
            for q in visit.questionnaire_version.questions.all()}


def _body(answers: dict) -> list[dict]:
    return [{"question": int(k), "value": str(v)} for k, v in answers.items()]


@pytest.mark.spec("VIS-1", "SEARCH-1")
def test_the_list_filters_and_pages_by_keyset(api, staff_user, quality_officer, other_department_staff):
    low = visit_build(actor=staff_user, state="done", satisfaction=1)
    visit_build(actor=staff_user, state="done", satisfaction=5)
    planned = visit_build(actor=staff_user)
    elsewhere = visit_build(actor=other_department_staff)
    client = api(quality_officer)

    def numbers(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        return {row["number"] for row in response.json()["results"]}

    assert numbers(low_score="true") == {low.number}
    assert numbers(satisfaction=1) == {low.number}
    assert numbers(status="planned") == {planned.number, elsewhere.number}
    assert numbers(reason="case_resolved", department=staff_user.department_id) >= {low.number, planned.number}
    assert elsewhere.number not in {r["number"] for r in api(staff_user).get(URL).json()["results"]}
    page = client.get(URL, {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["next"] and "cursor=" in page["next"]
    assert client.get(URL, {"satisfaction": 9}).status_code == 400


@pytest.mark.spec("SEARCH-1", "PERF-1")
def test_the_list_costs_the_same_queries_at_10_and_100_rows(api, staff_user, django_assert_num_queries):
    bulk_visits(10, department=staff_user.department, owner=staff_user)
    client = api(staff_user)
    client.get(URL)
    with CaptureQueriesContext(connection) as ctx:
        assert len(client.get(URL, {"page_size": 100}).json()["results"]) == 10
    at_10 = len(ctx.captured_queries)
    bulk_visits(90, department=staff_user.department, owner=staff_user, start=10)
    with django_assert_num_queries(at_10):
        assert len(client.get(URL, {"page_size": 100}).json()["results"]) == 100
    print(f"visit list endpoint: {at_10} queries at 10 and at 100 rows")


@pytest.mark.spec("VIS-1", "VIS-2")
def test_record_a_phone_visit_and_read_it_back_with_its_versions_questions(api, staff_user):
    visit = visit_build(actor=staff_user)
    client = api(staff_user)
    body = {"satisfaction": 3, "answers": _body(_answers(visit)), "comments": "还行", "call_seconds": 300}
    response = client.post(url(visit, "record"), body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["method"], data["satisfaction"], data["done_by"], data["call_seconds"]) == (
        "done", "phone", 3, staff_user.pk, 300)
    texts = [q.text for q in visit.questionnaire_version.questions.order_by("position")]
    assert [q["text"] for q in data["questions"]] == texts
    assert sorted(a["question_text"] for a in data["answers"]) == sorted(texts)
    # again: 409
    assert client.post(url(visit, "record"), body, format="json").status_code == 409


@pytest.mark.spec("VIS-1")
def test_bad_input_is_400_with_field_errors_and_changes_nothing(api, staff_user):
    visit = visit_build(actor=staff_user)
    client = api(staff_user)
    required = Question.objects.filter(version=visit.questionnaire_version, required=True).first()
    answers = _answers(visit)
    answers.pop(str(required.pk))
    response = client.post(url(visit, "record"), {"satisfaction": 4, "answers": _body(answers)}, format="json")
    assert response.status_code == 400 and f"q_{required.pk}" in response.json()
    response = client.post(url(visit, "record"), {"satisfaction": 9, "answers": _body(_answers(visit))}, format="json")
    assert response.status_code == 400 and "satisfaction" in response.json()
    unknown = client.post(url(visit, "record"), {"satisfaction": 4, "answers": [
        *_body(_answers(visit)), {"question": 999999, "value": "5"}]}, format="json")
    assert unknown.status_code == 400 and "answers" in unknown.json()
    assert client.post(url(visit, "attempts"), {"outcome": "asleep"}, format="json").status_code == 400
    assert client.post(url(visit, "cancel"), {"comment": ""}, format="json").status_code == 400
    visit.refresh_from_db()
    assert visit.status == "planned" and visit.phone_attempts == 0 and not visit.answers.exists()


@pytest.mark.spec("VIS-1")
def test_another_departments_visit_is_404_and_rights_are_403(api, staff_user, other_department_staff):
    visit = visit_build(actor=staff_user, state="done", satisfaction=2)
    outsider = api(other_department_staff)
    assert outsider.get(url(visit)).status_code == 404
    assert outsider.post(url(visit, "open-case")).status_code == 404
    assert outsider.post(url(visit, "record"), {"satisfaction": 4}, format="json").status_code == 404
    # the visit's department does not re-check its own visits
    assert api(staff_user).post(url(visit, "recheck-request"), {}, format="json").status_code == 403


@pytest.mark.spec("VIS-1")
def test_calls_then_the_link_then_the_customer_answers(api, staff_user):
    from django.test import Client

    visit = visit_build(actor=staff_user)
    client = api(staff_user)
    for outcome in ("no_answer", "busy", "refused"):
        assert client.post(url(visit, "attempts"), {"outcome": outcome}, format="json").status_code == 201
    assert [a["outcome"] for a in client.get(url(visit, "attempts")).json()] == ["no_answer", "busy", "refused"]
    assert client.get(url(visit)).json()["link_offered"] is True
    sent = client.post(url(visit, "send-link"), {"contact_name": "王经理"}, format="json")
    assert sent.status_code == 201
    data = sent.json()
    assert data["url"].startswith("http://testserver/l/") and data["url"] in data["text"]
    assert data["visit"]["status"] == "link_sent" and data["qr_png"].startswith("http://testserver/links/qr.png?u=")
    first = data["url"]
    again = client.post(url(visit, "send-link"), {}, format="json").json()
    assert again["url"] != first
    path = again["url"].replace("http://testserver", "")
    form = {"satisfaction": "5", **{f"q_{k}": str(v) for k, v in _answers(visit, 5).items()}}
    assert Client().post(first.replace("http://testserver", ""), form).status_code == 410
    assert Client().post(path, form).status_code == 200
    detail = client.get(url(visit)).json()
    assert (detail["status"], detail["method"], detail["done_by"]) == ("done", "link", None)
    assert detail["link"]["used_at"] and detail["answer_ip"] == "127.0.0.1"
    assert SignedLink.objects.filter(object_id=visit.pk, revoked_at__isnull=False).count() == 1


@pytest.mark.spec("VIS-2")
def test_re_check_by_the_quality_department(api, staff_user, quality_officer):
    visit = visit_build(actor=staff_user, state="done")
    client = api(quality_officer)
    assert client.post(url(visit, "recheck"), {"result": "confirmed"}, format="json").status_code == 409
    assert client.post(url(visit, "recheck-request"), {"note": "抽查"}, format="json").status_code == 200
    assert client.post(url(visit, "recheck"), {"result": "maybe"}, format="json").status_code == 400
    response = client.post(url(visit, "recheck"), {"result": "discrepancy", "note": "客户否认"}, format="json")
    assert response.status_code == 200 and response.json()["recheck_status"] == "discrepancy"
    timeline = client.get(url(visit, "timeline")).json()
    assert {"recheck_request", "recheck"} <= {e["action"] for e in timeline}


@pytest.mark.spec("VIS-1")
def test_open_a_case_from_a_low_score_once(api, staff_user, quality_officer):
    visit = visit_build(actor=staff_user, state="done", satisfaction=2)
    client = api(quality_officer)
    first = client.post(url(visit, "open-case"))
    assert first.status_code == 201 and first.json()["created"] is True
    second = client.post(url(visit, "open-case"))
    assert second.status_code == 200 and second.json() == {**first.json(), "created": False}
    assert Case.objects.filter(source_visit=visit).count() == 1
    assert client.get(url(visit)).json()["opened_cases"] == [{"id": first.json()["id"], "number": first.json()["number"]}]
    good = visit_build(actor=staff_user, state="done", satisfaction=4)
    assert client.post(url(good, "open-case")).status_code == 409


@pytest.mark.spec("SEARCH-1")
def test_the_export_of_the_endpoint(api, staff_user, quality_officer):
    low = visit_build(actor=staff_user, state="done", satisfaction=1)
    visit_build(actor=staff_user, state="done", satisfaction=5)
    response = api(quality_officer).get(URL + "export/", {"low_score": "true", "format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    lines = body.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith(low.number)
    services  # noqa: B018  (the services module is what the endpoint calls)
