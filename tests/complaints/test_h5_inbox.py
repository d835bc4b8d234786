"""INBOX-1 / PERF-1: complaints on "my work" (complaints.inbox).

A complaint waits on its investigator (investigating, planning, confirming), on whoever received it while
the promised reply is owed, and on the quality department while nobody investigates it; a submitted
handling plan waits on the managers who approve for the responsible department and on the quality
manager, never on its author; open measures and preventive measures wait on their owners. Due first,
never another department's, one query for the module whatever the number of records.
"""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from complaints.inbox import complaint_waiting_on, complaints_inbox, measures_due, plans_awaiting_approval
from complaints.models import Complaint, HandlingPlan, Measure, PreventiveMeasure
from qsm import registry
from qsm.org.models import Role, User
from tests.aftersales.test_inbox import _inbox_queries, _plan, _uses
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CS, PS, MS = Complaint.Status, HandlingPlan.Status, Measure.Status
NOW = timezone.now()
_serial = itertools.count(1)


def make_complaint(*, received_by, customer, status=CS.RECEIVED, investigator=None, due_days: float | None = 1,
                   responsible=None, replied=False, **fields) -> Complaint:
    """A complaint row as the services leave it in ``status`` (what "my work" reads)."""
    n = next(_serial)
    closed = status in (CS.CLOSED, CS.CLOSED_UNRESOLVED)
    fields.setdefault("severity", "general")
    return Complaint.objects.create(
        number=f"TS-T-{n:05d}", channel="phone", customer=customer,
        subject=f"主轴反复故障 {n}", description="客户来电投诉主轴反复故障。", status=status,
        received_at=NOW - dt.timedelta(hours=n), received_by=received_by,
        receiving_department=received_by.department, investigator=investigator,
        promised_reply_at=NOW + dt.timedelta(hours=4), replied_at=NOW if replied else None,
        reply="已答复客户。" if replied else "",
        responsible_department=responsible.department if responsible else None, responsible_person=responsible,
        closed_at=NOW if closed else None, close_decision_reason="管理层决定关闭。" if status == CS.CLOSED_UNRESOLVED else "",
        due_at=None if due_days is None else NOW + dt.timedelta(days=due_days, minutes=n), **fields)


def make_plan(complaint, *, author, status=PS.SUBMITTED, version=1, due_days: float | None = 1) -> HandlingPlan:
    return HandlingPlan.objects.create(
        complaint=complaint, version=version, summary="更换部件并排查同批次设备。", author=author, status=status,
        submitted_at=NOW if status != PS.DRAFT else None, decision_reason="措施不够具体。" if status == PS.REJECTED else "",
        due_at=None if due_days is None else NOW + dt.timedelta(days=due_days))


def make_measure(plan, *, owner, status=MS.OPEN, position=1, due_days: int = 3) -> Measure:
    due_date = timezone.localdate() + dt.timedelta(days=due_days)
    return Measure.objects.create(
        plan=plan, position=position, description=f"更换主轴轴承 {position}", owner=owner, department=owner.department,
        due_date=due_date, status=status, done_at=NOW if status == MS.DONE else None,
        done_note="已更换。" if status == MS.DONE else "",
        due_at=NOW + dt.timedelta(days=due_days) if status == MS.OPEN else None)


def make_preventive(complaint, *, owner, created_by, status=PreventiveMeasure.Status.OPEN, due_days: int = 10):
    return PreventiveMeasure.objects.create(
        complaint=complaint, description="修订来料检验规程", owner=owner, department=owner.department,
        due_date=timezone.localdate() + dt.timedelta(days=due_days), status=status, created_by=created_by,
        done_at=NOW if status == PreventiveMeasure.Status.DONE else None,
        done_note="已发布。" if status == PreventiveMeasure.Status.DONE else "",
        due_at=NOW + dt.timedelta(days=due_days) if status == PreventiveMeasure.Status.OPEN else None)


