"""INBOX-1 / PERF-1: the after-sales cases and follow-up visits on "my work" (aftersales.inbox).

Cases wait on their owner (new, in progress, special solution), on the department while new, on the
owners of the open steps of a special plan and on the people and departments invited to the
special-solution discussion; visits on their owner, on the department's visit owner while nobody
owns them, and re-checks on the quality department. Due first, each branch read through its own
partial index, a fixed number of queries whatever the number of records.
"""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from aftersales.inbox import aftersales_inbox, case_waiting_on, visit_waiting_on
from aftersales.models import Case, PlanStep, SpecialPlan, Visit
from orders.models import Order
from qsm import registry
from qsm.discussions.models import Discussion
from qsm.org.models import Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CS, VS = Case.Status, Visit.Status
NOW = timezone.now()
_serial = itertools.count(1)


def make_case(*, owner, status=CS.IN_PROGRESS, customer, due_days: float | None = 1, department=None,
              **fields) -> Case:
    n = next(_serial)
    fields.setdefault("severity", "normal")
    return Case.objects.create(
        number=f"AS-T-{n:05d}", channel="phone", case_type=Case.Type.PRODUCT_QUALITY,
        customer=customer, subject=f"主轴异响 {n}", description="客户来电反映主轴异响。", status=status,
        department=department or owner.department, owner=owner, received_at=NOW - dt.timedelta(hours=n),
        due_at=None if due_days is None else NOW + dt.timedelta(days=due_days, minutes=n), **fields)


def make_order(*, owner=None, customer, department=None) -> Order:
    n = next(_serial)
    department = department or owner.department
    owner = owner or department.members.order_by("pk").first()
    return Order.objects.create(number=f"ORD-T-{n:05d}", customer=customer, department=department, owner=owner,
                                status=Order.Status.ACCEPTED)


def make_visit(*, owner, customer, status=VS.PLANNED, department=None, record=None, due_days: float | None = 2,
               **fields) -> Visit:
    n = next(_serial)
    record = record or make_order(owner=owner, customer=customer, department=department)
    planned = timezone.localdate() + dt.timedelta(days=int(due_days or 0))
    return Visit.objects.create(
        number=f"HF-T-{n:05d}", content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
        reason="accepted", customer=customer, department=department or owner.department, owner=owner, status=status,
        planned_for=planned, due_at=None if due_days is None or status not in Visit.OPEN_STATES
        else NOW + dt.timedelta(days=due_days, minutes=n), **fields)


def special_case_with_step(*, owner, step_owner, customer, step_status=PlanStep.Status.OPEN) -> Case:
    case = make_case(owner=owner, status=CS.SPECIAL, customer=customer, is_complex=True)
    plan = SpecialPlan.objects.create(case=case, title="专项方案", content="分两步整改", created_by=owner,
                                      status=SpecialPlan.Status.IN_PROGRESS)
    PlanStep.objects.create(plan=plan, position=1, description="更换主轴轴承", owner=step_owner,
                            due_date=timezone.localdate(), status=step_status)
    return case


def invite(case: Case, *, opened_by, users=(), departments=()) -> Discussion:
    discussion = Discussion.objects.create(content_type=ContentType.objects.get_for_model(Case), object_id=case.pk,
                                           topic="专项分析会", opened_by=opened_by)
    discussion.invited_users.add(*users)
    discussion.invited_departments.add(*departments)
    return discussion


def _items(user, module_label: str):
    user = User.objects.select_related("department").get(pk=user.pk)
    return [i for i in registry.inbox_items(user) if i.module == module_label]


def _cases(user):
    return _items(user, pgettext("inbox", "After-sales"))


def _visits(user):
    return _items(user, pgettext("inbox", "Follow-up visits"))


@pytest.mark.spec("INBOX-1", "AFS-2")
def test_cases_wait_on_their_owner_the_department_while_new_and_the_special_solution_participants(
        staff_user, colleague, other_department_staff, customer):
    # given cases of staff_user's department in every state, a special case with a step owned by a
    # person of another department, and one another department was invited to discuss
    owned = {status: make_case(owner=staff_user, status=status, customer=customer) for status in CS.values}
    colleague_new = make_case(owner=colleague, status=CS.NEW, customer=customer)
    colleague_working = make_case(owner=colleague, status=CS.IN_PROGRESS, customer=customer)
    with_step = special_case_with_step(owner=colleague, step_owner=other_department_staff, customer=customer)
    done_step = special_case_with_step(owner=colleague, step_owner=other_department_staff, customer=customer,
                                       step_status=PlanStep.Status.DONE)
    invited_by_name = make_case(owner=colleague, status=CS.SPECIAL, customer=customer, is_complex=True)
    invite(invited_by_name, opened_by=colleague, users=[other_department_staff])
    invited_department = make_case(owner=colleague, status=CS.SPECIAL, customer=customer, is_complex=True)
    invite(invited_department, opened_by=colleague, departments=[other_department_staff.department])

    # when each lists "my work"
    mine = {i.number: i for i in _cases(staff_user)}
    outsider = {i.number: i for i in _cases(other_department_staff)}

    # then the owner has his new, in-progress and special cases (not waiting, resolved, closed,
    # cancelled), and his department's new ones; not a colleague's case in progress
    expected = {owned[s].number for s in (CS.NEW, CS.IN_PROGRESS, CS.SPECIAL)} | {colleague_new.number}
    assert set(mine) == expected
    assert colleague_working.number not in mine
    assert mine[owned[CS.NEW].number].waiting_for == gettext("Reply to the customer")
    assert mine[owned[CS.IN_PROGRESS].number].waiting_for == gettext("Diagnose and solve the problem")
    assert mine[owned[CS.IN_PROGRESS].number].url == owned[CS.IN_PROGRESS].get_absolute_url()
    # the other department's person: the open step he owns, and the discussions he was invited to
    assert set(outsider) == {with_step.number, invited_by_name.number, invited_department.number}
    assert done_step.number not in outsider
    assert outsider[with_step.number].waiting_for == gettext("Complete your step of the special solution plan")
    assert outsider[invited_by_name.number].waiting_for == gettext("Take part in the special-solution discussion")
    assert all(i.module_code == "aftersales" for i in [*mine.values(), *outsider.values()])


