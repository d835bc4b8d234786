"""CMP-1 / SEARCH-1 on the complaint endpoint (API-1): intake answers the promised reply time, each
transition its own action with 400 / 403 / 404 / 409 and a ``code``, intake corrections while
received, keyset pages at the same query count for 10 and 100 rows, never a COUNT, exports in the
user's scope; another department's complaint is a 404 on every endpoint."""
from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Complaint
from qsm.workflow.models import Event
from tests.builders.exports import xlsx_export
from tests.complaints.h2_support import bulk_complaints, log_complaint

pytestmark = pytest.mark.django_db
BASE = "/api/complaints/complaints/"
S = Complaint.Status


def url(complaint, action: str = "") -> str:
    return f"{BASE}{complaint.pk}/" + (f"{action}/" if action else "")


def _events(complaint) -> int:
    return Event.objects.filter(object_id=complaint.pk, content_type__model="complaint").count()


@pytest.fixture
def complaint(staff_user, customer):
    return log_complaint(actor=staff_user, customer=customer, subject="交货延误两周", severity="serious")


@pytest.mark.spec("CMP-1", "API-1")
def test_intake_answers_the_promised_reply_time(api, staff_user, customer):
    r = api(staff_user).post(BASE, {"channel": "web", "severity": "critical", "customer": customer.pk,
                                    "subject": "网站投诉：安装人员未按约定时间到场", "description": "客户在官网留言投诉",
                                    "customer_demand": "赔偿误工损失"}, format="json")
    assert r.status_code == 201, r.data
    complaint = Complaint.objects.get(pk=r.data["id"])
    assert r.data["status"] == "received" and r.data["number"].startswith("TS")
    assert r.data["promised_reply_at"] is not None
    assert r.data["promise"].startswith("我们将在") and r.data["promise"].endswith("前答复您。")
    assert complaint.received_by == staff_user and complaint.customer_demand == "赔偿误工损失"
    assert len(r.data["contacts"]) >= 1  # the acknowledgement
    assert {d["stage"] for d in r.data["deadlines"]} >= {"reply"}


@pytest.mark.spec("CMP-1", "API-1", "SEC-1")
@pytest.mark.parametrize(("data", "field"), [
    ({"channel": "fax"}, "channel"),
    ({"severity": "x"}, "severity"),
    ({"subject": ""}, "subject"),
    ({"subject": "a\x00b"}, "subject"),
    ({"subject": "长" * 10_000}, "subject"),
    ({"customer": None}, "customer"),
    ({"customer": 999999999}, "customer"),
    ({"received_at": "0001-01-01T00:00:00Z"}, "received_at"),
    ({"received_at": "9999-12-31T00:00:00Z"}, "received_at"),
    ({"source_case": 999999999}, "source_case"),
])
def test_bad_intake_is_400_with_field_errors(api, staff_user, customer, data, field):
    body = {"channel": "phone", "customer": customer.pk, "subject": "投诉", "description": "内容", **data}
    r = api(staff_user).post(BASE, body, format="json")
    assert r.status_code == 400
    assert field in r.data, r.data
    assert not Complaint.objects.exists()


@pytest.mark.spec("CMP-1", "ORG-1", "API-1")
def test_intake_refuses_another_departments_case_and_who_may_not_log(api, staff_user, other_department_staff,
                                                                     production_user, customer):
    from tests.aftersales.cases_support import new_case

    theirs = new_case(actor=other_department_staff, customer=customer)
    r = api(staff_user).post(BASE, {"channel": "phone", "customer": customer.pk, "subject": "投诉", "description": "x",
                                    "source_case": theirs.pk}, format="json")
    assert r.status_code == 400 and "source_case" in r.data
    r = api(production_user).post(BASE, {"channel": "phone", "customer": customer.pk, "subject": "投诉",
                                         "description": "x"}, format="json")
    assert r.status_code == 403
    assert not Complaint.objects.exists()