def _items(user):
    user = User.objects.select_related("department").get(pk=user.pk)
    return [i for i in registry.inbox_items(user) if i.module == pgettext("inbox", "Complaints")]


def _numbers(user) -> dict:
    return {i.number: i for i in _items(user)}


@pytest.mark.spec("INBOX-1", "CMP-1", "CMP-2")
def test_complaints_wait_on_the_investigator_the_receiver_until_replied_and_quality_while_unassigned(
        staff_user, colleague, quality_officer, other_department_staff, customer):
    # given complaints received by staff_user in every state, some investigated by quality_officer
    investigated = {s: make_complaint(received_by=staff_user, customer=customer, status=s, investigator=quality_officer,
                                      replied=True) for s in CS.values if s != CS.RECEIVED}
    unassigned = make_complaint(received_by=staff_user, customer=customer)  # not replied yet, nobody investigates
    replied_unassigned = make_complaint(received_by=colleague, customer=customer, replied=True)
    not_replied_planning = make_complaint(received_by=staff_user, customer=customer, status=CS.PLANNING,
                                          investigator=quality_officer)
    not_replied_executing = make_complaint(received_by=staff_user, customer=customer, status=CS.EXECUTING,
                                           investigator=quality_officer)

    # when each lists "my work"
    receiver, investigator = _numbers(staff_user), _numbers(quality_officer)
    bystander, outsider = _numbers(colleague), _numbers(other_department_staff)

    # then the receiver owes the reply of the complaints not replied to while it is still owed
    assert set(receiver) == {unassigned.number, not_replied_planning.number}
    assert receiver[unassigned.number].waiting_for == gettext("Reply to the customer by the promised time")
    assert not_replied_executing.number not in receiver
    # the investigator: investigating, planning, confirming; and, in the quality department, the new ones
    expected = {investigated[s].number for s in (CS.INVESTIGATING, CS.PLANNING, CS.CONFIRMING)}
    expected |= {unassigned.number, replied_unassigned.number, not_replied_planning.number}
    assert set(investigator) == expected
    assert investigator[investigated[CS.PLANNING].number].waiting_for == gettext("Propose the handling plan")
    assert investigator[investigated[CS.CONFIRMING].number].waiting_for == gettext(
        "Ask the customer whether they are satisfied")
    assert investigator[unassigned.number].waiting_for == gettext("Assign an investigator")
    assert investigator[unassigned.number].url == unassigned.get_absolute_url()
    # a colleague of the department and another department get nothing of it
    assert bystander == {} and outsider == {}
    assert all(i.module_code == "complaints" for i in [*receiver.values(), *investigator.values()])


@pytest.mark.spec("INBOX-1", "CMP-3")
def test_a_submitted_plan_waits_on_the_responsible_departments_manager_and_the_quality_manager_never_its_author(
        staff_user, manager, quality_officer, quality_manager, sales_manager, other_department_staff, customer):
    responsible = staff_user  # the responsible person works in the business department (manager's)
    complaint = make_complaint(received_by=staff_user, customer=customer, status=CS.PLANNING,
                               investigator=quality_officer, responsible=responsible, replied=True)
    submitted = make_plan(complaint, author=quality_officer)
    draft_elsewhere = make_complaint(received_by=staff_user, customer=customer, status=CS.PLANNING,
                                     investigator=quality_officer, responsible=responsible, replied=True)
    make_plan(draft_elsewhere, author=quality_officer, status=PS.DRAFT)
    # a plan the quality manager wrote himself: not his to approve (four eyes), still the department manager's
    own = make_complaint(received_by=staff_user, customer=customer, status=CS.PLANNING, investigator=quality_manager,
                         responsible=responsible, replied=True)
    own_plan = make_plan(own, author=quality_manager, due_days=-1)

    department_manager, quality = _numbers(manager), _numbers(quality_manager)

    assert set(department_manager) == {submitted.number, own_plan.number}
    item = department_manager[submitted.number]
    assert item.waiting_for == gettext("Approve or reject the handling plan")
    assert item.url == complaint.get_absolute_url() and item.status_label == str(PS.SUBMITTED.label)
    assert list(department_manager) == [own_plan.number, submitted.number]  # the overdue one first
    assert submitted.number in quality and own_plan.number not in quality
    # a manager of another department, a staff member, the quality officer (not a manager): none
    assert _numbers(sales_manager) == {}
    assert not any(n.endswith(" v1") for n in _numbers(quality_officer))
    assert _numbers(other_department_staff) == {}


