"""QC-5 API (API-1): plans and sessions with keyset lists, 400 field errors, 403, 404 for another
department, 409 for an illegal state; attendance, sign-in sheet and score import; a person's record.
Every JSON answer is checked against the published OpenAPI document (ContractClient)."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from assessment.training.models import Attendance, TrainingPlan
from tests.api.openapi import ContractClient
from tests.builders.assessment import a_session, a_training_plan, today

from .test_pages import _bulk_plans, _bulk_sessions

pytestmark = [pytest.mark.django_db]
PLANS, SESSIONS, PEOPLE = "/api/quality/training/plans/", "/api/quality/training/sessions/", "/api/quality/training/people/"


def api(user):
    client = ContractClient()
    client.force_login(user)
    return client


@pytest.mark.spec("QC-5", "API-1")
def test_plan_create_update_activate_close(people):
    client = api(people.manager)
    r = client.post(PLANS, {"title": "服务流程培训", "department": people.department.pk, "period_start": "2026-01-01",
                            "period_end": "2026-06-30", "target_hours": "6", "topics": ["process"]}, format="json")
    assert r.status_code == 201, r.data
    pk = r.data["id"]
    assert r.data["status"] == "draft" and {a["action"] for a in r.data["available_actions"]} == {"activate"}
    r = client.patch(f"{PLANS}{pk}/", {"target_hours": "8"}, format="json")
    assert r.status_code == 200 and r.data["target_hours"] == "8.0"
    assert client.post(f"{PLANS}{pk}/activate/").data["status"] == "active"
    assert client.post(f"{PLANS}{pk}/close/").data["status"] == "closed"
    assert client.post(f"{PLANS}{pk}/close/").status_code == 409
    assert client.patch(f"{PLANS}{pk}/", {"title": "x"}, format="json").status_code == 409


@pytest.mark.spec("QC-5", "API-1", "SEC-1")
@pytest.mark.parametrize("data, field", [
    ({"title": ""}, "title"),
    ({"title": "a\x00b"}, "title"),
    ({"title": "长" * 10_000}, "title"),
    ({"target_hours": "0"}, "target_hours"),
    ({"target_hours": "NaN"}, "target_hours"),
    ({"topics": ["dancing"]}, "topics"),
    ({"period_end": "2025-01-01"}, "period_end"),
    ({"department": 999999999}, "department"),
])
def test_plan_create_bad_input_is_400_with_field(people, data, field):
    body = {"title": "计划", "department": people.department.pk, "period_start": "2026-01-01",
            "period_end": "2026-12-31", "target_hours": "6", **data}
    r = api(people.quality).post(PLANS, body, format="json")
    assert r.status_code == 400 and field in r.data, r.data
    assert not TrainingPlan.objects.exists()


@pytest.mark.spec("QC-5", "API-1", "SEC-1")
def test_403_and_404_for_other_departments(people):
    session = a_session(people=people, attendees=[people.member])
    outsider = api(people.outsider)
    assert outsider.get(f"{PLANS}{session.plan_id}/").status_code == 404
    assert outsider.get(f"{SESSIONS}{session.pk}/").status_code == 404
    assert outsider.post(f"{SESSIONS}{session.pk}/cancel/", {"comment": "x"}, format="json").status_code == 404
    assert outsider.get(f"{SESSIONS}{session.pk}/sign-in-sheet/").status_code == 404
    assert outsider.get(f"{PEOPLE}{people.member.pk}/").status_code == 404
    assert session.number not in str(outsider.get(SESSIONS).data)
    member = api(people.member)
    assert member.get(f"{SESSIONS}{session.pk}/").status_code == 200
    assert member.post(f"{SESSIONS}{session.pk}/cancel/", {"comment": "x"}, format="json").status_code == 403
    assert member.post(PLANS, {"title": "x", "department": people.department.pk, "period_start": "2026-01-01",
                               "period_end": "2026-12-31", "target_hours": "1"}, format="json").status_code == 403
    # Scheduling on a plan one cannot see is a 404, not a 403.
    r = api(people.outside_manager).post(SESSIONS, {
        "plan": session.plan_id, "title": "x", "topic": "process", "trainer_name": "外聘",
        "starts_at": "2026-12-01T09:00:00+08:00", "ends_at": "2026-12-01T10:00:00+08:00"}, format="json")
    assert r.status_code == 404


@pytest.mark.spec("QC-5", "API-1")
def test_session_schedule_hold_attendance_and_person_record(people):
    plan = a_training_plan(people=people, target_hours="2")
    client = api(people.manager)
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).replace(microsecond=0)
    r = client.post(SESSIONS, {"plan": plan.pk, "title": "问题解决方法", "topic": "problem_solving",
                               "trainer": people.quality.pk, "starts_at": start.isoformat(),
                               "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
                               "attendees": [people.member.pk, people.colleague.pk]}, format="json")
    assert r.status_code == 201, r.data
    pk = r.data["id"]
    assert r.data["hours"] == "2.0" and len(r.data["attendances"]) == 2
    r = client.post(f"{SESSIONS}{pk}/attendance/", {"rows": [{"person": people.member.pk, "attended": True}]},
                    format="json")
    assert r.status_code == 409  # not held yet
    assert client.post(f"{SESSIONS}{pk}/hold/").data["status"] == "held"
    r = client.post(f"{SESSIONS}{pk}/attendance/", {"rows": [
        {"person": people.member.pk, "attended": True, "score": "93.5"},
        {"person": people.colleague.pk, "attended": False, "score": "10"}]}, format="json")
    assert r.status_code == 400
    r = client.post(f"{SESSIONS}{pk}/attendance/", {"rows": [
        {"person": people.member.pk, "attended": True, "score": "93.5"},
        {"person": people.colleague.pk, "attended": False}]}, format="json")
    assert r.status_code == 200, r.data
    scores = {a["person"]: a["score"] for a in r.data["attendances"]}
    assert scores[people.member.pk] == "93.5"
    r = client.get(f"{PLANS}{plan.pk}/completion/")
    rows = {c["person"]: c for c in r.data}
    assert rows[people.member.pk]["percent"] == 100 and rows[people.colleague.pk]["percent"] == 0
    r = api(people.member).get(f"{PEOPLE}{people.member.pk}/")
    assert r.status_code == 200 and r.data["hours"] == "2.0" and r.data["average_score"] == "93.5"


@pytest.mark.spec("QC-5", "API-1")
def test_sign_in_sheet_and_score_import(people):
    session = a_session(people=people, state="held", attendees=[people.member])
    Attendance.objects.filter(session=session).update(attended=None)
    client = api(people.quality)
    r = client.get(f"{SESSIONS}{session.pk}/sign-in-sheet/")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    row = next(c.row for c in ws["A"] if c.value == f"{session.pk}:{people.member.pk}")
    ws.cell(row, 7).value, ws.cell(row, 8).value = "是", "88"
    out = io.BytesIO()
    wb.save(out)
    r = client.post(f"{SESSIONS}{session.pk}/score-import/",
                    {"file": SimpleUploadedFile("sheet.xlsx", out.getvalue())}, format="multipart")
    assert r.status_code == 200, r.data
    assert session.attendances.get().score == Decimal("88")
    r = client.post(f"{SESSIONS}{session.pk}/score-import/",
                    {"file": SimpleUploadedFile("sheet.txt", b"hello")}, format="multipart")
    assert r.status_code == 400 and "file" in r.data


@pytest.mark.spec("QC-5", "PERF-1", "SEARCH-1")
def test_list_endpoints_keyset_and_same_queries_at_10_and_100(people):
    plan = a_training_plan(people=people)
    client = api(people.quality)
    _bulk_sessions(plan, 9, trainer=people.quality)
    _bulk_plans(people.department, people.manager, 9)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url, {"page_size": 100})
        assert r.status_code == 200
        return len(ctx.captured_queries), r

    small = (count(SESSIONS)[0], count(PLANS)[0])
    _bulk_sessions(plan, 91, trainer=people.quality)
    _bulk_plans(people.department, people.manager, 90)
    n_sessions, r = count(SESSIONS)
    assert (n_sessions, count(PLANS)[0]) == small
    assert "next" in r.data and "count" not in r.data
    r = client.get(SESSIONS, {"q": "沟通技巧培训 5"})
    assert r.status_code == 200 and all("沟通技巧培训 5" in row["title"] for row in r.data["results"])
    r = client.get(PLANS, {"period_from": str(today())})
    assert r.status_code == 200
    r = client.get(SESSIONS, {"status": "bogus"})
    assert r.status_code == 400


@pytest.mark.spec("QC-5", "SEC-1")
def test_session_detail_shows_an_outside_attendee_only_their_row(people):
    session = a_session(people=people, state="held", attendees=[people.member, people.service_staff], scores=[55, 99])
    r = api(people.service_staff).get(f"{SESSIONS}{session.pk}/")
    assert r.status_code == 200 and [a["person"] for a in r.data["attendances"]] == [people.service_staff.pk]
    r = api(people.quality).get(f"{SESSIONS}{session.pk}/")
    assert {a["person"] for a in r.data["attendances"]} == {people.member.pk, people.service_staff.pk}
