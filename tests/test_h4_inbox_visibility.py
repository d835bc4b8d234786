"""PERF-1 with INBOX-1 and ORG-1: "my work" and the visibility filter at a million records.

"My work" used to be one ``OR`` over its branches, which read and sorted a department's whole open
backlog to show 200; now each branch is its own query through its own partial index, limited to
the cap, in one ``UNION ALL`` (qsm.inbox). The visibility filter used to add ``pk IN (SELECT ...)``
sub-selects that built every invitation (and, for an order's readers, every inquiry the user may
see) per request; now each branch is decided on the row, by a column or an EXISTS probe.

The plans are read with sequential scans switched off: on a test database of a few rows the planner
would scan the tables whatever the query; what matters is which index the query *can* use.
The content is compared with the former single-``OR`` definition, kept here as the reference.
"""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.models import Delivery, Installation, Order
from orders.selectors import delivery_list, installation_list, order_list, order_visible, order_waiting_on
from presales.models import Inquiry
from presales.selectors import inquiry_list, inquiry_visible, inquiry_waiting_on
from qsm import inbox, registry, visibility
from qsm.discussions.models import Discussion
from qsm.org.models import Role, User
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

IS, OS = Inquiry.Status, Order.Status
NOW = timezone.now()


# --- a small world with a record in every branch ---------------------------------------------------


@pytest.fixture
def people(staff_user, colleague, sales_user, production_user, other_department_staff, quality_officer, customer):
    production_user.department.is_production = True
    production_user.department.save(update_fields=["is_production"])
    invited = UserFactory(username="invited", department=other_department_staff.department, roles=[Role.STAFF])
    homeless = UserFactory(username="homeless", department=None, roles=[Role.STAFF])
    return {"owner": staff_user, "colleague": colleague, "sales": sales_user, "production": production_user,
            "outsider": other_department_staff, "invited": invited, "homeless": homeless,
            "quality": quality_officer}


_serial = itertools.count(1)
_DUES = (-3, None, 5, -1, 2, None, 9)  # days from now: overdue, none, later ...


def _due(k: int):
    days = _DUES[k % len(_DUES)]
    return None if days is None else NOW + dt.timedelta(days=days, minutes=k)


def _inquiry(*, owner, status, k, customer, handover=None) -> Inquiry:
    n = next(_serial)
    return Inquiry.objects.create(
        number=f"T{n:05d}", channel="phone", customer=customer, subject=f"咨询 {n}", question="?", status=status,
        department_id=owner.department_id, owner=owner, handover_department=handover,
        received_at=NOW - dt.timedelta(hours=n), due_at=_due(k))


def _discussion(record, *, opened_by, users=(), departments=()) -> Discussion:
    discussion = Discussion.objects.create(content_type=ContentType.objects.get_for_model(record),
                                           object_id=record.pk, topic="方案", opened_by=opened_by)
    discussion.invited_users.add(*users)
    discussion.invited_departments.add(*departments)
    return discussion


def _order(*, owner, status, k, customer, installation_required=False, source_inquiry=None) -> Order:
    n = next(_serial)
    promised = None if k % 4 == 3 else timezone.localdate() + dt.timedelta(days=(k * 7) % 30 - 5)
    return Order.objects.create(
        number=f"TO{n:05d}", customer=customer, department_id=owner.department_id, owner=owner, status=status,
        due_at=_due(k) if status == OS.REVIEW else None, promised_date=promised,
        installation_required=installation_required, source_inquiry=source_inquiry)


