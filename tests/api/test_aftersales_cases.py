"""AFS-1/AFS-2 API: intake with routing, every action, bad input (400 naming the field), an illegal
step (409), a missing right (403) and another department's case (404), with nothing changed."""
from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from aftersales.models import Case, RoutingRule
from qsm.org.models import Role
from qsm.workflow.models import Event
from tests.aftersales.cases_support import a_cause, case_in, new_case
from tests.factories import UserFactory

S = Case.Status
pytestmark = pytest.mark.django_db
BASE = "/api/aftersales/cases/"


def url(case, action: str = "") -> str:
    pk = getattr(case, "pk", case)
    return f"{BASE}{pk}/" + (f"{action}/" if action else "")


def snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    lines = Event.objects.filter(content_type=ContentType.objects.get_for_model(Case), object_id=case.pk).count()
    return case.status, case.owner_id, case.department_id, case.diagnosis, case.reopen_count, lines


def refused(response, code: int, field: str | None = None) -> dict:
    assert response.status_code == code, (response.status_code, getattr(response, "data", None))
    if field is not None:
        assert field in response.data and response.data[field], response.data
    return response.data


INTAKE = {"channel": "phone", "case_type": "product_quality", "severity": "urgent", "subject": "主轴异响",
          "description": "设备运行时主轴有异响", "contact_name": "陈工", "contact_phone": "13800000000"}


# --- intake -------------------------------------------------------------------------------------------


@pytest.mark.spec("AFS-1", "API-1")
def test_create_routes_the_case_and_answers_its_department_and_owner(api, staff_user, other_department, customer):
    engineer = UserFactory(username="engineer", department=other_department, roles=[Role.STAFF])
    RoutingRule.objects.create(case_type="product_quality", severity="urgent", department=other_department,
                               default_owner=engineer, position=1)
    r = api(staff_user).post(BASE, {**INTAKE, "customer": customer.pk}, format="json")
    assert r.status_code == 201, r.data
    assert (r.data["department"], r.data["owner"]) == (other_department.pk, engineer.pk)
    assert r.data["status"] == "new" and r.data["number"].startswith("AS")
    assert {d["stage"] for d in r.data["deadlines"]} == {"reply", "resolution"}


@pytest.mark.spec("AFS-1", "API-1")
def test_create_with_a_new_customer_or_just_an_order(api, staff_user, customer):
    from tests.builders.orders import order_in

    r = api(staff_user).post(BASE, {**INTAKE, "new_customer": {"name": "江南精密制造", "phone": "0512-88886666"}},
                             format="json")
    assert r.status_code == 201, r.data
    assert r.data["customer_name"] == "江南精密制造"
    order = order_in("delivered", actor=staff_user, customer=customer)
    r = api(staff_user).post(BASE, {**INTAKE, "order": order.pk}, format="json")
    assert r.status_code == 201, r.data
    assert (r.data["customer"], r.data["order"], r.data["order_number"]) == (customer.pk, order.pk, order.number)


@pytest.mark.spec("AFS-1", "API-1")
@pytest.mark.parametrize(("change", "field"), [
    ({"channel": "fax"}, "channel"),
    ({"case_type": "nonsense"}, "case_type"),
    ({"severity": "critical"}, "severity"),
    ({"subject": ""}, "subject"),
    ({"description": ""}, "description"),
    ({"customer": None}, "customer"),
    ({"customer": 999999}, "customer"),
    ({"product": 999999}, "product"),
    ({"received_at": "2999-01-01T00:00:00+08:00"}, "received_at"),
])
def test_bad_intake_is_400_naming_the_field_and_creates_nothing(api, staff_user, customer, change, field):
    r = api(staff_user).post(BASE, {**INTAKE, "customer": customer.pk, **change}, format="json")
    refused(r, 400, field)
    assert Case.objects.count() == 0


