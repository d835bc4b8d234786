"""AFS-2 through the API: the discussion of a complex case (invitations, notes), the special plan and its
steps (draft edits, start, each step done by its owner, the last completing the plan), progress
updates to the customer, the resolve refused until the plan is done; bad input is 400 with the
field named, 403 for who may not, 404 for another department's case or plan, 409 for the wrong
state; nothing changes on a refusal. Every answer is checked against the OpenAPI document."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.models import Case, PlanStep, SpecialPlan
from aftersales.services import plans
from qsm.contacts.models import ContactEntry
from qsm.discussions.models import Discussion
from qsm.org.models import Role
from qsm.workflow.models import Event
from tests.builders.aftersales import case_build, diagnose
from tests.factories import DepartmentFactory, UserFactory

S = Case.Status


@pytest.fixture
def crew(staff_user, colleague, quality_officer, other_department_staff, production_user, customer):
    stranger = UserFactory(username="stranger", department=DepartmentFactory(name="财务部", code="finance"),
                           roles=[Role.STAFF])
    return SimpleNamespace(owner=staff_user, colleague=colleague, quality=quality_officer,
                           outsider=other_department_staff, engineer=production_user, stranger=stranger,
                           customer=customer)


@pytest.fixture
def case(crew) -> Case:
    return case_build(actor=crew.owner, state=S.SPECIAL, complex=True, customer=crew.customer)


def case_url(case: Case, action: str = "") -> str:
    return f"/api/aftersales/cases/{case.pk}/" + (f"{action}/" if action else "")


def plan_url(case: Case, action: str = "") -> str:
    return case_url(case, "special-plan" + (f"/{action}" if action else ""))


def day(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def snapshot(case: Case) -> tuple:
    """What must not change when a request is refused: the case, its plan and steps, its story."""
    case = Case.objects.get(pk=case.pk)
    plan = SpecialPlan.objects.filter(case=case).values_list("status", "title").first()
    steps = list(PlanStep.objects.filter(plan__case=case).order_by("position")
                 .values_list("position", "description", "owner", "due_date", "status"))
    return (case.status, plan, steps, Event.objects.count(), Discussion.objects.count(), ContactEntry.objects.count())


def refused(response, code: int, field: str | None = None):
    assert response.status_code == code, (response.status_code, getattr(response, "data", None))
    if field is not None:
        assert field in response.data, response.data
    return response.data


def draft(api, crew, case, *owners) -> dict:
    client = api(crew.owner)
    if crew.engineer in owners:
        client.post(case_url(case, "discussion"), {"topic": "研讨", "users": [crew.engineer.pk]}, format="json")
    plan = client.post(case_url(case, "special-plan"), {"title": "主轴专项方案", "content": "拆检并更换"},
                       format="json").data
    assert plan["case"] == case.pk
    for n, owner in enumerate(owners, start=1):
        r = client.post(plan_url(case, "steps"), {"description": f"步骤{n}", "owner": owner.pk,
                                                        "due_date": day(n)}, format="json")
        assert r.status_code == 201, r.data
    return client.get(plan_url(case)).data


@pytest.mark.spec("AFS-2", "API-1", "ORG-1", "NTF-1")
def test_the_discussion_through_the_api(api, crew, case, other_department):
    client = api(crew.owner)
    assert client.get(case_url(case, "discussion")).status_code == 404  # none yet

    r = client.post(case_url(case, "discussion"), {"topic": "主轴异响研讨", "departments": [other_department.pk],
                                                   "users": [crew.engineer.pk]}, format="json")

    assert r.status_code == 200, r.data
    assert r.data["topic"] == "主轴异响研讨"
    assert [d["name"] for d in r.data["invited_departments"]] == ["工程部"]
    assert [u["id"] for u in r.data["invited_users"]] == [crew.engineer.pk]
    # the invited read the case and write notes
    engineer = api(crew.engineer)
    assert engineer.get(case_url(case)).status_code == 200
    note = engineer.post(case_url(case, "discussion/notes"), {"body": "建议先拆检轴承"}, format="json")
    assert note.status_code == 201 and note.data["body"] == "建议先拆检轴承"
    assert [n["body"] for n in client.get(case_url(case, "discussion")).data["notes"]] == ["建议先拆检轴承"]


@pytest.mark.spec("AFS-2", "API-1", "SEC-1")
@pytest.mark.parametrize("body, field", [
    ({"topic": "", "users": ["@engineer"]}, "topic"),
    ({"topic": "研讨"}, "departments"),
    ({"topic": "研讨", "users": [999999]}, "users"),
    ({"topic": "研讨", "departments": ["x"]}, "departments"),
])
def test_discussion_bad_input_is_400(api, crew, case, body, field):
    body = {**body, "users": [crew.engineer.pk if u == "@engineer" else u for u in body.get("users", [])]}
    before = snapshot(case)
    refused(api(crew.owner).post(case_url(case, "discussion"), body, format="json"), 400, field)
    assert snapshot(case) == before


@pytest.mark.spec("AFS-2", "API-1", "ORG-1", "WF-1")
def test_discussion_refusals_are_403_404_409(api, crew, case):
    body = {"topic": "研讨", "users": [crew.engineer.pk]}
    before = snapshot(case)
    refused(api(crew.stranger).post(case_url(case, "discussion"), body, format="json"), 404)
    plans.case_discussion_open(case=case, actor=crew.owner, topic="研讨", users=[crew.engineer])
    # invited, the engineer sees the case but does not invite others
    refused(api(crew.engineer).post(case_url(case, "discussion"), {"topic": "研讨", "users": [crew.colleague.pk]},
                                    format="json"), 403)
    general = case_build(actor=crew.owner, state=S.IN_PROGRESS, customer=crew.customer)
    refused(api(crew.owner).post(case_url(general, "discussion"), body, format="json"), 409)
    refused(api(crew.owner).post(case_url(general, "special-plan"), {"title": "x", "content": "y"}, format="json"),
            409)
    assert not SpecialPlan.objects.exists() and Discussion.objects.count() == 1 and before[0] == S.SPECIAL


@pytest.mark.spec("AFS-2", "API-1", "WF-1", "WF-2")
def test_a_draft_plan_is_edited_then_started(api, crew, case):
    plan = draft(api, crew, case, crew.owner, crew.engineer, crew.colleague)
    client = api(crew.owner)
    assert [s["position"] for s in plan["steps"]] == [1, 2, 3] and plan["status"] == "draft"
    first, second, third = plan["steps"]

    r = client.patch(plan_url(case, f"steps/{second['id']}"),
                     {"description": "更换主轴轴承", "owner": crew.colleague.pk, "due_date": day(6)}, format="json")
    assert r.status_code == 200 and r.data["description"] == "更换主轴轴承" and r.data["owner"] == crew.colleague.pk
    assert client.delete(plan_url(case, f"steps/{first['id']}")).status_code == 204
    r = client.patch(plan_url(case), {"title": "主轴专项方案 v2", "content": "拆检并更换", "comment": "补充复测"},
                     format="json")
    assert r.status_code == 200 and [s["position"] for s in r.data["steps"]] == [1, 2]

    started = client.post(plan_url(case, "start"), {}, format="json")
    assert started.status_code == 200 and started.data["status"] == "in_progress"
    assert client.get(case_url(case, "special-plan")).data["status"] == "in_progress"
    timeline = client.get(case_url(case, "timeline")).data
    assert {"step_add", "step_change", "step_remove", "start"} <= {e["action"] for e in timeline}


@pytest.mark.spec("AFS-2", "API-1", "SEC-1")
@pytest.mark.parametrize("body, field", [
    ({"description": "", "owner": "@owner", "due_date": "+2"}, "description"),
    ({"description": "拆检", "owner": None, "due_date": "+2"}, "owner"),
    ({"description": "拆检", "owner": "@stranger", "due_date": "+2"}, "owner"),
    ({"description": "拆检", "owner": 999999, "due_date": "+2"}, "owner"),
    ({"description": "拆检", "owner": "@owner", "due_date": None}, "due_date"),
    ({"description": "拆检", "owner": "@owner", "due_date": "2020-01-01"}, "due_date"),
    ({"description": "拆检", "owner": "@owner", "due_date": "1-1-1"}, "due_date"),
    ({"description": "拆检", "owner": "@owner"}, "due_date"),
])
def test_step_bad_input_is_400(api, crew, case, body, field):
    draft(api, crew, case, crew.owner)
    people = {"@owner": crew.owner.pk, "@stranger": crew.stranger.pk}
    body = {**body, "owner": people.get(body.get("owner"), body.get("owner"))}
    if body.get("due_date") == "+2":
        body["due_date"] = day(2)
    before = snapshot(case)
    refused(api(crew.owner).post(plan_url(case, "steps"), body, format="json"), 400, field)
    assert snapshot(case) == before


@pytest.mark.spec("AFS-2", "API-1", "ORG-1", "WF-1")
def test_plan_refusals_are_400_403_404_409(api, crew, case):
    draft(api, crew, case)
    client = api(crew.owner)
    before = snapshot(case)
    # no step: the start is refused, the field named
    refused(client.post(plan_url(case, "start"), {}, format="json"), 400, "steps")
    refused(client.delete(plan_url(case)), 405)
    refused(client.post(case_url(case, "special-plan"), {"title": "", "content": ""}, format="json"), 400, "title")
    # a second plan: 409
    refused(client.post(case_url(case, "special-plan"), {"title": "再来", "content": "一个"}, format="json"), 409)
    # another department: 404 for the case's plan; a step of another plan: 404
    step_body = {"description": "x", "owner": crew.owner.pk, "due_date": day(1)}
    refused(api(crew.stranger).get(case_url(case, "special-plan")), 404)
    refused(api(crew.stranger).post(plan_url(case, "steps"), step_body, format="json"), 404)
    assert snapshot(case) == before
    # someone who only sees the case (invited) does not plan it: 403
    plans.case_discussion_open(case=case, actor=crew.owner, topic="研讨", users=[crew.engineer])
    before = snapshot(case)
    refused(api(crew.engineer).post(plan_url(case, "steps"), step_body, format="json"), 403)
    assert snapshot(case) == before
    # started: its steps are fixed (409)
    client.post(plan_url(case, "steps"), step_body, format="json")
    client.post(plan_url(case, "start"), {}, format="json")
    step_id = client.get(plan_url(case)).data["steps"][0]["id"]
    before = snapshot(case)
    refused(client.post(plan_url(case, "steps"), step_body, format="json"), 409)
    refused(client.patch(plan_url(case, f"steps/{step_id}"), step_body, format="json"), 409)
    refused(client.delete(plan_url(case, f"steps/{step_id}")), 409)
    refused(client.post(plan_url(case, "start"), {}, format="json"), 409)
    refused(client.post(plan_url(case, "steps/999999/complete"), {"note": "x"}, format="json"), 404)
    assert snapshot(case) == before


@pytest.mark.spec("AFS-2", "API-1", "ORG-1", "WF-1")
def test_steps_done_by_their_owners_complete_the_plan_and_then_the_case_resolves(api, crew, case):
    diagnose(case)
    plan = draft(api, crew, case, crew.engineer, crew.owner)
    owner, engineer = api(crew.owner), api(crew.engineer)
    owner.post(plan_url(case, "start"), {}, format="json")
    first, second = plan["steps"]
    complete = plan_url(case, f"steps/{first['id']}/complete")

    before = snapshot(case)
    refused(engineer.post(complete, {"note": ""}, format="json"), 400, "note")
    refused(engineer.post(complete, {}, format="json"), 400, "note")
    refused(engineer.post(plan_url(case, f"steps/{second['id']}/complete"), {"note": "不是我的"},
                          format="json"), 403)
    refused(api(crew.stranger).post(complete, {"note": "x"}, format="json"), 404)
    refused(owner.post(case_url(case, "resolve"), {}, format="json"), 400, "plan")
    assert snapshot(case) == before

    # the engineer (another department) sees the plan through the case and does the step
    assert engineer.get(plan_url(case)).status_code == 200
    done = engineer.post(complete, {"note": "已拆检，轴承磨损"}, format="json")
    assert done.status_code == 200 and done.data["status"] == "done" and done.data["done_by"] == crew.engineer.pk
    refused(engineer.post(complete, {"note": "再来一次"}, format="json"), 409)
    last = owner.post(plan_url(case, f"steps/{second['id']}/complete"), {"note": "更换并复测合格"},
                      format="json")
    assert last.status_code == 200
    assert owner.get(plan_url(case)).data["status"] == "done"

    assert [s["status"] for s in owner.get(case_url(case)).data["special_plan"]["steps"]] == ["done", "done"]
    resolved = owner.post(case_url(case, "resolve"), {}, format="json")
    assert resolved.status_code == 200 and resolved.data["status"] == "resolved"


@pytest.mark.spec("AFS-2", "API-1")
def test_customer_updates_through_the_api(api, crew, case):
    client = api(crew.owner)
    r = client.post(case_url(case, "customer-updates"), {"channel": "phone", "summary": "已告知客户更换计划"},
                    format="json")
    assert r.status_code == 201 and r.data["kind"] == "update" and r.data["direction"] == "out"
    assert [e["summary"] for e in client.get(case_url(case, "customer-updates")).data] == ["已告知客户更换计划"]
    before = snapshot(case)
    refused(client.post(case_url(case, "customer-updates"), {"channel": "fax", "summary": "x"}, format="json"), 400,
            "channel")
    refused(client.post(case_url(case, "customer-updates"), {"channel": "phone", "summary": ""}, format="json"), 400,
            "summary")
    refused(api(crew.stranger).post(case_url(case, "customer-updates"), {"channel": "phone", "summary": "x"},
                                    format="json"), 404)
    assert snapshot(case) == before


@pytest.mark.spec("AFS-2", "API-1", "PERF-1")
def test_the_plan_and_case_endpoints_read_as_many_queries_for_2_steps_as_for_10(api, crew, customer):
    counts = []
    for steps in (2, 10):
        case = case_build(actor=crew.owner, state=S.SPECIAL, complex=True, customer=customer)
        plan = plans.plan_create(case=case, actor=crew.owner, title="方案", content="内容")
        for n in range(steps):
            plans.plan_step_add(plan=plan, actor=crew.owner, description=f"步骤{n}", owner=crew.colleague,
                                due_date=timezone.localdate() + dt.timedelta(days=n + 1))
        plans.plan_start(plan=plan, actor=crew.owner)
        client = api(crew.owner)
        client.get(case_url(case))  # warm the session
        measured = []
        for url in (case_url(case), plan_url(case), case_url(case, "timeline")):
            with CaptureQueriesContext(connection) as queries:
                r = client.get(url)
            assert r.status_code == 200
            measured.append(len(queries))
        assert len(client.get(plan_url(case)).data["steps"]) == steps
        assert len(client.get(case_url(case)).data["special_plan"]["steps"]) == steps  # the detail nests the plan
        counts.append(measured)
    assert counts[0] == counts[1], counts
