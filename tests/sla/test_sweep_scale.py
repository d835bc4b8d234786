"""SLA-2 / PERF-1: the reminder sweep at scale.

The sweep's cost follows what is due, not what is open; what is due is cleared in one run, a
batch of levels per transaction with a fixed number of queries and one e-mail hand-off per batch;
two sweeps at once still fire each level once; a record busy in a transition makes its deadline
wait, never the sweep; and each level tells the people its clock declares, never a whole
department.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qsm.notify.models import Notification
from qsm.org.models import Department, Role
from qsm.sla import services as sla
from qsm.sla.calendar import default_calendar
from qsm.sla.models import Deadline
from tests.factories import DepartmentFactory, UserFactory

from .conftest import sh
from .test_sweep_concurrency import _deadlines

pytestmark = pytest.mark.spec("SLA-2", "PERF-1")

_object_ids = iter(range(100_000, 10_000_000))


def _make(*, now, owners=(None,), departments=(None,), remind: int = 0, overdue: int = 0, later: int = 0,
          stage: str = "scale") -> list[Deadline]:
    """``remind`` deadlines whose reminder is due, ``overdue`` past due, ``later`` not due yet."""
    calendar = default_calendar()
    ct = ContentType.objects.get_for_model(Department)
    rows = []
    for i in range(remind + overdue + later):
        if i < remind:
            remind_at, due_at = now - dt.timedelta(minutes=5 + i % 50), now + dt.timedelta(hours=2)
        elif i < remind + overdue:
            remind_at, due_at = now - dt.timedelta(hours=3), now - dt.timedelta(minutes=1 + i % 50)
        else:
            remind_at, due_at = now + dt.timedelta(hours=1, minutes=i % 50), now + dt.timedelta(hours=3)
        object_id = next(_object_ids)
        rows.append(Deadline(
            content_type=ct, object_id=object_id, stage=stage, calendar=calendar, title=f"Scale #{object_id}",
            url=f"/scale/{object_id}/", owner=owners[i % len(owners)], department=departments[i % len(departments)],
            started_at=now - dt.timedelta(hours=4), allowed_minutes=240, remind_at=remind_at, due_at=due_at,
        ))
    return Deadline.objects.bulk_create(rows)


def _organisation(departments: int, owners_each: int):
    """Departments with staff and a manager each, and a quality department with an officer."""
    quality = Department.objects.filter(kind=Department.Kind.QUALITY).first() or DepartmentFactory(
        kind=Department.Kind.QUALITY)
    UserFactory(department=quality, roles=[Role.QUALITY_OFFICER], email="")
    made, owners = [], []
    for _d in range(departments):
        department = DepartmentFactory()
        UserFactory(department=department, roles=[Role.MANAGER], email="")
        owners += [UserFactory(department=department, roles=[Role.STAFF]) for _o in range(owners_each)]
        made.append(department)
    return made, owners


def _work_queries(captured: CaptureQueriesContext) -> list[str]:
    """The statements that do work (the savepoints of the test's transaction left out)."""
    return [q["sql"] for q in captured.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))]


def _sweep_counted(django_capture_on_commit_callbacks, **kwargs) -> tuple[dict, list[str], int]:
    with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as captured:
        result = sla.deadlines_sweep(**kwargs)
    return result, _work_queries(captured), len(callbacks)


def test_nothing_due_costs_one_query_per_level_however_many_are_open(db, django_capture_on_commit_callbacks):
    now = timezone.now()
    ContentType.objects.get_for_model(Department)  # the content type cache is warm in a running worker
    _make(now=now, later=50)
    few = _sweep_counted(django_capture_on_commit_callbacks, now=now)
    _make(now=now, later=950)
    many = _sweep_counted(django_capture_on_commit_callbacks, now=now)

    assert few[0] == many[0] == {"reminded": 0, "overdue": 0}
    # one claim per level, nothing else, and nothing handed to the broker
    assert len(few[1]) == len(many[1]) == 2, many[1]
    assert few[2] == many[2] == 0