@pytest.mark.spec("CMP-1", "CMP-2", "API-1")
def test_assign_reply_and_the_refusals(api, staff_user, quality_officer, quality_manager, colleague, complaint):
    before = _events(complaint)
    r = api(staff_user).post(url(complaint, "assign"), {"investigator": quality_officer.pk}, format="json")
    assert r.status_code == 403 and r.data["code"]
    r = api(quality_officer).post(url(complaint, "assign"), {}, format="json")
    assert r.status_code == 400 and "investigator" in r.data
    r = api(quality_officer).post(url(complaint, "assign"), {"investigator": colleague.pk}, format="json")
    assert r.status_code == 400 and "investigator" in r.data  # not of the quality department
    assert _events(complaint) == before
    r = api(quality_officer).post(url(complaint, "assign"), {"investigator": quality_manager.pk}, format="json")
    assert r.status_code == 200 and r.data["status"] == "investigating" and r.data["investigator"] == quality_manager.pk
    r = api(staff_user).post(url(complaint, "reply"), {"reply": ""}, format="json")
    assert r.status_code == 400
    r = api(staff_user).post(url(complaint, "reply"), {"reply": "已安排质量部调查，三天内给出方案。"}, format="json")
    assert r.status_code == 200 and r.data["replied_at"] and r.data["reply_verdict"] == "met"
    # The reply is recorded once: a second one is a 409 with the reason's code.
    r = api(staff_user).post(url(complaint, "reply"), {"reply": "再答复一次"}, format="json")
    assert r.status_code == 409 and r.data["code"]
    # Later the quality department changes the investigator; the complaint stays where it is.
    r = api(quality_officer).post(url(complaint, "assign"), {"investigator": quality_officer.pk}, format="json")
    assert r.status_code == 200 and r.data["status"] == "investigating" and r.data["investigator"] == quality_officer.pk


@pytest.mark.spec("CMP-2", "API-1")
def test_planning_cannot_start_before_the_investigation_is_recorded(api, quality_officer, complaint):
    api(quality_officer).post(url(complaint, "assign"), {"investigator": quality_officer.pk}, format="json")
    before = _events(complaint)
    r = api(quality_officer).post(url(complaint, "start-planning"), {}, format="json")
    assert r.status_code in (400, 409), r.data
    complaint.refresh_from_db()
    assert complaint.status == S.INVESTIGATING and _events(complaint) == before


@pytest.mark.spec("CMP-4", "API-1")
def test_close_unresolved_needs_the_quality_manager_and_a_reason(api, quality_officer, quality_manager, complaint):
    assert api(quality_officer).post(url(complaint, "close-unresolved"), {"comment": "决定"},
                                     format="json").status_code == 403
    r = api(quality_manager).post(url(complaint, "close-unresolved"), {"comment": ""}, format="json")
    assert r.status_code == 400
    r = api(quality_manager).post(url(complaint, "close-unresolved"), {"comment": "客户诉求超出合同，管理层决定关闭"},
                                  format="json")
    assert r.status_code == 200 and r.data["status"] == "closed_unresolved"
    assert r.data["close_decision_reason"] == "客户诉求超出合同，管理层决定关闭"
    r = api(quality_manager).post(url(complaint, "cancel"), {"comment": "重复"}, format="json")
    assert r.status_code == 409


@pytest.mark.spec("CMP-1", "API-1")
def test_intake_fields_are_corrected_while_received_only(api, staff_user, quality_manager, complaint):
    r = api(staff_user).patch(url(complaint), {"subject": "交货延误三周", "severity": "critical"}, format="json")
    assert r.status_code == 200 and r.data["subject"] == "交货延误三周" and r.data["severity"] == "critical"
    r = api(staff_user).patch(url(complaint), {"status": "closed"}, format="json")
    assert r.status_code == 400 and "status" in r.data
    r = api(staff_user).patch(url(complaint), {"subject": "x\x00"}, format="json")
    assert r.status_code == 400
    api(quality_manager).post(url(complaint, "cancel"), {"comment": "重复受理"}, format="json")
    r = api(staff_user).patch(url(complaint), {"subject": "再改"}, format="json")
    assert r.status_code == 409