@pytest.mark.spec("AFS-1", "ORG-1")
def test_an_order_the_user_cannot_see_is_refused(api, staff_user, other_department_staff, customer):
    from tests.builders.orders import order_in

    theirs = order_in("delivered", actor=other_department_staff, customer=customer)
    refused(api(staff_user).post(BASE, {**INTAKE, "order": theirs.pk}, format="json"), 400, "order")
    assert Case.objects.count() == 0


@pytest.mark.spec("AFS-1", "ORG-1")
def test_a_delivery_of_an_order_the_user_cannot_see_is_refused(api, staff_user, other_department_staff, customer):
    from tests.builders.orders import order_in

    theirs = order_in("delivered", actor=other_department_staff, customer=customer)
    body = {**INTAKE, "customer": customer.pk, "delivery": theirs.deliveries.get().pk}
    refused(api(staff_user).post(BASE, body, format="json"), 400, "delivery")
    assert Case.objects.count() == 0


@pytest.mark.spec("AFS-1", "ORG-1")
def test_people_outside_business_and_quality_may_not_log_cases(api, production_user, customer):
    refused(api(production_user).post(BASE, {**INTAKE, "customer": customer.pk}, format="json"), 403)
    assert Case.objects.count() == 0


# --- actions ------------------------------------------------------------------------------------------------


@pytest.mark.spec("AFS-2", "API-1")
def test_a_general_case_from_reply_to_close(api, staff_user, customer):
    client = api(staff_user)
    case = new_case(actor=staff_user, customer=customer)
    r = client.post(url(case, "reply"), {"reply": "已电话回复"}, format="json")
    assert r.status_code == 200 and r.data["status"] == "in_progress" and r.data["replied_at"]
    r = client.patch(url(case), {"diagnosis": "轴承磨损", "cause": a_cause().pk, "cause_detail": "润滑不足",
                                 "solution": "更换轴承"}, format="json")
    assert r.status_code == 200 and r.data["diagnosis"] == "轴承磨损" and r.data["cause"]["id"]
    r = client.post(url(case, "wait-customer"), {"comment": "等客户确认停机时间"}, format="json")
    assert r.data["status"] == "waiting_customer"
    assert [d["paused"] for d in r.data["deadlines"] if d["stage"] == "resolution"] == [True]
    r = client.post(url(case, "resume"), {}, format="json")
    assert r.data["status"] == "in_progress"
    r = client.post(url(case, "resolve"), {}, format="json")
    assert r.status_code == 200 and r.data["status"] == "resolved" and r.data["resolved_at"]
    r = client.post(url(case, "reopen"), {"comment": "又出现"}, format="json")
    assert r.data["status"] == "in_progress" and r.data["reopen_count"] == 1
    client.post(url(case, "resolve"), {}, format="json")
    r = client.post(url(case, "close"), {}, format="json")
    assert r.data["status"] == "closed"
    actions = [line["action"] for line in client.get(url(case, "timeline")).data]
    assert actions[-1] == "close" and "reopen" in actions


@pytest.mark.spec("AFS-2", "API-1")
def test_mark_complex_diagnose_action_and_contacts(api, staff_user, customer):
    client = api(staff_user)
    case = case_in(S.IN_PROGRESS, actor=staff_user, customer=customer)
    r = client.post(url(case, "mark-complex"), {}, format="json")
    assert r.data["status"] == "special" and r.data["is_complex"] is True
    r = client.post(url(case, "diagnose"), {"diagnosis": "批次性质量问题"}, format="json")
    assert r.status_code == 200 and r.data["diagnosis"] == "批次性质量问题"
    r = client.post(url(case, "contacts"), {"channel": "phone", "direction": "out", "summary": "告知处理进展"},
                    format="json")
    assert r.status_code == 201 and r.data["summary"] == "告知处理进展"
    assert [e["summary"] for e in client.get(url(case, "contacts")).data] == ["告知处理进展"]


