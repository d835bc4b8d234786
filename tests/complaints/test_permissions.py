"""The complaint permission matrix (ORG-1, §5): every role of a complaint against every page, API
endpoint, list, export and action, in the state where the action is possible.

Roles (``tests.builders.complaints.cast``): the receiver (customer service), the investigator (an
engineer of the technical department, named by the quality department), the responsible
department's staff (the responsible person, owner of the measures) and its manager (the approver),
the quality officer, the quality manager, and an unrelated department's staff and manager.

- Who may not see the complaint gets a 404 everywhere (page, API, action, export row missing),
  never a 403 that would tell them it exists.
- Who sees it but may not act is refused (403, page and API) and nothing changes: the status, the
  history and the rows stay as they were.
- The customer's link of ANOTHER complaint answers nothing here.
"""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from complaints.models import Complaint, CustomerAnswer, HandlingPlan, Measure, PreventiveMeasure
from complaints.rules import CONFIRM_LINK_PURPOSE
from complaints.services import core
from qsm.workflow.actors import CustomerActor
from qsm.workflow.models import Event
from tests.builders import complaints as b

pytestmark = [pytest.mark.django_db]

API = "/api/complaints/complaints/"
ROLES = ("receiver", "investigator", "responsible", "approver", "quality", "quality_manager",
         "outsider", "outside_manager")
BLIND = {"outsider", "outside_manager"}
# Who sees the complaint, by state: the responsible department once it is named (planning on),
# the investigator once assigned; the unrelated department never.
SEES = {
    "received": {"receiver", "quality", "quality_manager"},
    "investigating": {"receiver", "investigator", "quality", "quality_manager"},
    "planning": {"receiver", "investigator", "responsible", "approver", "quality", "quality_manager"},
}
for _state in ("executing", "confirming", "closed", "closed_unresolved"):
    SEES[_state] = SEES["planning"]


def _client(user, api=False):
    """A client signed in as ``user`` as it is in the database now (the builders' ``cast()`` saves the
    people again: a stale password hash would sign the session out)."""
    client = APIClient() if api else Client()
    client.force_login(type(user).objects.get(pk=user.pk))
    return client


def _snapshot(complaint: Complaint) -> tuple:
    """What a refused request must leave untouched."""
    complaint.refresh_from_db()
    return (complaint.status, complaint.investigator_id, complaint.replied_at, complaint.closed_at,
            complaint.round, Event.objects.count(), HandlingPlan.objects.filter(complaint=complaint).count(),
            list(HandlingPlan.objects.filter(complaint=complaint).order_by("pk").values_list("status", flat=True)),
            list(Measure.objects.filter(plan__complaint=complaint).order_by("pk").values_list("status", flat=True)),
            CustomerAnswer.objects.filter(complaint=complaint).count(),
            PreventiveMeasure.objects.filter(complaint=complaint).count())