def _world(people, customer, count: int, start: int = 0) -> None:
    """``count`` inquiries and ``count`` orders spread over every branch of "my work"."""
    owner, sales, production = people["owner"], people["sales"], people["production"]
    inquiry_states = (IS.NEW, IS.ANSWERED, IS.DISCUSSION, IS.HANDED_OVER, IS.ACKNOWLEDGED, IS.CLOSED)
    for k in range(start, start + count):
        status = inquiry_states[k % len(inquiry_states)]
        handover = sales.department if status in (IS.HANDED_OVER, IS.ACKNOWLEDGED) else None
        inquiry = _inquiry(owner=owner, status=status, k=k, customer=customer, handover=handover)
        if status == IS.DISCUSSION:
            # by name, by department, or both (the owner invites himself too: two branches, one row)
            _discussion(inquiry, opened_by=owner, users=[people["invited"], owner][: 1 + k % 2],
                        departments=[production.department] if k % 3 else [])
    order_states = (OS.REVIEW, OS.RETURNED, OS.APPROVED, OS.IN_PRODUCTION, OS.DELIVERING, OS.DELIVERED,
                    OS.INSTALLING, OS.ACCEPTED)
    for k in range(start, start + count):
        status = order_states[k % len(order_states)]
        order = _order(owner=sales, status=status, k=k, customer=customer, installation_required=bool(k % 2))
        if status == OS.INSTALLING:
            Installation.objects.create(order=order, scheduled_for=timezone.localdate()).engineers.add(production)


# --- the former definitions: one OR over the branches (the reference for the content) ------------


def _former_inquiry_inbox(user, cap: int) -> list[int]:
    q = Q(owner=user, status__in=[IS.NEW, IS.ANSWERED, IS.DISCUSSION])
    if user.department_id:
        q |= Q(handover_department_id=user.department_id, status__in=[IS.HANDED_OVER, IS.ACKNOWLEDGED])
    who = Q(invited_users=user)
    if user.department_id:  # (the former code matched "no invited department" for a user without one)
        who |= Q(invited_departments=user.department_id)
    q |= Q(status=IS.DISCUSSION) & Exists(Discussion.objects.filter(who, inquiry=OuterRef("pk")))
    return list(Inquiry.objects.filter(q).order_by("due_at", "received_at", "pk").values_list("pk", flat=True)[:cap])


def _former_order_inbox(user, cap: int) -> list[int]:
    q = Q(owner=user, status__in=[OS.RETURNED, OS.APPROVED, OS.IN_PRODUCTION, OS.DELIVERING, OS.INSTALLING])
    q |= Q(owner=user, status=OS.DELIVERED, installation_required=True)
    if user.department_id:
        q |= Q(department_id=user.department_id, status=OS.REVIEW)
    q |= Q(installation__engineers=user, status=OS.INSTALLING)
    if user.department_id and user.department.is_production:
        q |= Q(status=OS.IN_PRODUCTION) & ~Q(owner=user)
    rows = Order.objects.filter(q).distinct().order_by("due_at", "promised_date", "pk")
    return list(rows.values_list("pk", flat=True)[:cap])


@pytest.mark.spec("PERF-1", "INBOX-1")
@pytest.mark.parametrize("cap", [4, 200])
def test_my_work_lists_what_the_single_or_listed_in_the_same_order(people, customer, monkeypatch, cap):
    # given records in every branch, some in two (an owner invited to his own discussion)
    _world(people, customer, 24)
    monkeypatch.setattr(inbox, "INBOX_LIMIT", cap)

    for name, user in people.items():
        user = User.objects.select_related("department").get(pk=user.pk)
        # when each module lists what waits on the user
        inquiries = [i.pk for i in inquiry_waiting_on(user=user)]
        orders = [o.pk for o in order_waiting_on(user=user)]
        # then it is the former list: the same records, due first, no deadline last, within the cap
        assert inquiries == _former_inquiry_inbox(user, cap), name
        assert orders == _former_order_inbox(user, cap), name
        assert len(set(inquiries)) == len(inquiries) <= cap and len(set(orders)) == len(orders) <= cap, name
    # the world gives every user something, and the cap cuts the busy ones
    assert _former_inquiry_inbox(people["owner"], 200) and _former_order_inbox(people["production"], 200)
    if cap == 4:
        assert len(_former_inquiry_inbox(people["owner"], 200)) > cap