def test_due_levels_clear_in_one_run_with_queries_per_batch_not_per_deadline(db, django_capture_on_commit_callbacks):
    # given owners in several departments, each with a manager, and a quality officer
    now = timezone.now()
    ContentType.objects.get_for_model(Department)
    departments, owners = _organisation(departments=6, owners_each=5)
    # when 30, then 300 levels fall due (owned and unowned, reminders and escalations)
    runs = []
    for n in (30, 300):
        made = _make(now=now, owners=[*owners, None], departments=departments, remind=n * 2 // 3, overdue=n // 3,
                     stage=f"scale-{n}")
        runs.append((n, made, *_sweep_counted(django_capture_on_commit_callbacks, now=now)))

    for n, made, result, queries, callbacks in runs:
        # at most, per level: the claim, the owners, the managers, (the quality department once
        # per run,) the notifications; fewer when a batch finds its people read already
        assert len(queries) <= 4 + 5, queries
        # then one run sends every one of them ...
        assert result == {"reminded": n * 2 // 3, "overdue": n // 3}
        assert not Deadline.objects.filter(pk__in=[d.pk for d in made], reminded_at__isnull=True).exists()
        assert not Deadline.objects.filter(pk__in=[d.pk for d in made], due_at__lte=now,
                                           overdue_at__isnull=True).exists()
        # ... with one e-mail hand-off per batch (one batch per level here), not one per deadline
        assert callbacks == 2
    # and no more queries when 300 are due than when 30 are
    (_n, _m, _r, few, _c), (_n2, _m2, _r2, many, _c2) = runs
    assert len(many) <= max(len(few), 4 + 5), (few, many)


def test_batches_follow_one_another_until_nothing_is_due(db, django_capture_on_commit_callbacks):
    now = timezone.now()
    department = DepartmentFactory()
    owner = UserFactory(department=department, roles=[Role.STAFF])
    made = _make(now=now, owners=[owner], departments=[department], remind=250)

    result, queries, callbacks = _sweep_counted(django_capture_on_commit_callbacks, now=now, batch=100)

    assert result == {"reminded": 250, "overdue": 0}
    assert not Deadline.objects.filter(pk__in=[d.pk for d in made], reminded_at__isnull=True).exists()
    assert callbacks == 3  # 100 + 100 + 50: one hand-off per batch
    assert Notification.objects.filter(recipient=owner, kind="sla_reminder").count() == 250


def test_a_run_stops_when_its_time_budget_is_spent_and_the_next_run_goes_on(db):
    now = timezone.now()
    owner = UserFactory(department=DepartmentFactory(), roles=[Role.STAFF])
    _make(now=now, owners=[owner], remind=30)

    assert sla.deadlines_sweep(now=now, batch=10, seconds=0) == {"reminded": 10, "overdue": 0}
    assert sla.deadlines_sweep(now=now, batch=10) == {"reminded": 20, "overdue": 0}
    assert sla.deadlines_sweep(now=now, batch=10) == {"reminded": 0, "overdue": 0}


def _sweeps_at_once(n: int, **kwargs) -> list[dict]:
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            results.append(sla.deadlines_sweep(**kwargs))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(results) == n
    return results


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_in_small_batches_at_once_send_each_level_exactly_once():
    # given 60 due reminders and 30 due escalations, and two sweeps taking 7 at a time
    department = DepartmentFactory(code="batch-race", name="Batch race")
    quality = DepartmentFactory(code="batch-race-q", name="Batch race quality", kind=Department.Kind.QUALITY)
    owners = [UserFactory(username=f"batch-race{i}", email="", department=department, roles=[Role.STAFF])
              for i in range(3)]
    UserFactory(username="batch-race-boss", email="", department=department, roles=[Role.MANAGER])
    UserFactory(username="batch-race-auditor", email="", department=quality, roles=[Role.QUALITY_OFFICER])
    made = _deadlines(calendar=default_calendar(), owners=owners, department=department, tag="batch",
                      now=timezone.now(), reminders=60, overdue=30)

    results = _sweeps_at_once(2, batch=7)
    print("split between the two sweeps:", results)

    # then each level was sent once, to each of its recipients once
    assert sum(r["reminded"] for r in results) == 60 and sum(r["overdue"] for r in results) == 30
    sent = Counter(Notification.objects.filter(url__startswith="/race/batch/").values_list("url", "recipient", "kind"))
    assert set(sent.values()) == {1}
    assert Counter(kind for _url, _user, kind in sent) == {"sla_reminder": 60, "sla_overdue": 30 * 3}
    assert not Deadline.objects.filter(pk__in=[d.pk for d in made], reminded_at__isnull=True).exists()
    assert sla.deadlines_sweep() == {"reminded": 0, "overdue": 0}


@pytest.mark.spec("SLA-2", "PERF-1", "ORD-2", "REL-1")
@pytest.mark.django_db(transaction=True)
def test_a_record_busy_in_a_transition_makes_its_deadline_wait_not_the_sweep(time_machine):
    from orders import services as orders
    from orders.models import Order
    from tests.builders.orders import priced_product
    from tests.factories import CustomerFactory

    # given two orders at risk (their delivery clock flags the order), one of them locked by a
    # transition in progress on another connection
    time_machine.move_to(sh(2026, 3, 2, 10, 0), tick=False)
    department = DepartmentFactory(code="busy", name="Busy sales")
    owner = UserFactory(username="busy-owner", email="", department=department, roles=[Role.STAFF])
    product, customer = priced_product(), CustomerFactory()
    busy, free = [orders.order_create(actor=owner, customer=customer, promised_date=dt.date(2026, 3, 3),
                                      lines=[{"product": product, "quantity": "1", "unit_price": product.list_price}])
                  for _ in range(2)]
    locked, release, done = threading.Event(), threading.Event(), threading.Event()

    def transition():
        try:
            with transaction.atomic():
                Order.objects.select_for_update().get(pk=busy.pk)
                locked.set()
                release.wait(timeout=60)
        finally:
            connection.close()
            done.set()

    other = threading.Thread(target=transition)
    other.start()
    try:
        assert locked.wait(timeout=30)
        # when the sweep runs, unable to wait on a lock for long
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        result = sla.deadlines_sweep()
        # then the free order is flagged and its owner told; the busy one is left for the next run
        assert result == {"reminded": 1, "overdue": 0}
        assert Order.objects.get(pk=free.pk).risk_flagged_at is not None
        assert Order.objects.get(pk=busy.pk).risk_flagged_at is None
        assert not Deadline.objects.get(object_id=busy.pk, content_type__model="order", stage="delivery").reminded_at
    finally:
        release.set()
        done.wait(timeout=30)
        other.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    # when the transition is over, the next run flags it, once
    assert sla.deadlines_sweep() == {"reminded": 1, "overdue": 0}
    assert Order.objects.get(pk=busy.pk).risk_flagged_at is not None
    assert Counter(Notification.objects.filter(kind="order_at_risk").values_list("url", flat=True)) == {
        busy.get_absolute_url(): 1, free.get_absolute_url(): 1}


def test_each_level_tells_the_people_its_rule_names_never_the_whole_department(db):
    now = timezone.now()
    sales = DepartmentFactory(code="rule-sales", name="Rule sales")
    other = DepartmentFactory(code="rule-other", name="Rule other")
    quality = DepartmentFactory(code="rule-quality", name="Rule quality", kind=Department.Kind.QUALITY)
    members = [UserFactory(username=f"member{i}", department=sales, roles=[Role.STAFF]) for i in range(10)]
    bosses = [UserFactory(username=f"boss{i}", department=sales, roles=[Role.MANAGER]) for i in range(2)]
    UserFactory(username="other-boss", department=other, roles=[Role.MANAGER])
    UserFactory(username="retired-boss", department=sales, roles=[Role.MANAGER], is_active=False)
    UserFactory(username="auditor", department=quality, roles=[Role.QUALITY_OFFICER])
    UserFactory(username="quality-boss", department=quality, roles=[Role.MANAGER])
    UserFactory(username="quality-clerk", department=quality, roles=[Role.STAFF])
    owner = members[0]
    owned = _make(now=now, owners=[owner], departments=[sales], remind=1, overdue=1)
    unowned = _make(now=now, owners=[None], departments=[sales], remind=1, overdue=1)
    # an owned deadline without a department escalates to its owner's department's managers
    no_department = _make(now=now, owners=[owner], departments=[None], overdue=1)

    assert sla.deadlines_sweep(now=now) == {"reminded": 2, "overdue": 3}

    def told(deadline: Deadline, kind: str) -> set[str]:
        return set(Notification.objects.filter(url=deadline.url, kind=kind).values_list(
            "recipient__username", flat=True))

    boss_names = {b.username for b in bosses}
    # a reminder: the owner; nobody owns it: the department's managers, not its ten members
    assert told(owned[0], "sla_reminder") == {owner.username}
    assert told(unowned[0], "sla_reminder") == boss_names
    # the escalation: the owner, the managers and the quality department's officers and managers
    assert told(owned[1], "sla_overdue") == {owner.username, *boss_names, "auditor", "quality-boss"}
    assert told(unowned[1], "sla_overdue") == {*boss_names, "auditor", "quality-boss"}
    assert told(no_department[0], "sla_overdue") == {owner.username, *boss_names, "auditor", "quality-boss"}
    assert not Notification.objects.filter(recipient__username__in=["member1", "other-boss", "retired-boss",
                                                                     "quality-clerk"]).exists()


def test_a_clock_declares_its_recipients():
    from presales.workflows import INQUIRY_CLOCKS

    handover = next(c for c in INQUIRY_CLOCKS if c.stage == "handover_ack")
    assert handover.notices().remind_to.audiences(owned=False) == (sla.MANAGERS,)
    assert handover.notices().remind_to.audiences(owned=True) == (sla.OWNER,)
    with pytest.raises(ValueError, match="unknown reminder audiences"):
        sla.Recipients(assigned=("everyone",), unassigned=())


def test_the_claims_read_the_partial_indexes(db):
    now = timezone.now()
    _make(now=now, remind=20, later=2000)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Deadline._meta.db_table}")
        plans = {}
        for level, index in ((sla.REMIND, "deadline_remind_open_idx"), (sla.OVERDUE, "deadline_due_open_idx")):
            sql, params = sla.claim_sql(level, now=now, batch=1000)
            cursor.execute(f"EXPLAIN {sql}", params)
            plans[index] = "\n".join(row[0] for row in cursor.fetchall())
    for index, plan in plans.items():
        assert index in plan, plan
        assert "LockRows" in plan  # FOR UPDATE SKIP LOCKED in the claim's inner select


def test_the_deadline_table_is_vacuumed_after_a_few_thousand_claims_not_a_fifth_of_it(db):
    # each claim leaves a dead entry in the partial index the next claims walk (migration 0008)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [Deadline._meta.db_table])
        options = dict(option.split("=") for option in cursor.fetchone()[0] or [])
    assert float(options["autovacuum_vacuum_scale_factor"]) <= 0.01
    assert int(options["autovacuum_vacuum_threshold"]) <= 5000