@pytest.mark.spec("WF-3", "API-1")
def test_attachments_of_a_case(api, staff_user, other_department_staff, customer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = case_in(S.IN_PROGRESS, actor=staff_user, customer=customer)
    photo = SimpleUploadedFile("现场照片.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    r = api(staff_user).post(url(case, "attachments"), {"file": photo, "description": "主轴位置"}, format="multipart")
    assert r.status_code == 201, r.data
    assert [a["original_name"] for a in api(staff_user).get(url(case, "attachments")).data] == ["现场照片.png"]
    refused(api(other_department_staff).get(url(case, "attachments")), 404)


@pytest.mark.spec("AFS-1", "API-1")
def test_reroute_needs_a_reason(api, staff_user, other_department_staff, customer):
    case = new_case(actor=staff_user, customer=customer)
    before = snapshot(case)
    body = {"department": other_department_staff.department_id, "owner": other_department_staff.pk}
    refused(api(staff_user).post(url(case, "reroute"), {**body, "reason": ""}, format="json"), 400, "reason")
    assert snapshot(case) == before
    r = api(staff_user).post(url(case, "reroute"), {**body, "reason": "工程部设备"}, format="json")
    assert r.status_code == 200 and r.data["owner"] == other_department_staff.pk


@pytest.mark.spec("AFS-2", "API-1", "WF-1")
def test_resolving_without_diagnosis_is_400_naming_what_is_missing(api, staff_user, customer):
    case = case_in(S.IN_PROGRESS, actor=staff_user, customer=customer)
    before = snapshot(case)
    data = refused(api(staff_user).post(url(case, "resolve"), {}, format="json"), 400)
    assert {"diagnosis", "cause", "solution"} <= set(data)
    assert snapshot(case) == before


@pytest.mark.spec("AFS-2", "API-1")
@pytest.mark.parametrize(("action", "body", "field"), [
    ("reply", {"reply": ""}, "reply"),
    ("wait-customer", {"comment": ""}, "comment"),
    ("cancel", {"comment": ""}, "comment"),
    ("diagnose", {"cause": 999999}, "cause"),
    ("diagnose", {"status": "resolved"}, "status"),
    ("contacts", {"channel": "phone", "direction": "out", "summary": ""}, "summary"),
])
def test_bad_action_input_is_400_naming_the_field(api, staff_user, manager, customer, action, body, field):
    state = S.NEW if action in ("reply", "cancel") else S.IN_PROGRESS
    case = case_in(state, actor=staff_user, customer=customer)
    before = snapshot(case)
    refused(api(manager if action == "cancel" else staff_user).post(url(case, action), body, format="json"), 400,
            field)
    assert snapshot(case) == before


@pytest.mark.spec("AFS-2", "API-1", "WF-1")
@pytest.mark.parametrize(("state", "action", "body"), [
    (S.NEW, "resolve", {}),
    (S.NEW, "mark-complex", {}),
    (S.IN_PROGRESS, "reply", {"reply": "再回复"}),
    (S.IN_PROGRESS, "reopen", {"comment": "重开"}),
    (S.RESOLVED, "wait-customer", {"comment": "等"}),
    (S.CLOSED, "reroute", {"reason": "再分派"}),
    (S.CLOSED, "diagnose", {"diagnosis": "补充"}),
])
def test_an_illegal_step_is_409_and_changes_nothing(api, staff_user, colleague, customer, state, action, body):
    case = case_in(state, actor=staff_user, customer=customer)
    if action == "reroute":
        body = {**body, "owner": colleague.pk}
    before = snapshot(case)
    data = refused(api(staff_user).post(url(case, action), body, format="json"), 409)
    assert data["code"] == "transition_not_allowed" and data["detail"]
    assert snapshot(case) == before


@pytest.mark.spec("AFS-2", "API-1")
def test_reopening_after_the_window_is_409_saying_to_log_a_new_case(api, staff_user, customer, settings):
    import datetime as dt

    from django.utils import timezone

    settings.AFTERSALES_REOPEN_DAYS = 30
    case = case_in(S.RESOLVED, actor=staff_user, customer=customer)
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - dt.timedelta(days=40))
    before = snapshot(case)
    data = refused(api(staff_user).post(url(case, "reopen"), {"comment": "又坏了"}, format="json"), 409)
    assert "30" in data["detail"]
    assert snapshot(case) == before


@pytest.mark.spec("AFS-2", "ORG-1", "API-1")
def test_cancelling_is_for_the_departments_manager_403_for_staff(api, staff_user, manager, customer):
    case = new_case(actor=staff_user, customer=customer)
    before = snapshot(case)
    refused(api(staff_user).post(url(case, "cancel"), {"comment": "客户撤回"}, format="json"), 403)
    assert snapshot(case) == before
    r = api(manager).post(url(case, "cancel"), {"comment": "客户撤回"}, format="json")
    assert r.status_code == 200 and r.data["status"] == "cancelled"


@pytest.mark.spec("ORG-1", "API-1")
@pytest.mark.parametrize(("method", "action", "body"), [
    ("get", "", None), ("patch", "", {"diagnosis": "x"}), ("post", "reply", {"reply": "x"}),
    ("post", "reroute", {"reason": "x"}), ("get", "timeline", None), ("get", "contacts", None),
    ("post", "resolve", {}), ("get", "attachments", None),
])
def test_another_departments_case_is_404_everywhere(api, staff_user, other_department_staff, customer, method,
                                                    action, body):
    case = new_case(actor=staff_user, customer=customer)
    before = snapshot(case)
    client = api(other_department_staff)
    r = getattr(client, method)(url(case, action), body, format="json") if body is not None else getattr(
        client, method)(url(case, action))
    refused(r, 404)
    assert snapshot(case) == before


@pytest.mark.spec("ORG-1", "API-1")
def test_the_quality_department_sees_and_works_every_case(api, staff_user, quality_officer, customer):
    case = case_in(S.IN_PROGRESS, actor=staff_user, customer=customer)
    client = api(quality_officer)
    assert client.get(url(case)).status_code == 200
    r = client.post(url(case, "diagnose"), {"diagnosis": "质量部补充诊断"}, format="json")
    assert r.status_code == 200


# --- list --------------------------------------------------------------------------------------------------


@pytest.mark.spec("SEARCH-1", "API-1")
def test_list_filters(api, staff_user, colleague, customer):
    a = new_case(actor=staff_user, customer=customer, subject="主轴异响", severity="urgent")
    b = case_in(S.IN_PROGRESS, actor=staff_user, customer=customer, subject="售后服务态度差", case_type="service",
                description="上门人员迟到且态度不好")
    c = case_in(S.RESOLVED, actor=colleague, subject="漏油", case_type="other", description="底座漏油")
    client = api(staff_user)

    def ids(query: str) -> set[int]:
        r = client.get(f"{BASE}?{query}")
        assert r.status_code == 200, r.data
        return {row["id"] for row in r.data["results"]}

    assert ids("") == {a.pk, b.pk, c.pk}
    assert ids("status=new") == {a.pk}
    assert ids("status=new&status=in_progress") == {a.pk, b.pk}
    assert ids("case_type=service") == {b.pk}
    assert ids("severity=urgent") == {a.pk}
    assert ids(f"owner={colleague.pk}") == {c.pk}
    assert ids(f"customer={customer.pk}") == {a.pk, b.pk}
    assert ids("q=异响") == {a.pk}
    assert ids("q=服务态度") == {b.pk}
    assert ids(f"q={c.number}") == {c.pk}
    assert ids(f"cause={c.cause.parent_id}") == {c.pk}  # a top-level cause finds its children's cases
    assert ids(f"cause={c.cause_id}") == {c.pk}
    assert ids("reopened=true") == set()
    assert ids("overdue=true") == set()


@pytest.mark.spec("SEARCH-1", "API-1")
@pytest.mark.parametrize(("query", "field"), [("status=nope", "status"), ("owner=abc", "owner"),
                                              ("received_from=2026-13-01", "received_from"),
                                              ("cause=999999", "cause")])
def test_a_bad_filter_is_400_naming_it(api, staff_user, query, field):
    refused(api(staff_user).get(f"{BASE}?{query}"), 400, field)
