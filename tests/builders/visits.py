"""Many follow-up visits at once for list and query-count tests (bulk, without the scheduler)."""
from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from aftersales.models import Visit
from qsm.org.models import Customer
from tests.factories import CustomerFactory


def bulk_visits(n: int, *, department, owner=None, start: int = 0, **fields) -> list[Visit]:
    """``n`` planned visits of ``n`` customers (the subject is the customer: lists never read it)."""
    customers = [CustomerFactory() for _i in range(n)]
    ct = ContentType.objects.get_for_model(Customer)
    today = timezone.localdate()
    visits = [Visit(number=f"HF-T-{start + i:06d}", content_type=ct, object_id=c.pk, reason="case_resolved",
                    customer=c, department=department, owner=owner, planned_for=today - dt.timedelta(days=i % 30),
                    **fields) for i, c in enumerate(customers)]
    return Visit.objects.bulk_create(visits)