def _csv_numbers(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig") if response.streaming else \
        response.content.decode("utf-8-sig")


# --- seeing: page, API detail, lists, exports -------------------------------------------------------

@pytest.mark.spec("CMP-2", "SEC-1")
@pytest.mark.parametrize("state", ["received", "investigating", "executing"])
@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_complaint_in_pages_api_lists_and_exports(people, role, state):
    complaint = b.complaint_in(state)
    user = getattr(people, role)
    sees = role in SEES[state]
    page, api = _client(user), _client(user, api=True)

    assert page.get(complaint.get_absolute_url()).status_code == (200 if sees else 404)
    assert api.get(f"{API}{complaint.pk}/").status_code == (200 if sees else 404)
    for path in (f"{API}{complaint.pk}/timeline/", f"{API}{complaint.pk}/contacts/"):
        assert api.get(path).status_code == (200 if sees else 404), path

    listed = page.get(reverse("complaints:complaint-list"))
    assert listed.status_code == 200
    assert (complaint.number in listed.content.decode()) is sees
    rows = api.get(API).json()["results"]
    assert (complaint.pk in [r["id"] for r in rows]) is sees
    export = page.get(reverse("complaints:complaint-export"), {"fmt": "csv"})
    assert export.status_code == 200
    assert (complaint.number in _csv_numbers(export)) is sees
    api_export = api.get(f"{API}export/", {"format": "csv"})
    assert api_export.status_code == 200
    assert (complaint.number in _csv_numbers(api_export)) is sees


# --- the complaint's own actions, page and API -----------------------------------------------------

def _action_cases(people):
    """(action, state, API path suffix, page POST data, API JSON, roles allowed)."""
    reason = "客户重复来电登记"
    return [
        ("assign", "received", "assign/", {"action": "assign", "investigator": people.quality.pk},
         {"investigator": people.quality.pk}, {"quality", "quality_manager"}),
        ("reply", "planning", "reply/", {"action": "reply", "reply": "已安排工程师上门"},
         {"reply": "已安排工程师上门"}, {"receiver", "investigator", "quality", "quality_manager"}),
        ("close_unresolved", "executing", "close-unresolved/", {"action": "close_unresolved", "comment": reason},
         {"comment": reason}, {"quality_manager"}),
        ("cancel", "received", "cancel/", {"action": "cancel", "comment": reason},
         {"comment": reason}, {"quality_manager"}),
    ]


def _answered(response, complaint, before, *, sees: bool, allowed: bool, done: int) -> None:
    """404 for who does not see it, ``done`` and a change for who may, else 403 and nothing changed."""
    if sees and allowed:
        assert response.status_code == done, response.content.decode()[:500]
        assert _snapshot(complaint) != before
        return
    assert response.status_code == (403 if sees else 404)
    assert _snapshot(complaint) == before


ACTIONS = ("assign", "reply", "close_unresolved", "cancel")


def _case(people, action):
    return next(c for c in _action_cases(people) if c[0] == action)


@pytest.mark.spec("CMP-1", "CMP-2", "CMP-4", "SEC-1")
@pytest.mark.parametrize("through", ["page", "api"])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_complaint_actions_on_the_page_and_in_the_api(people, role, action, through):
    _, state, suffix, data, payload, allowed = _case(people, action)
    complaint = b.complaint_in(state)
    user = getattr(people, role)
    before = _snapshot(complaint)
    if through == "page":
        response = _client(user).post(reverse("complaints:complaint-fire", args=[complaint.pk]), data)
    else:
        response = _client(user, api=True).post(f"{API}{complaint.pk}/{suffix}", payload, format="json")
    _answered(response, complaint, before, sees=role in SEES[state], allowed=role in allowed,
              done=302 if through == "page" else 200)


@pytest.mark.spec("CMP-2", "SEC-1")
@pytest.mark.parametrize("role", ROLES)
def test_start_planning_page_and_api(people, role):
    complaint = b.complaint_in("investigating")
    b.investigate(complaint, people=people)  # the responsible department is named: it sees the complaint
    sees = SEES["investigating"] | {"responsible", "approver"}
    allowed = {"investigator", "quality", "quality_manager"}
    user = getattr(people, role)
    before = _snapshot(complaint)
    page = _client(user).post(reverse("complaints:complaint-fire", args=[complaint.pk]), {"action": "start_planning"})
    api = _client(user, api=True).post(f"{API}{complaint.pk}/start-planning/", {}, format="json")
    if role not in sees:
        assert (page.status_code, api.status_code) == (404, 404)
    elif role in allowed:
        assert page.status_code == 302 and api.status_code == 409  # the page moved it; the API finds it moved
        complaint.refresh_from_db()
        assert complaint.status == "planning"
        return
    else:
        assert (page.status_code, api.status_code) == (403, 403)
    assert _snapshot(complaint) == before


# --- investigation, plans, measures, answers, prevention: the services' rights ------------------------

def _refused(call, complaint) -> None:
    before = _snapshot(complaint)
    with pytest.raises(PermissionDenied):
        call()
    assert _snapshot(complaint) == before


def _check(people, role, allowed, call, complaint):
    user = getattr(people, role)
    if role in allowed:
        call(user)
    else:
        _refused(lambda: call(user), complaint)


@pytest.mark.spec("CMP-2", "SEC-1")
@pytest.mark.parametrize("role", ROLES)
def test_who_records_the_root_cause_and_responsibility(people, role):
    complaint = b.complaint_in("investigating")
    _check(people, role, {"investigator", "quality", "quality_manager"},
           lambda user: b.investigate(complaint, actor=user, people=people), complaint)


@pytest.mark.spec("CMP-3", "SEC-1")
@pytest.mark.parametrize("role", ROLES)
def test_who_submits_a_plan(people, role):
    plan = b.plan_in("draft")
    _check(people, role, {"investigator", "quality", "quality_manager"},
           lambda user: core.plan_submit(plan=plan, actor=user), plan.complaint)


@pytest.mark.spec("CMP-3", "SEC-1")
@pytest.mark.parametrize("decision", ["approve", "reject"])
@pytest.mark.parametrize("role", ROLES)
def test_who_decides_a_plan(people, role, decision):
    """The responsible department's manager, or the quality manager for any department; nobody else
    (not the investigator who wrote it, not the quality officer, not another department's manager)."""
    plan = b.plan_in("submitted")
    if decision == "approve":
        def call(user):
            core.plan_approve(plan=plan, actor=user)
    else:
        def call(user):
            core.plan_reject(plan=plan, actor=user, reason="措施不具体")
    _check(people, role, {"approver", "quality_manager"}, call, plan.complaint)
    if role in {"approver", "quality_manager"}:
        plan.refresh_from_db()
        assert plan.status == ("approved" if decision == "approve" else "rejected")
        assert plan.decided_by == getattr(people, role)


@pytest.mark.spec("CMP-3", "SEC-1")
def test_the_author_never_approves_own_plan_not_even_the_quality_manager(people):
    complaint = b.complaint_in("planning", plan=None)
    plan = b.propose(complaint, people=people, actor=people.quality_manager)
    core.plan_submit(plan=plan, actor=people.quality_manager)
    _refused(lambda: core.plan_approve(plan=plan, actor=people.quality_manager), complaint)
    _refused(lambda: core.plan_reject(plan=plan, actor=people.quality_manager, reason="自己驳回"), complaint)
    core.plan_approve(plan=plan, actor=people.approver)
    plan.refresh_from_db()
    assert plan.status == "approved"


@pytest.mark.spec("CMP-3", "SEC-1")
@pytest.mark.parametrize("role", ROLES)
def test_who_completes_a_measure(people, role):
    """The measure's owner and the staff and managers of its department (the responsible one);
    not the quality department, not the investigator, not another department."""
    measure = b.measure_in("open")
    _check(people, role, {"responsible", "approver"},
           lambda user: core.measure_complete(measure=measure, actor=user, note="已更换"), measure.plan.complaint)
    measure.refresh_from_db()
    assert (measure.status == "done") is (role in {"responsible", "approver"})


@pytest.mark.spec("CMP-4", "SEC-1")
@pytest.mark.parametrize("role", ROLES)
def test_who_records_the_customer_answer_by_phone(people, role):
    complaint = b.complaint_in("confirming")
    _check(people, role, {"investigator", "quality", "quality_manager"},
           lambda user: core.answer_record(complaint=complaint, actor=user, satisfied=True), complaint)


@pytest.mark.spec("CMP-4", "SEC-1")
@pytest.mark.parametrize("role", ROLES)
def test_who_closes_unresolved(people, role):
    from complaints.services.intake import complaint_close_unresolved

    complaint = b.complaint_in("confirming")
    _check(people, role, {"quality_manager"},
           lambda user: complaint_close_unresolved(complaint=complaint, actor=user, reason="管理层决定终止"),
           complaint)


@pytest.mark.spec("CMP-5", "SEC-1")
@pytest.mark.parametrize("role", ROLES)
def test_who_records_and_completes_preventive_measures(people, role):
    import datetime as dt

    from django.utils import timezone

    complaint = b.complaint_in("closed")
    _check(people, role, {"investigator", "quality", "quality_manager"},
           lambda user: core.preventive_add(complaint=complaint, actor=user, description="修订保养规程",
                                            owner=people.responsible,
                                            due_date=timezone.localdate() + dt.timedelta(days=30)),
           complaint)
    measure = b.preventive_in("open", complaint=complaint)
    _check(people, role, {"responsible", "approver", "investigator", "quality", "quality_manager"},
           lambda user: core.preventive_complete(measure=measure, actor=user, note="已完成培训"), complaint)


# --- the customer's link ----------------------------------------------------------------------------

def _link_actor(complaint: Complaint) -> CustomerActor:
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from qsm.links.models import SignedLink

    link = SignedLink.objects.create(content_type=ContentType.objects.get_for_model(Complaint), object_id=complaint.pk,
                                     purpose=CONFIRM_LINK_PURPOSE, token_hash=f"test-{complaint.pk}",
                                     expires_at=timezone.now() + __import__("datetime").timedelta(days=7))
    return CustomerActor(name="王先生", link_id=link.pk, purpose=CONFIRM_LINK_PURPOSE)


@pytest.mark.spec("CMP-4", "SEC-1")
def test_the_link_of_another_complaint_answers_nothing(people):
    mine, other = b.complaint_in("confirming"), b.complaint_in("confirming")
    customer = _link_actor(mine)
    _refused(lambda: core.answer_record(complaint=other, actor=customer, satisfied=True), other)
    _refused(lambda: core.answer_record(complaint=other, actor=customer, satisfied=False, objections="不满意"), other)
    # the very link does answer its own complaint
    answer = core.answer_record(complaint=mine, actor=customer, satisfied=True)
    mine.refresh_from_db()
    assert answer.satisfied and mine.status == "closed"
    other.refresh_from_db()
    assert other.status == "confirming" and not CustomerAnswer.objects.filter(complaint=other).exists()


@pytest.mark.spec("CMP-3", "SEC-1")
@pytest.mark.parametrize("through", ["page", "api"])
@pytest.mark.parametrize("role", ROLES)
def test_who_approves_a_plan_on_the_page_and_in_the_api(people, role, through):
    plan = b.plan_in("submitted")
    complaint = plan.complaint
    user = getattr(people, role)
    before = _snapshot(complaint)
    if through == "page":
        response = _client(user).post(reverse("complaints:complaint-plan-approve", args=[complaint.pk, plan.pk]),
                                      {"comment": ""})
    else:
        response = _client(user, api=True).post(f"{API}{complaint.pk}/plans/{plan.pk}/approve/", {}, format="json")
    _answered(response, complaint, before, sees=role in SEES["planning"], allowed=role in {"approver", "quality_manager"},
              done=302 if through == "page" else 200)


@pytest.mark.spec("CMP-3", "SEC-1")
@pytest.mark.parametrize("role", ROLES)
def test_who_completes_a_measure_in_the_api(people, role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    measure = b.measure_in("open")
    plan, complaint = measure.plan, measure.plan.complaint
    before = _snapshot(complaint)
    evidence = SimpleUploadedFile("更换记录.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    response = _client(getattr(people, role), api=True).post(
        f"{API}{complaint.pk}/plans/{plan.pk}/measures/{measure.pk}/complete/", {"note": "已更换", "evidence": evidence},
        format="multipart")
    _answered(response, complaint, before, sees=role in SEES["executing"], allowed=role in {"responsible", "approver"},
              done=200)
