"""SLA-2: each reminder level fires exactly once even when two sweeps run at the same moment,
and the sweep's queries stay on the partial indexes however many deadlines are closed."""
from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from qsm.notify.models import Notification
from qsm.org.models import Department, Role
from qsm.sla import services as sla
from qsm.sla.calendar import default_calendar
from qsm.sla.models import Deadline
from tests.factories import DepartmentFactory, UserFactory

ROUNDS = 5
REMINDERS_PER_ROUND = 20
OVERDUE_PER_ROUND = 10


def _deadlines(*, calendar, owners, department, tag: str, now: dt.datetime, reminders: int, overdue: int):
    ct = ContentType.objects.get_for_model(Department)
    rows = []
    for i in range(reminders + overdue):
        late = i >= reminders
        rows.append(Deadline(
            content_type=ct, object_id=10_000 + i, stage=f"race-{tag}", calendar=calendar, title=f"{tag} #{i}",
            url=f"/race/{tag}/{i}/", owner=owners[i % len(owners)], department=department, started_at=now,
            allowed_minutes=60,
            remind_at=now - dt.timedelta(minutes=30 + i),
            due_at=now - dt.timedelta(minutes=1 + i) if late else now + dt.timedelta(hours=1, minutes=i),
        ))
    return Deadline.objects.bulk_create(rows)


def _sweep_in_threads(n: int = 2) -> list[dict]:
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            results.append(sla.deadlines_sweep())
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection; leave none behind

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(results) == n
    return results


@pytest.mark.spec("SLA-2")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_level_exactly_once():
    # given a department with a manager, the quality department, and owners without e-mail
    # (this test counts notification rows; it hands nothing to the broker)
    calendar = default_calendar()
    department = DepartmentFactory(code="race", name="Race department")
    quality = DepartmentFactory(code="race-quality", name="Race quality", kind=Department.Kind.QUALITY)
    owners = [UserFactory(username=f"race{i}", email="", department=department, roles=[Role.STAFF])
              for i in range(3)]
    boss = UserFactory(username="race-boss", email="", department=department, roles=[Role.MANAGER])
    auditor = UserFactory(username="race-auditor", email="", department=quality, roles=[Role.QUALITY_OFFICER])
    escalated_to = 3  # owner, manager, quality officer
    totals = Counter()
    for round_no in range(ROUNDS):
        # when two sweeps start together on a batch of due deadlines
        made = _deadlines(calendar=calendar, owners=owners, department=department, tag=str(round_no),
                          now=timezone.now(), reminders=REMINDERS_PER_ROUND, overdue=OVERDUE_PER_ROUND)
        results = _sweep_in_threads()
        print(f"round {round_no}: split between the two sweeps {results}")  # shows the race really happened
        for r in results:
            totals.update(r)
        # then every deadline of this round has exactly one notification per recipient and level
        per_deadline = Counter(
            Notification.objects.filter(url__startswith=f"/race/{round_no}/").values_list("url", "recipient", "kind")
        )
        assert per_deadline and set(per_deadline.values()) == {1}, per_deadline.most_common(3)
        reminded = {url for url, _user, kind in per_deadline if kind == "sla_reminder"}
        overdue = Counter(url for url, _user, kind in per_deadline if kind == "sla_overdue")
        assert len(reminded) == REMINDERS_PER_ROUND
        assert len(overdue) == OVERDUE_PER_ROUND and set(overdue.values()) == {escalated_to}
        assert sum(r["reminded"] for r in results) == REMINDERS_PER_ROUND
        assert sum(r["overdue"] for r in results) == OVERDUE_PER_ROUND
        assert not Deadline.objects.filter(pk__in=[d.pk for d in made], reminded_at__isnull=True).exists()
    # and over all rounds the totals match the rows
    assert totals == {"reminded": ROUNDS * REMINDERS_PER_ROUND, "overdue": ROUNDS * OVERDUE_PER_ROUND}
    assert Notification.objects.filter(kind="sla_reminder").count() == ROUNDS * REMINDERS_PER_ROUND
    assert Notification.objects.filter(kind="sla_overdue").count() == ROUNDS * OVERDUE_PER_ROUND * escalated_to
    assert Notification.objects.filter(recipient=boss, kind="sla_overdue").count() == ROUNDS * OVERDUE_PER_ROUND
    assert Notification.objects.filter(recipient=auditor, kind="sla_reminder").count() == 0


@pytest.mark.spec("SLA-1")
@pytest.mark.django_db(transaction=True)
def test_pause_and_resume_work_outside_a_transaction():
    # A Celery task or a management command calls these in autocommit mode.
    calendar = default_calendar()
    department = DepartmentFactory(code="pause", name="Pause department")
    now = timezone.now()
    deadline = Deadline.objects.create(
        content_type=ContentType.objects.get_for_model(Department), object_id=department.pk, stage="wait",
        calendar=calendar, title="wait", started_at=now, allowed_minutes=60,
        remind_at=now + dt.timedelta(days=30), due_at=now + dt.timedelta(days=31),
    )
    assert sla.deadline_pause(record=department, stage="wait") == 1
    resumed = sla.deadline_resume(record=department, stage="wait")
    assert resumed.pk == deadline.pk and resumed.state == Deadline.State.RUNNING


@pytest.mark.spec("SLA-2")
def test_sweep_queries_use_the_partial_indexes(db):
    # given the partial indexes that keep the sweep cheap as closed deadlines pile up
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [Deadline._meta.db_table])
        indexes = dict(cursor.fetchall())
    assert "WHERE" in indexes["deadline_remind_open_idx"] and "reminded_at IS NULL" in indexes["deadline_remind_open_idx"]
    assert "WHERE" in indexes["deadline_due_open_idx"] and "overdue_at IS NULL" in indexes["deadline_due_open_idx"]
    # and ~5000 deadlines of which only a few are open and unclaimed, as in a year of use
    calendar = default_calendar()
    ct = ContentType.objects.get_for_model(Department)
    now = timezone.now()
    rows = []
    for i in range(5000):
        is_open = i % 100 == 0
        rows.append(Deadline(
            content_type=ct, object_id=i, stage="history", calendar=calendar, title=f"#{i}", started_at=now,
            allowed_minutes=60, state=Deadline.State.RUNNING if is_open else Deadline.State.MET,
            remind_at=now - dt.timedelta(minutes=i), due_at=now - dt.timedelta(minutes=i // 2),
            reminded_at=None if is_open else now, overdue_at=None if is_open else now, completed_at=None,
        ))
    Deadline.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Deadline._meta.db_table}")
    # when the planner is asked for the sweep's two queries, as the sweep sends them
    remind_plan = sla.due_reminders(now=now).values_list("pk", flat=True)[:500].explain()
    overdue_plan = sla.due_overdue(now=now).values_list("pk", flat=True)[:500].explain()
    # then each one reads its partial index, not the table
    assert "deadline_remind_open_idx" in remind_plan, remind_plan
    assert "deadline_due_open_idx" in overdue_plan, overdue_plan