@pytest.mark.spec("INBOX-1", "CMP-3", "CMP-5")
def test_open_measures_and_preventive_measures_wait_on_their_owners_due_first(
        staff_user, colleague, quality_officer, manager, customer):
    complaint = make_complaint(received_by=staff_user, customer=customer, status=CS.EXECUTING,
                               investigator=quality_officer, responsible=staff_user, replied=True)
    plan = make_plan(complaint, author=quality_officer, status=PS.APPROVED, due_days=None)
    later = make_measure(plan, owner=colleague, position=1, due_days=5)
    overdue = make_measure(plan, owner=colleague, position=2, due_days=-2)
    done = make_measure(plan, owner=colleague, position=3, status=MS.DONE)
    someone_elses = make_measure(plan, owner=staff_user, position=4)
    closed = make_complaint(received_by=staff_user, customer=customer, status=CS.CLOSED, investigator=quality_officer,
                            responsible=staff_user, replied=True)
    preventive = make_preventive(closed, owner=colleague, created_by=quality_officer)
    make_preventive(closed, owner=colleague, created_by=quality_officer, status=PreventiveMeasure.Status.DONE)

    items = _items(colleague)

    titles = [i.title for i in items]
    assert titles == [f"{overdue.description} · {customer.name}", f"{later.description} · {customer.name}",
                      f"{preventive.description} · {customer.name}"]
    assert {i.waiting_for for i in items[:2]} == {gettext("Carry out the measure and record what was done")}
    assert items[2].waiting_for == gettext("Carry out the preventive measure")
    assert items[0].number == complaint.number and items[0].url == complaint.get_absolute_url()
    assert f"{done.description} · {customer.name}" not in titles
    assert [i.title for i in _items(staff_user)] == [f"{someone_elses.description} · {customer.name}"]


@pytest.mark.spec("INBOX-1", "ORG-1")
def test_another_departments_user_gets_nothing_of_ours(staff_user, quality_officer, other_department_staff,
                                                        customer):
    complaint = make_complaint(received_by=staff_user, customer=customer, status=CS.EXECUTING,
                               investigator=quality_officer, responsible=staff_user)
    plan = make_plan(complaint, author=quality_officer, status=PS.APPROVED, due_days=None)
    make_measure(plan, owner=staff_user)
    stranger_manager = UserFactory(username="stranger_manager", department=other_department_staff.department,
                                   roles=[Role.MANAGER])
    make_plan(make_complaint(received_by=staff_user, customer=customer, status=CS.PLANNING,
                             investigator=quality_officer, responsible=staff_user), author=quality_officer)
    assert _items(other_department_staff) == [] and _items(stranger_manager) == []


def _world(staff_user, colleague, manager, quality_officer, customer, count: int) -> None:
    statuses = (CS.RECEIVED, CS.INVESTIGATING, CS.PLANNING, CS.CONFIRMING, CS.EXECUTING)
    for k in range(count):
        status = statuses[k % len(statuses)]
        complaint = make_complaint(received_by=staff_user if k % 2 else colleague, customer=customer, status=status,
                                   investigator=None if status == CS.RECEIVED else quality_officer,
                                   responsible=staff_user, due_days=(k % 7) - 3)
        if status == CS.PLANNING:
            make_plan(complaint, author=quality_officer, due_days=(k % 3) - 1)
        if status == CS.EXECUTING:
            plan = make_plan(complaint, author=quality_officer, status=PS.APPROVED, due_days=None)
            make_measure(plan, owner=colleague, due_days=(k % 5) - 2)
            make_preventive(complaint, owner=colleague, created_by=quality_officer)