@pytest.mark.spec("INBOX-1", "VIS-1", "VIS-2")
def test_visits_wait_on_their_owner_the_departments_visit_owner_and_rechecks_on_quality(
        staff_user, colleague, other_department_staff, quality_officer, customer):
    department = staff_user.department
    department.visit_owner = colleague
    department.save(update_fields=["visit_owner"])
    owned = {status: make_visit(owner=staff_user, status=status, customer=customer,
                                **({"done_at": NOW, "method": "phone", "satisfaction": 4} if status == VS.DONE else {}))
             for status in VS.values}
    unassigned = make_visit(owner=None, customer=customer, department=department, record=make_order(
        owner=staff_user, customer=customer))
    assigned_to_someone = make_visit(owner=staff_user, customer=customer, due_days=5)
    recheck = make_visit(owner=staff_user, customer=customer, status=VS.DONE, done_at=NOW, method="phone",
                         satisfaction=5, recheck_status=Visit.Recheck.REQUESTED)
    elsewhere = make_visit(owner=other_department_staff, customer=customer)

    mine = {i.number: i for i in _visits(staff_user)}
    visit_owner = {i.number: i for i in _visits(colleague)}
    quality = {i.number: i for i in _visits(quality_officer)}

    assert set(mine) == {owned[VS.PLANNED].number, owned[VS.LINK_SENT].number, assigned_to_someone.number}
    assert mine[owned[VS.PLANNED].number].waiting_for == gettext("Call the customer or send the survey link")
    assert set(visit_owner) == {unassigned.number}  # nobody owns it: the department's visit owner
    assert set(quality) == {recheck.number}
    assert quality[recheck.number].waiting_for == gettext("Re-check the phone visit with the customer")
    assert elsewhere.number not in mine | visit_owner


@pytest.mark.spec("INBOX-1")
def test_cases_and_visits_come_due_first_with_the_others(staff_user, customer):
    overdue_case = make_case(owner=staff_user, customer=customer, due_days=-2)
    later_case = make_case(owner=staff_user, customer=customer, due_days=3)
    no_deadline = make_case(owner=staff_user, status=CS.SPECIAL, customer=customer, due_days=None)
    overdue_visit = make_visit(owner=staff_user, customer=customer, due_days=-1)
    soon_visit = make_visit(owner=staff_user, customer=customer, due_days=1)

    user = User.objects.select_related("department").get(pk=staff_user.pk)
    numbers = [i.number for i in registry.inbox_items(user)]

    order = [overdue_case.number, overdue_visit.number, soon_visit.number, later_case.number, no_deadline.number]
    assert [n for n in numbers if n in order] == order


def _world(staff_user, colleague, outsider, customer, count: int) -> None:
    statuses = (CS.NEW, CS.IN_PROGRESS, CS.SPECIAL, CS.WAITING_CUSTOMER, CS.RESOLVED)
    for k in range(count):
        make_case(owner=staff_user if k % 2 else colleague, status=statuses[k % len(statuses)], customer=customer,
                  due_days=(k % 7) - 3)
        if k % 3 == 0:
            case = special_case_with_step(owner=colleague, step_owner=outsider, customer=customer)
            invite(case, opened_by=colleague, users=[outsider], departments=[staff_user.department])
        make_visit(owner=staff_user if k % 2 else None, customer=customer, due_days=(k % 5) - 2,
                   department=staff_user.department, record=make_order(owner=staff_user, customer=customer))


def _inbox_queries(user_pk: int) -> int:
    user = User.objects.get(pk=user_pk)  # as a request loads it
    with CaptureQueriesContext(connection) as queries:
        registry.inbox_items(user)
    return len(queries)