@pytest.mark.spec("CMP-1", "ORG-1", "API-1")
def test_another_departments_complaint_is_404_on_every_endpoint(api, other_department_staff, quality_officer,
                                                                 complaint):
    client = api(other_department_staff)
    before = _events(complaint)
    assert client.get(url(complaint)).status_code == 404
    for action, body in (("assign", {"investigator": quality_officer.pk}), ("reply", {"reply": "x"}),
                         ("start-planning", {}), ("close-unresolved", {"comment": "x"}), ("cancel", {"comment": "x"}),
                         ("contacts", {"channel": "phone", "summary": "x"})):
        assert client.post(url(complaint, action), body, format="json").status_code == 404, action
    for action in ("timeline", "attachments", "contacts"):
        assert client.get(url(complaint, action)).status_code == 404, action
    assert client.patch(url(complaint), {"subject": "x"}, format="json").status_code == 404
    assert client.get(f"{BASE}?q={complaint.number}").data["results"] == []
    assert _events(complaint) == before


@pytest.mark.spec("CMP-1", "API-1")
def test_contacts_timeline_and_attachments_of_a_complaint(api, staff_user, complaint):
    client = api(staff_user)
    r = client.post(url(complaint, "contacts"), {"kind": "update", "channel": "phone", "summary": "已电话告知进展"},
                    format="json")
    assert r.status_code == 201
    assert any(e["summary"] == "已电话告知进展" for e in client.get(url(complaint, "contacts")).data)
    assert client.get(url(complaint, "timeline")).status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("检测报告.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    r = client.post(url(complaint, "attachments"), {"file": upload, "description": "检测报告"}, format="multipart")
    assert r.status_code == 201, r.data
    assert [a["description"] for a in client.get(url(complaint, "attachments")).data] == ["检测报告"]


# Measured: the session user, the page (one query with its joins).
LIST_QUERIES = 2


@pytest.mark.spec("SEARCH-1", "PERF-1", "API-1")
@pytest.mark.parametrize("page_size", [10, 100])
def test_the_list_costs_the_same_queries_at_any_page_size(api, staff_user, colleague, django_assert_num_queries,
                                                          page_size):
    bulk_complaints(120, receiver=staff_user, investigator=colleague)
    client = api(staff_user)
    client.get(f"{BASE}?page_size=1")  # warm the caches
    with django_assert_num_queries(LIST_QUERIES):
        r = client.get(f"{BASE}?page_size={page_size}")
    assert len(r.data["results"]) == page_size
    with django_assert_num_queries(LIST_QUERIES):
        r = client.get(r.data["next"])
    assert len(r.data["results"]) == min(page_size, 120 - page_size)


@pytest.mark.spec("SEARCH-1", "API-1")
def test_the_cursor_walks_every_page_once_in_order_and_never_counts(api, staff_user):
    bulk_complaints(60, receiver=staff_user)
    client = api(staff_user)
    seen, next_url = [], f"{BASE}?page_size=25"
    while next_url:
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(next_url)
        assert r.status_code == 200 and "count" not in r.data
        assert not [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
        seen += [row["id"] for row in r.data["results"]]
        next_url = r.data["next"]
    assert seen == list(Complaint.objects.order_by("-received_at", "-id").values_list("id", flat=True))


@pytest.mark.spec("SEARCH-1", "API-1")
def test_filters_are_shared_with_the_page(api, staff_user):
    bulk_complaints(12, receiver=staff_user)
    client = api(staff_user)
    assert {row["severity"] for row in client.get(f"{BASE}?severity=critical").data["results"]} == {"critical"}
    assert {row["status"] for row in client.get(f"{BASE}?status=planning&status=executing").data["results"]} == {
        "planning", "executing"}
    assert all(row["round"] >= 2 for row in client.get(f"{BASE}?rounds=true").data["results"])
    assert client.get(f"{BASE}?severity=nope").status_code == 400


@pytest.mark.spec("SEARCH-1", "API-1", "ORG-1")
def test_exports_hold_the_filtered_rows_in_the_users_scope(api, staff_user, other_department_staff):
    bulk_complaints(12, receiver=staff_user)
    r = api(staff_user).get(f"{BASE}export/?format=csv&status=received")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert len(rows) - 1 == Complaint.objects.filter(status="received").count() == 3
    r = api(other_department_staff).get(f"{BASE}export/?format=csv")
    assert len(list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))) == 1
    book = xlsx_export(api(staff_user), f"{BASE}export/", {"status": "planning"})
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(book.content)).active.max_row - 1 == 3