@pytest.mark.spec("PERF-1", "INBOX-1")
def test_my_work_puts_the_overdue_first_and_no_deadline_last_once_per_record(people, customer):
    _world(people, customer, 24)
    owner = people["owner"]
    items = [i for i in registry.inbox_items(owner) if i.module_code == "presales"]
    numbers = [i.number for i in items]
    assert len(numbers) == len(set(numbers))  # the owner invited to his own discussion: listed once
    dues = [i.due_at for i in items]
    assert dues[0] is not None and dues[0] < NOW  # overdue first
    with_deadline = [d for d in dues if d is not None]
    assert with_deadline == sorted(with_deadline) and dues[len(with_deadline):] == [None] * (len(dues) - len(with_deadline))
    assert None in dues


def _inbox_queries(user_pk: int) -> int:
    user = User.objects.get(pk=user_pk)  # as a request loads it
    with CaptureQueriesContext(connection) as queries:
        registry.inbox_items(user)
    # the user's roles are read at most once, whichever modules ask (cached on the user)
    assert sum('FROM "auth_group"' in q["sql"] for q in queries.captured_queries) <= 1
    return len(queries)


@pytest.mark.spec("PERF-1", "INBOX-1")
def test_the_cost_of_my_work_in_queries_does_not_grow_with_the_open_records(people, customer):
    _world(people, customer, 3)
    for user in people.values():
        registry.inbox_items(User.objects.get(pk=user.pk))  # warm the per-process caches (content types)
    few = {name: _inbox_queries(user.pk) for name, user in people.items()}
    listed_few = len(registry.inbox_items(people["owner"])) + len(registry.inbox_items(people["production"]))
    _world(people, customer, 27, start=3)
    many = {name: _inbox_queries(user.pk) for name, user in people.items()}
    listed_many = len(registry.inbox_items(people["owner"])) + len(registry.inbox_items(people["production"]))
    assert many == few
    # the user's department, one query per module (pre-sales, orders, after-sales ...), the working
    # calendar, the user's roles (once: a manager's branches depend on them)
    assert max(few.values()) <= 1 + len(registry.inbox_modules()) + 1 + 1
    assert listed_many >= 5 * listed_few > 0


# --- the plans -------------------------------------------------------------------------------------


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        # Bitmap scans and sorts off too: on a few rows the planner may AND two other partial
        # indexes, or read a foreign-key index and sort one row; the question is whether the
        # branch's own index serves it in deadline order (as bench.plans checks the lists).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    try:
        return queryset.explain()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = on")
            cursor.execute("SET LOCAL enable_bitmapscan = on")
            cursor.execute("SET LOCAL enable_sort = on")


def _uses(plan: str, index: str) -> bool:
    return f"Index Scan using {index} " in plan or f"Index Only Scan using {index} " in plan


@pytest.mark.spec("PERF-1", "INBOX-1")
def test_each_branch_of_my_work_is_limited_and_read_through_its_partial_index(people, customer):
    _world(people, customer, 16)
    owner, sales, production = (User.objects.select_related("department").get(pk=people[n].pk)
                                for n in ("owner", "sales", "production"))

    inquiries = inquiry_waiting_on(user=owner)
    sql = str(inquiries.query)
    # four branches (owned, handed to my department, invited by name, by department), each limited
    assert sql.count("UNION ALL") == 3 and sql.count("LIMIT 200") == 5, sql
    plan = _plan(inquiries)
    assert _uses(plan, "inq_inbox_owner_idx"), plan
    assert _uses(plan, "inq_inbox_handover_idx"), plan
    assert "Seq Scan" not in plan, plan

    plan = _plan(order_waiting_on(user=sales))
    assert _uses(plan, "order_inbox_owner_idx") and _uses(plan, "order_inbox_review_idx"), plan
    assert "Seq Scan" not in plan, plan
    plan = _plan(order_waiting_on(user=production))  # engineer and production department
    assert _uses(plan, "order_inbox_production_idx"), plan
    assert "Seq Scan" not in plan, plan