@pytest.mark.spec("INBOX-1", "PERF-1")
def test_the_queries_of_my_work_do_not_grow_with_the_cases_and_visits(staff_user, colleague, other_department_staff,
                                                                     quality_officer, customer):
    staff_user.department.visit_owner = colleague
    staff_user.department.save(update_fields=["visit_owner"])
    people = (staff_user, colleague, other_department_staff, quality_officer)
    _world(staff_user, colleague, other_department_staff, customer, 3)
    for user in people:
        registry.inbox_items(User.objects.get(pk=user.pk))  # warm the per-process caches (content types)
    few = {user.username: _inbox_queries(user.pk) for user in people}
    listed_few = sum(len(_cases(u)) + len(_visits(u)) for u in people)

    _world(staff_user, colleague, other_department_staff, customer, 30)
    many = {user.username: _inbox_queries(user.pk) for user in people}
    listed_many = sum(len(_cases(u)) + len(_visits(u)) for u in people)

    assert many == few
    assert listed_many >= 5 * listed_few > 0
    # after-sales reads its cases and visits in one query (a UNION ALL of the two lists)
    for user in people:
        loaded = User.objects.select_related("department").get(pk=user.pk)
        with CaptureQueriesContext(connection) as queries:
            aftersales_inbox(loaded)
        assert len(queries) == 1, [q["sql"] for q in queries]


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
    try:
        return queryset.explain()
    finally:
        with connection.cursor() as cursor:
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
                cursor.execute(f"SET LOCAL {setting} = on")


def _uses(plan: str, index: str) -> bool:
    return f"Index Scan using {index} " in plan or f"Index Only Scan using {index} " in plan


@pytest.mark.spec("INBOX-1", "PERF-1")
def test_each_branch_is_limited_and_read_through_its_partial_index(staff_user, colleague, other_department_staff,
                                                                   quality_officer, customer):
    staff_user.department.visit_owner = colleague
    staff_user.department.save(update_fields=["visit_owner"])
    _world(staff_user, colleague, other_department_staff, customer, 12)
    staff = User.objects.select_related("department").get(pk=staff_user.pk)

    cases = case_waiting_on(user=staff)
    sql = str(cases.query)
    # five branches (owned, new in my department, my plan step, invited by name, by department), each limited
    assert sql.count("UNION ALL") == 4 and sql.count("LIMIT 200") == 6, sql
    plan = _plan(cases)
    assert _uses(plan, "case_inbox_owner_idx") and _uses(plan, "case_inbox_dept_new_idx"), plan
    assert _uses(plan, "case_inbox_special_idx"), plan
    assert "Seq Scan" not in plan, plan

    owner = User.objects.select_related("department").get(pk=colleague.pk)
    plan = _plan(visit_waiting_on(user=owner))
    assert _uses(plan, "visit_inbox_owner_idx") and _uses(plan, "visit_inbox_unassigned_idx"), plan
    assert "Seq Scan on aftersales_visit" not in plan, plan
    quality = User.objects.select_related("department").get(pk=quality_officer.pk)
    plan = _plan(visit_waiting_on(user=quality))
    assert _uses(plan, "visit_recheck_idx"), plan


@pytest.mark.spec("INBOX-1")
def test_the_inbox_endpoint_lists_cases_and_visits_under_the_aftersales_module(staff_user, customer):
    from rest_framework.test import APIClient

    case = make_case(owner=staff_user, customer=customer, due_days=-1)
    visit = make_visit(owner=staff_user, customer=customer)
    api = APIClient()
    api.force_authenticate(staff_user)

    data = api.get(reverse("api-inbox")).json()

    by_number = {i["number"]: i for i in data["items"]}
    assert by_number[case.number]["module"] == by_number[visit.number]["module"] == "aftersales"
    assert by_number[case.number]["is_overdue"] is True
    assert data["overdue_count"] >= 1


@pytest.mark.spec("INBOX-1", "ORG-1")
def test_a_user_of_another_department_gets_nothing_of_ours(staff_user, other_department_staff, customer):
    make_case(owner=staff_user, status=CS.NEW, customer=customer)
    make_visit(owner=None, customer=customer, department=staff_user.department)
    stranger = UserFactory(username="stranger", department=other_department_staff.department, roles=[Role.STAFF])
    assert _cases(stranger) == [] and _visits(stranger) == []


@pytest.mark.spec("INBOX-1")
def test_the_my_work_page_lists_them_in_chinese_with_links_overdue_first(client, staff_user, customer):
    overdue = make_case(owner=staff_user, customer=customer, due_days=-1)
    visit = make_visit(owner=staff_user, customer=customer, due_days=3)
    client.force_login(staff_user)  # a Chinese-speaking user (the factories' default language)

    html = client.get(reverse("inbox")).content.decode()

    assert f'href="{overdue.get_absolute_url()}"' in html and f'href="{visit.get_absolute_url()}"' in html
    assert "售后服务" in html and "回访" in html and "诊断并解决问题" in html and "电话回访客户或发送问卷链接" in html
    assert html.index(overdue.number) < html.index(visit.number)
    at = html.index(overdue.number)
    assert "row-overdue" in html[html.rindex("<tr", 0, at):at]  # its row is marked overdue
