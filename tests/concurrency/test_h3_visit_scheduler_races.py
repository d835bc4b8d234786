"""VIS-1 / REL-1: two schedulers at once on two connections plan one visit per queue row."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from aftersales.models import Visit
from aftersales.services.scheduler import visits_schedule
from qsm.followup.models import FollowUp
from qsm.followup.services import follow_up_request
from tests.factories import CustomerFactory

from .race import at_once, while_held


def _queue(department, n: int) -> list[FollowUp]:
    past = timezone.now() - dt.timedelta(hours=1)
    return [follow_up_request(c, "case_resolved", past, customer=c, department=department)
            for c in (CustomerFactory() for _n in range(n))]


@pytest.mark.spec("VIS-1")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_plan_one_visit_per_row(staff_user, business_department):
    rows = _queue(business_department, 12)
    first, second = at_once(lambda: visits_schedule(batch=4), lambda: visits_schedule(batch=4))
    assert first.ok and second.ok, (first.error, second.error)
    assert first.value["planned"] + second.value["planned"] == 12
    per_row = Counter(Visit.objects.values_list("follow_up_id", flat=True))
    assert set(per_row) == {r.pk for r in rows} and set(per_row.values()) == {1}
    assert not FollowUp.objects.filter(consumed_at__isnull=True).exists()


@pytest.mark.spec("VIS-1")
@pytest.mark.django_db(transaction=True)
def test_a_sweep_while_another_holds_its_claims_skips_them(staff_user, business_department):
    rows = _queue(business_department, 6)

    def holder():  # a sweep whose batch has claimed and planned 3 rows, not committed yet
        from aftersales.services import scheduler

        plan = scheduler._Plan(rules=scheduler._active_rules())
        with transaction.atomic():
            return scheduler._batch(plan, now=timezone.now(), batch=3)

    held, contender = while_held(holder, lambda: visits_schedule(batch=10))
    assert held.value == (3, 3)
    assert contender.ok, contender.error
    assert contender.value["planned"] == 3  # the three rows the holder had not claimed
    assert sorted(Visit.objects.values_list("follow_up_id", flat=True)) == sorted(r.pk for r in rows)