@pytest.mark.spec("PERF-1", "ORG-1")
def test_the_visibility_filter_probes_each_row_instead_of_building_sets(people, customer):
    _world(people, customer, 16)
    outsider, sales = people["invited"], people["sales"]
    listings = {
        "inquiries": inquiry_list(user=outsider)[:50],
        "orders": order_list(user=sales)[:50],
        "installations": installation_list(user=outsider)[:50],
    }
    for name, page in listings.items():
        sql = str(page.query)
        # each participant branch and the readers of the source inquiry: a correlated EXISTS, fenced
        assert "EXISTS(" in sql and "OFFSET 0)" in sql, (name, sql)
        assert " IN (SELECT" not in sql, (name, sql)  # no sub-select built whole per request
        plan = page.explain()
        assert "hashed SubPlan" not in plan, (name, plan)
        seqscan_off = _plan(page)
        for line in seqscan_off.splitlines():
            if "discussions_discussion" in line or "orders_installation_engineers" in line:
                assert "Index" in line and "Seq Scan" not in line, (name, line)
    # the installation's order is joined, not sub-selected
    assert 'INNER JOIN "orders_order"' in str(listings["installations"].query)


# --- the two halves agree --------------------------------------------------------------------------


@pytest.mark.spec("PERF-1", "ORG-1")
def test_filter_and_predicate_agree_on_every_branch(people, customer):
    # given records reached through every branch: owner, department, hand-over department, invited
    # user and department, production role, installing engineer, readers of the source inquiry, and a
    # child seen through its order
    _world(people, customer, 16)
    owner = people["owner"]
    discussed = _inquiry(owner=owner, status=IS.DISCUSSION, k=0, customer=customer)
    _discussion(discussed, opened_by=owner, users=[people["invited"]], departments=[people["production"].department])
    converted = _inquiry(owner=owner, status=IS.CONVERTED, k=1, customer=customer, handover=people["sales"].department)
    _discussion(converted, opened_by=owner, users=[people["invited"]])
    from_inquiry = _order(owner=people["sales"], status=OS.ACCEPTED, k=2, customer=customer, source_inquiry=converted)
    Installation.objects.create(order=from_inquiry, scheduled_for=timezone.localdate())
    Delivery.objects.create(order=from_inquiry, number=1, shipped_at=NOW, recorded_by=people["sales"])
    stranger = UserFactory(username="stranger", department=DepartmentFactory(code="far"), roles=[Role.STAFF])
    everyone = {**people, "stranger": stranger, "anonymous": AnonymousUser()}
    selectors = {Inquiry: lambda u: inquiry_visible(user=u), Order: lambda u: order_visible(user=u),
                 Installation: lambda u: installation_list(user=u), Delivery: lambda u: delivery_list(user=u)}

    seen = {}
    for model, selector in selectors.items():
        records = list(model.objects.all())
        assert records, model
        for name, user in everyone.items():
            listed = set(selector(user).values_list("pk", flat=True))
            for record in records:
                fresh = model.objects.get(pk=record.pk)
                assert (record.pk in listed) == visibility.can_view(user, fresh), (model.__name__, record.pk, name)
            seen[model, name] = listed

    # then each branch let its people in, and no one else
    assert from_inquiry.pk in seen[Order, "invited"] and from_inquiry.pk in seen[Order, "owner"]  # readers_of
    assert Installation.objects.get(order=from_inquiry).pk in seen[Installation, "invited"]  # through + readers_of
    assert discussed.pk in seen[Inquiry, "invited"] and discussed.pk in seen[Inquiry, "production"]
    assert {o.pk for o in Order.objects.filter(status=OS.IN_PRODUCTION)} <= seen[Order, "production"]
    assert seen[Order, "quality"] == {o.pk for o in Order.objects.all()}
    assert seen[Inquiry, "stranger"] == seen[Order, "stranger"] == seen[Inquiry, "anonymous"] == set()
