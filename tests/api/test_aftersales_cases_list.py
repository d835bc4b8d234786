"""SEARCH-1 / PERF-1 on the case endpoint: keyset pages, the same queries at 10 and 100 rows, never a
COUNT, exports with the list's filters and scope."""
from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.models import Case
from tests.aftersales.bulk import bulk_cases
from tests.builders.exports import xlsx_export

pytestmark = pytest.mark.django_db
BASE = "/api/aftersales/cases/"


@pytest.fixture
def many(staff_user, customer):
    from tests.builders.orders import order_in

    order = order_in("delivered", actor=staff_user, customer=customer)
    return bulk_cases(120, owner=staff_user, order=order)


# Measured: the user with department and groups (the session from the cache), the page (one query
# with its joins). The available actions per row ask nothing of the database.
LIST_QUERIES = 2


@pytest.mark.spec("SEARCH-1", "PERF-1", "API-1")
@pytest.mark.parametrize("page_size", [10, 100])
def test_the_list_costs_the_same_queries_at_any_page_size(api, staff_user, many, django_assert_num_queries,
                                                          page_size):
    client = api(staff_user)
    client.get(f"{BASE}?page_size=1")  # warm the session and content-type caches
    with django_assert_num_queries(LIST_QUERIES):
        r = client.get(f"{BASE}?page_size={page_size}")
    assert len(r.data["results"]) == page_size
    assert all(row["available_actions"] is not None for row in r.data["results"])
    with django_assert_num_queries(LIST_QUERIES):  # a later page costs the same
        r = client.get(r.data["next"])
    assert len(r.data["results"]) == min(page_size, len(many) - page_size)


@pytest.mark.spec("SEARCH-1", "API-1")
def test_the_cursor_walks_every_page_once_in_order(api, staff_user, many):
    client = api(staff_user)
    seen, url = [], f"{BASE}?page_size=25"
    while url:
        r = client.get(url)
        assert r.status_code == 200 and "count" not in r.data
        seen += [row["id"] for row in r.data["results"]]
        url = r.data["next"]
    assert seen == list(Case.objects.order_by("-received_at", "-id").values_list("id", flat=True))


@pytest.mark.spec("SEARCH-1", "PERF-1")
def test_the_list_never_counts_rows(api, staff_user, quality_officer, many):
    for user in (staff_user, quality_officer):
        client = api(user)
        for query in ("", "?page_size=100", "?status=new&overdue=true", "?q=问题", "?reopened=true"):
            with CaptureQueriesContext(connection) as ctx:
                r = client.get(f"{BASE}{query}")
            assert r.status_code == 200
            assert not [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.spec("SEARCH-1", "API-1")
def test_exports_hold_the_filtered_rows_in_the_users_scope(api, staff_user, other_department_staff, many):
    r = api(staff_user).get(f"{BASE}export/?format=csv&status=new")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert len(rows) - 1 == Case.objects.filter(status="new").count() == 30
    r = api(other_department_staff).get(f"{BASE}export/?format=csv")
    assert len(list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))) == 1
    book = xlsx_export(api(staff_user), f"{BASE}export/", {"status": "resolved"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet.max_row - 1 == 30
