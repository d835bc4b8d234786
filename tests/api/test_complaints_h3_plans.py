"""CMP-2 / CMP-3 through the API: the investigation (PATCH, refused fields named), similar complaints,
involving people, plan versions proposed with their measures (refused before root cause and
responsibility), draft measures edited, submit / approve / reject (reason) / revise, a measure done
with evidence (multipart) and the complaint moving on, progress reports; 400 with the field named,
403 for who may not, 404 for another department's complaint, 409 for the wrong state or a plan
already decided. The measure list: filters, keyset pages, CSV export, the same number of queries
for 10 and 100 rows. Every answer is checked against the OpenAPI document."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints.models import Complaint, HandlingPlan, Measure
from complaints.services import core
from qsm.workflow.models import Event
from tests.builders.complaints import ROOT_CAUSE, any_cause, cast, complaint_in, plan_in
from tests.complaints.support import stored

S = Complaint.Status
P = HandlingPlan.Status
M = Measure.Status
pytestmark = [pytest.mark.django_db]


@pytest.fixture
def people(db):
    return cast()


@pytest.fixture
def as_(api):
    return lambda user: api(stored(user))


def url(complaint, action: str = "") -> str:
    return f"/api/complaints/complaints/{complaint.pk}/" + (f"{action}/" if action else "")


def plan_url(plan, action: str = "") -> str:
    return url(plan.complaint, f"plans/{plan.pk}" + (f"/{action}" if action else ""))


def day(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def lines(record) -> int:
    return Event.objects.filter(object_id=record.pk, content_type__model=type(record)._meta.model_name).count()


def investigation_body(people, **changes) -> dict:
    body = {"facts": "现场确认主轴异响", "cause": any_cause().pk, "whys": ["主轴异响", "轴承磨损"],
            "root_cause": ROOT_CAUSE, "responsible_department": people.responsible_department.pk,
            "responsible_person": people.responsible.pk}
    body.update(changes)
    return body


# --- investigation -----------------------------------------------------------------------------------------

@pytest.mark.spec("CMP-2", "API-1")
def test_the_investigation_is_recorded_and_read(as_, people):
    complaint = complaint_in(S.INVESTIGATING)
    client = as_(people.investigator)
    before = client.get(url(complaint, "investigation")).json()
    assert set(before["missing"]) == {"cause", "root_cause", "responsible_department", "responsible_person"}
    r = client.patch(url(complaint, "investigation"), investigation_body(people), format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["whys"] == ["主轴异响", "轴承磨损"] and body["missing"] == []
    assert body["responsible_person_name"] == str(people.responsible)


@pytest.mark.spec("CMP-2", "API-1", "SEC-1")
@pytest.mark.parametrize("changes, field", [
    ({"whys": ["1", "2", "3", "4", "5", "6"]}, "whys"),
    ({"whys": ["主轴\x00异响"]}, "whys"),
    ({"whys": ["x" * 501]}, "whys"),
    ({"responsible_person": "OUTSIDER"}, "responsible_person"),
    ({"responsible_person": 999999}, "responsible_person"),
    ({"cause": "abc"}, "cause"),
    ({"facts": "a\x00b"}, "facts"),
])
def test_bad_investigation_input_is_a_400_naming_the_field(as_, people, changes, field):
    complaint = complaint_in(S.INVESTIGATING)
    if changes.get("responsible_person") == "OUTSIDER":
        changes["responsible_person"] = people.outsider.pk
    r = as_(people.investigator).patch(url(complaint, "investigation"), investigation_body(people, **changes),
                                       format="json")
    assert r.status_code == 400, r.content
    assert field in fields(r) or any(f.startswith(field) for f in fields(r))
    complaint.refresh_from_db()
    assert complaint.whys == [] and complaint.responsible_person_id is None


@pytest.mark.spec("CMP-2", "ORG-1")
def test_another_departments_complaint_is_a_404_everywhere(as_, people):
    complaint = complaint_in(S.PLANNING)
    plan = complaint.plans.get()
    client = as_(people.outsider)
    for path in ("investigation", "similar", "plans", f"plans/{plan.pk}"):
        assert client.get(url(complaint, path)).status_code == 404, path
    assert client.post(plan_url(plan, "submit"), {}, format="json").status_code == 404
    assert client.patch(url(complaint, "investigation"), {"facts": "x"}, format="json").status_code == 404
    assert client.get(f"/api/complaints/measures/{plan.measures.first().pk}/").status_code == 404


@pytest.mark.spec("CMP-2")
def test_similar_complaints_and_involving_people(as_, people):
    complaint = complaint_in(S.INVESTIGATING)
    client = as_(people.investigator)
    assert client.get(url(complaint, "similar")).json() == []
    r = client.post(url(complaint, "involve"), {"topic": "分析会", "users": [people.outsider.pk]}, format="json")
    assert r.status_code == 201, r.content
    assert [u["id"] for u in r.json()["invited_users"]] == [people.outsider.pk]
    assert as_(people.outsider).get(url(complaint, "investigation")).status_code == 200  # now they see it
    r = client.post(url(complaint, "involve"), {"topic": "", "users": []}, format="json")
    assert r.status_code == 400 and {"topic", "departments"} <= fields(r)


# --- plans -------------------------------------------------------------------------------------------------

def measures_body(people, n: int = 2) -> list[dict]:
    return [{"description": f"措施{i}", "owner": people.responsible.pk, "due_date": day(7 * i)} for i in range(1, n + 1)]


@pytest.mark.spec("CMP-2", "CMP-3")
def test_no_plan_before_root_cause_and_responsibility(as_, people):
    complaint = complaint_in(S.INVESTIGATING)
    r = as_(people.investigator).post(url(complaint, "plans"), {"summary": "方案", "measures": measures_body(people)},
                                      format="json")
    assert r.status_code == 400 and {"cause", "responsible_person"} <= fields(r)
    complaint.refresh_from_db()
    assert complaint.status == S.INVESTIGATING and not complaint.plans.exists()


@pytest.mark.spec("CMP-3", "API-1")
def test_a_plan_proposed_edited_rejected_revised_approved(as_, people):
    complaint = complaint_in(S.INVESTIGATING)
    investigator = as_(people.investigator)
    investigator.patch(url(complaint, "investigation"), investigation_body(people), format="json")
    r = investigator.post(url(complaint, "plans"), {"summary": "更换轴承", "measures": measures_body(people, 1)},
                          format="json")
    assert r.status_code == 201, r.content
    plan = HandlingPlan.objects.get(pk=r.json()["id"])
    assert r.json()["version"] == 1 and len(r.json()["measures"]) == 1
    r = investigator.post(plan_url(plan, "measures"), {"description": "培训", "owner": people.approver.pk,
                                                       "due_date": day(14)}, format="json")
    assert r.status_code == 201 and r.json()["position"] == 2
    measure_id = r.json()["id"]
    r = investigator.patch(plan_url(plan, f"measures/{measure_id}"),
                           {"description": "培训全员", "owner": people.approver.pk, "due_date": "0001-01-01"},
                           format="json")
    assert r.status_code == 400 and "due_date" in fields(r)
    assert investigator.post(plan_url(plan, "submit"), {}, format="json").status_code == 200
    # editing after submitting: 409
    r = investigator.delete(plan_url(plan, f"measures/{measure_id}"))
    assert r.status_code == 409 and r.json()["code"] == "transition_not_allowed"
    # the author never decides; a reason is needed to reject
    assert investigator.post(plan_url(plan, "approve"), {}, format="json").status_code == 403
    manager = as_(people.approver)
    r = manager.post(plan_url(plan, "reject"), {"reason": ""}, format="json")
    assert r.status_code == 400
    r = manager.post(plan_url(plan, "reject"), {"reason": "措施不具体"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "rejected" and r.json()["decision_reason"] == "措施不具体"
    r = manager.post(plan_url(plan, "approve"), {}, format="json")
    assert r.status_code == 409  # already decided
    r = investigator.post(plan_url(plan, "revise"), {}, format="json")
    assert r.status_code == 201 and r.json()["version"] == 2 and len(r.json()["measures"]) == 2
    v2 = HandlingPlan.objects.get(pk=r.json()["id"])
    investigator.post(plan_url(v2, "submit"), {}, format="json")
    r = as_(people.quality_manager).post(plan_url(v2, "approve"), {"comment": "同意"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert {m["status"] for m in r.json()["measures"]} == {"open"}
    complaint.refresh_from_db()
    assert complaint.status == S.EXECUTING and complaint.plan_version == 2
    versions = investigator.get(url(complaint, "plans")).json()
    assert [(p["version"], p["status"]) for p in versions] == [(2, "approved"), (1, "rejected")]


@pytest.mark.spec("CMP-3", "API-1")
def test_a_measure_is_done_with_evidence_through_multipart(as_, people):
    plan = plan_in(P.APPROVED, measures=2)
    first, second = plan.measures.order_by("position")
    owner = as_(people.responsible)
    r = owner.post(plan_url(plan, f"measures/{first.pk}/complete"), {"note": "已更换"}, format="json")
    assert r.status_code == 400 and "evidence" in fields(r)
    r = owner.post(plan_url(plan, f"measures/{first.pk}/complete"), {"note": "", "evidence": ""},
                   format="multipart")
    assert r.status_code == 400 and "note" in fields(r)
    assert as_(people.outsider).post(plan_url(plan, f"measures/{first.pk}/complete"), {"note": "x"},
                                     format="json").status_code == 404
    evidence = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    r = owner.post(plan_url(plan, f"measures/{first.pk}/complete"), {"note": "已更换轴承", "evidence": evidence},
                   format="multipart")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "done" and r.json()["done_note"] == "已更换轴承"
    r = owner.post(plan_url(plan, f"measures/{first.pk}/complete"), {"note": "再次"}, format="json")
    assert r.status_code == 409
    evidence = SimpleUploadedFile("规程.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    r = owner.post(plan_url(plan, f"measures/{second.pk}/complete"), {"note": "规程已更新", "evidence": evidence},
                   format="multipart")
    assert r.status_code == 200
    assert Complaint.objects.get(pk=plan.complaint_id).status == S.CONFIRMING


@pytest.mark.spec("CMP-3")
def test_progress_reports(as_, people):
    complaint = complaint_in(S.EXECUTING)
    r = as_(people.investigator).post(url(complaint, "progress-reports"),
                                      {"channel": "phone", "summary": "已告知客户进展"}, format="json")
    assert r.status_code == 201 and r.json()["summary"] == "已告知客户进展"
    r = as_(people.investigator).post(url(complaint, "progress-reports"), {"channel": "fax", "summary": ""},
                                      format="json")
    assert r.status_code == 400


# --- the measure list ----------------------------------------------------------------------------------------

@pytest.mark.spec("CMP-3", "SEARCH-1")
def test_the_measure_list_filters_pages_and_exports(as_, people):
    plan = plan_in(P.APPROVED, measures=3)
    draft = plan_in(P.DRAFT, measures=2)  # a draft's measures are not work yet
    client = as_(people.quality)
    rows = client.get("/api/complaints/measures/").json()["results"]
    ids = [r["id"] for r in rows]
    assert set(ids) == set(plan.measures.values_list("pk", flat=True))
    assert not set(ids) & set(draft.measures.values_list("pk", flat=True))
    assert [r["due_date"] for r in rows] == sorted(r["due_date"] for r in rows)  # due first
    Measure.objects.filter(pk=ids[0]).update(due_date=timezone.localdate() - dt.timedelta(days=2))
    overdue = client.get("/api/complaints/measures/?overdue=true").json()["results"]
    assert [r["id"] for r in overdue] == [ids[0]] and overdue[0]["is_overdue"] is True
    assert client.get(f"/api/complaints/measures/?q={plan.complaint.number}").json()["results"]
    assert client.get("/api/complaints/measures/?severity=critical").json()["results"] == []
    by_customer = client.get(f"/api/complaints/measures/?customer={plan.complaint.customer_id}").json()["results"]
    assert {r["id"] for r in by_customer} == set(ids)
    assert client.get("/api/complaints/measures/?due_from=notadate").status_code == 400
    page = client.get("/api/complaints/measures/?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]
    csv = client.get("/api/complaints/measures/export/?format=csv")
    assert csv.status_code == 200 and plan.complaint.number in b"".join(csv.streaming_content).decode("utf-8-sig")
    assert as_(people.outsider).get("/api/complaints/measures/").json()["results"] == []


@pytest.mark.spec("CMP-3", "PERF-1")
def test_the_measure_list_reads_the_same_queries_for_10_and_100_rows(as_, people, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = plan_in(P.APPROVED, measures=10)
    client = as_(people.quality)
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get("/api/complaints/measures/?page_size=100").json()["results"]) == 10
    complaint = plan.complaint
    for _ in range(3):  # 30 more open measures on other complaints
        other = plan_in(P.APPROVED, measures=30)
        assert other.complaint_id != complaint.pk
    client = as_(people.quality)  # the builders signed the first session out
    with CaptureQueriesContext(connection) as hundred:
        assert len(client.get("/api/complaints/measures/?page_size=100").json()["results"]) == 100
    assert len(hundred.captured_queries) == len(ten.captured_queries)
    assert core  # the builders drove the core services
