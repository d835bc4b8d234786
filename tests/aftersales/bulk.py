"""Many cases at once for the query-count tests (SEARCH-1, PERF-1): rows written directly, each with
its own customer, and all the relations a row shows (cause, order, owner, department) filled."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aftersales.models import Case
from tests.aftersales.cases_support import a_cause
from tests.factories import CustomerFactory


def bulk_cases(n: int, *, owner, order=None, start: int = 0) -> list[Case]:
    cause = a_cause()
    base = timezone.now() - dt.timedelta(hours=1)
    rows = []
    for i in range(start, start + n):
        status = ("new", "in_progress", "waiting_customer", "resolved")[i % 4]
        rows.append(Case(
            number=f"AS-T{i:06d}", channel="phone", case_type="product_quality", severity="normal",
            customer=CustomerFactory(name=f"客户{i}"), subject=f"问题 {i}", description="设备故障", status=status,
            department=owner.department, owner=owner, cause=cause, order=order, received_at=base - dt.timedelta(minutes=i),
            due_at=base + dt.timedelta(hours=i % 5 - 2) if status != "resolved" else None,
            reopen_count=i % 3,
        ))
    return Case.objects.bulk_create(rows)
