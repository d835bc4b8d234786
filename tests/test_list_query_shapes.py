"""PERF-1: the list paths that grew with the table at a million rows (issue 8's measurements) have
the query shape that keeps them flat: the page cursor is an index condition, several states need
no DISTINCT, and a day filter compares the column itself.

The plans are read with sequential scans switched off, because on a test database of a few rows
the planner would scan the table whatever the query; what matters is whether the cursor *can* be
an index condition at all (the old ``a < X OR (a = X AND id < Y)`` form never is).
"""
from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.filters import OrderFilter
from presales.filters import InquiryFilter
from presales.models import Inquiry
from qsm.views import _beyond, keyset_paginate
from tests.builders.inquiries import new_inquiry

pytestmark = [pytest.mark.django_db, pytest.mark.spec("PERF-1")]

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def test_the_page_cursor_is_one_row_comparison_the_index_serves(staff_user):
    when = timezone.now() - dt.timedelta(days=3)
    rows = [new_inquiry(actor=staff_user, received_at=when, subject=f"咨询 {n}") for n in range(5)]
    cursor_row = sorted(rows, key=lambda r: (r.received_at, r.pk))[2]
    page = Inquiry.objects.filter(_beyond(["received_at", "id"], [cursor_row.received_at, cursor_row.pk],
                                          greater=False)).order_by("-received_at", "-id")[:3]

    sql = str(page.query)
    assert '("presales_inquiry"."received_at", "presales_inquiry"."id") <' in sql
    plan = _plan(page)
    assert "Index Cond: (ROW(received_at, id) < ROW(" in plan, plan
    # the same rows as the lexicographic definition: equal times are ordered by id
    expected = [r.pk for r in sorted(rows, key=lambda r: (r.received_at, r.pk), reverse=True)
                if (r.received_at, r.pk) < (cursor_row.received_at, cursor_row.pk)]
    assert [r.pk for r in page] == expected[:3] and len(expected) == 2


def test_walking_the_pages_both_ways_sees_every_row_once(staff_user):
    base = timezone.now() - dt.timedelta(days=2)
    for n in range(7):  # pairs with the same time: the id decides
        new_inquiry(actor=staff_user, received_at=base + dt.timedelta(minutes=n // 2), subject=f"咨询 {n}")
    factory = RequestFactory()
    expected = list(Inquiry.objects.order_by("-received_at", "-id").values_list("pk", flat=True))
    seen, params, pages = [], {"per_page": "25"}, []
    while True:  # forward, 25 a page is the smallest size: every row is on the first page
        page = keyset_paginate(Inquiry.objects.all(), factory.get("/", params), keys=("received_at", "id"))
        pages.append(page)
        seen += [row.pk for row in page.rows]
        if page.next_cursor is None:
            break
        params = {"per_page": "25", "after": page.next_cursor}
    assert seen == expected
    # from a cursor in the middle of equal times, forward and back meet without a gap or a repeat
    middle = Inquiry.objects.get(pk=expected[3])
    from qsm.views import _encode

    cursor = _encode([middle.received_at, middle.pk])
    after = keyset_paginate(Inquiry.objects.all(), factory.get("/", {"after": cursor}), keys=("received_at", "id"))
    before = keyset_paginate(Inquiry.objects.all(), factory.get("/", {"before": cursor}), keys=("received_at", "id"))
    assert [r.pk for r in before.rows] + [middle.pk] + [r.pk for r in after.rows] == expected


@pytest.mark.parametrize("filterset, data", [
    (InquiryFilter, {"status": ["new", "handed_over"]}),
    (OrderFilter, {"status": ["review", "returned"]}),
])
def test_several_states_need_no_distinct(filterset, data, staff_user):
    new_inquiry(actor=staff_user)
    model = filterset._meta.model
    qs = filterset(data, queryset=model.objects.all()).qs
    sql = str(qs.query).upper()
    assert "DISTINCT" not in sql and sql.count('"STATUS" = ') == 2, sql


def test_a_day_filter_bounds_the_column_in_the_company_time_zone(staff_user):
    # 23:30 on 1 March in Shanghai is 15:30 UTC the same day; 00:10 on 2 March is 16:10 UTC on 1 March
    late = new_inquiry(actor=staff_user, received_at=dt.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI))
    next_day = new_inquiry(actor=staff_user, received_at=dt.datetime(2026, 3, 2, 0, 10, tzinfo=SHANGHAI))
    early = new_inquiry(actor=staff_user, received_at=dt.datetime(2026, 3, 1, 0, 0, tzinfo=SHANGHAI))
    before = new_inquiry(actor=staff_user, received_at=dt.datetime(2026, 2, 28, 23, 59, tzinfo=SHANGHAI))

    one_day = InquiryFilter({"received_from": "2026-03-01", "received_to": "2026-03-01"},
                            queryset=Inquiry.objects.all()).qs
    assert set(one_day) == {late, early}
    assert set(InquiryFilter({"received_from": "2026-03-02"}, queryset=Inquiry.objects.all()).qs) >= {next_day}
    assert before not in set(InquiryFilter({"received_from": "2026-03-01"}, queryset=Inquiry.objects.all()).qs)

    sql = str(one_day.query).upper()
    assert "AT TIME ZONE" not in sql and "::DATE" not in sql, sql
    with CaptureQueriesContext(connection):
        plan = _plan(one_day)
    assert "Index Cond: ((received_at >=" in plan and "received_at <" in plan, plan


def test_the_last_day_of_the_calendar_is_not_an_error(staff_user):
    new_inquiry(actor=staff_user)
    qs = InquiryFilter({"received_to": "9999-12-31"}, queryset=Inquiry.objects.all()).qs
    assert qs.count() == 1


@pytest.mark.django_db
@pytest.mark.spec("PERF-1")
def test_the_order_list_probes_the_follow_up_queue_per_row(quality_officer, sales_user):
    # The order list marks orders a visit waits for. Joined to the content types by name, the
    # EXISTS was planned as a hash of the whole waiting queue, built for every page (190 ms at
    # 300,000 orders): it is a fenced probe by the content type's id, served by the record index.
    from orders.selectors import order_list

    for user in (quality_officer, sales_user):
        sql = str(order_list(user=user)[:26].query)
        follow_up = sql[sql.index('FROM "followup_followup"'):]
        first_probe = follow_up[:follow_up.index(")")]
        assert "django_content_type" not in first_probe, first_probe
        assert '"consumed_at" IS NULL) LIMIT 1 OFFSET 0) AS "visit_due_now"' in sql, sql