@pytest.mark.spec("INBOX-1", "PERF-1")
def test_the_queries_of_my_work_do_not_grow_with_the_complaints_and_the_module_reads_them_in_one(
        staff_user, colleague, manager, quality_officer, quality_manager, customer):
    people = (staff_user, colleague, manager, quality_officer, quality_manager)
    _world(staff_user, colleague, manager, quality_officer, customer, 3)
    for user in people:
        registry.inbox_items(User.objects.get(pk=user.pk))  # warm the per-process caches
    few = {user.username: _inbox_queries(user.pk) for user in people}
    listed_few = sum(len(_items(u)) for u in people)

    _world(staff_user, colleague, manager, quality_officer, customer, 30)
    many = {user.username: _inbox_queries(user.pk) for user in people}
    listed_many = sum(len(_items(u)) for u in people)

    assert many == few
    assert listed_many >= 5 * listed_few > 0
    for user in people:
        loaded = User.objects.select_related("department").get(pk=user.pk)
        with CaptureQueriesContext(connection) as queries:
            items = complaints_inbox(loaded)
        assert len(queries) == 1, [q["sql"] for q in queries]
        assert items or user == manager


@pytest.mark.spec("INBOX-1", "PERF-1")
def test_each_branch_is_limited_and_read_through_its_partial_index(staff_user, colleague, manager, quality_officer,
                                                                   quality_manager, customer):
    _world(staff_user, colleague, manager, quality_officer, customer, 12)
    quality = User.objects.select_related("department").get(pk=quality_officer.pk)

    complaints = complaint_waiting_on(user=quality)
    sql = str(complaints.query)
    assert sql.count("UNION ALL") == 2 and sql.count("LIMIT 200") == 4, sql
    plan = _plan(complaints)
    assert _uses(plan, "cmp_inbox_investigator_idx") and _uses(plan, "cmp_inbox_received_idx"), plan
    assert _uses(plan, "cmp_inbox_reply_idx"), plan
    assert "Seq Scan" not in plan, plan

    approver = User.objects.select_related("department").get(pk=quality_manager.pk)
    assert _uses(_plan(plans_awaiting_approval(user=approver)), "cmp_plan_submitted_idx")
    owner = User.objects.select_related("department").get(pk=colleague.pk)
    assert _uses(_plan(measures_due(user=owner)), "cmp_measure_inbox_idx")


@pytest.mark.spec("INBOX-1")
def test_the_my_work_page_lists_them_in_chinese_overdue_first(client, staff_user, quality_officer, customer):
    overdue = make_complaint(received_by=staff_user, customer=customer, due_days=-1)
    later = make_complaint(received_by=staff_user, customer=customer, status=CS.PLANNING, investigator=quality_officer,
                           due_days=3)
    client.force_login(staff_user)

    html = client.get(reverse("inbox")).content.decode()

    assert "客户投诉" in html and "在承诺时间前答复客户" in html
    assert overdue.number in html and later.number in html
    assert html.index(overdue.number) < html.index(later.number)
    at = html.index(overdue.number)
    assert "row-overdue" in html[html.rindex("<tr", 0, at):at]


@pytest.mark.spec("INBOX-1")
def test_the_inbox_endpoint_lists_them_under_the_complaints_module(staff_user, customer):
    from rest_framework.test import APIClient

    complaint = make_complaint(received_by=staff_user, customer=customer, due_days=-1)
    api = APIClient()
    api.force_authenticate(staff_user)

    data = api.get(reverse("api-inbox")).json()

    by_number = {i["number"]: i for i in data["items"]}
    assert by_number[complaint.number]["module"] == "complaints"
    assert by_number[complaint.number]["is_overdue"] is True
