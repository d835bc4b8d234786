"""SEARCH-1 / PERF-1 on the case list page: filters, Chinese search, cards at phone width, exports,
and a query count that does not grow with the rows."""
from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from aftersales.models import Case
from tests.aftersales.bulk import bulk_cases
from tests.aftersales.cases_support import case_in, new_case
from tests.builders.exports import xlsx_export

S = Case.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(staff_user, colleague, other_department_staff, customer):
    return {
        "noise": new_case(actor=staff_user, customer=customer, subject="主轴异响", severity="urgent"),
        "attitude": case_in(S.IN_PROGRESS, actor=staff_user, subject="服务人员态度差", case_type="service",
                           description="上门人员迟到且态度不好"),
        "resolved": case_in(S.RESOLVED, actor=colleague, customer=customer, subject="漏油", description="底座漏油"),
        "theirs": new_case(actor=other_department_staff, customer=customer, subject="工程部的单", description="工程部设备故障"),
    }


def _numbers(client, **params) -> set[str]:
    response = client.get(reverse("aftersales:case-list"), params)
    assert response.status_code == 200
    return {c.number for c in response.context["cases"]}


@pytest.mark.spec("SEARCH-1", "ORG-1")
def test_the_list_filters_and_searches_in_chinese(login, staff_user, colleague, customer, cases):
    client = login(staff_user)
    n = {k: v.number for k, v in cases.items()}
    assert _numbers(client) == {n["noise"], n["attitude"], n["resolved"]}  # not another department's
    assert _numbers(client, q="异响") == {n["noise"]}
    assert _numbers(client, q="态度") == {n["attitude"]}
    assert _numbers(client, status="resolved") == {n["resolved"]}
    assert _numbers(client, case_type="service") == {n["attitude"]}
    assert _numbers(client, severity="urgent") == {n["noise"]}
    assert _numbers(client, channel="email") == set()
    assert _numbers(client, channel="phone") == {n["noise"], n["attitude"], n["resolved"]}
    assert _numbers(client, owner=colleague.pk) == {n["resolved"]}
    assert _numbers(client, customer=customer.pk) == {n["noise"], n["resolved"]}
    assert _numbers(client, cause=cases["resolved"].cause.parent_id) == {n["resolved"]}
    html = client.get(reverse("aftersales:case-list")).content.decode()
    assert 'class="table table-hover align-middle mb-0 table-cards"' in html  # cards at phone width
    assert "/people/lookup/?field=owner" in html  # the owner filter is a type-ahead
    for name in ("q", "case_type", "severity", "channel", "department", "status", "cause", "received_from",
                 "received_to", "overdue", "reopened", "is_complex"):
        assert f'name="{name}"' in html, name


@pytest.mark.spec("SEARCH-1", "ORG-1")
def test_the_quality_department_sees_every_departments_cases(login, quality_officer, cases):
    assert cases["theirs"].number in _numbers(login(quality_officer))


def _list_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("aftersales:case-list"), {"per_page": 100})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["cases"])


@pytest.mark.spec("SEARCH-1", "PERF-1")
def test_list_query_count_does_not_grow_with_the_rows(login, staff_user, customer, django_assert_num_queries):
    from tests.builders.orders import order_in

    order = order_in("delivered", actor=staff_user, customer=customer)
    bulk_cases(10, owner=staff_user, order=order)
    client = login(staff_user)
    client.get(reverse("aftersales:case-list"))  # warm the session and content-type caches
    queries_at_10, rows = _list_queries(client)
    assert rows == 10
    bulk_cases(90, owner=staff_user, order=order, start=10)
    with django_assert_num_queries(queries_at_10):
        response = client.get(reverse("aftersales:case-list"), {"per_page": 100})
    assert len(response.context["cases"]) == 100
    print(f"case list page: {queries_at_10} queries at 10 rows and at 100 rows")


@pytest.mark.spec("SEARCH-1")
def test_csv_and_excel_exports_hold_the_filtered_rows(login, staff_user, cases):
    client = login(staff_user)
    response = client.get(reverse("aftersales:case-export"), {"q": "异响", "fmt": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [cases["noise"].number]
    book = load_workbook(io.BytesIO(xlsx_export(client, reverse("aftersales:case-export"),
                                                {"status": "resolved"}).content)).active
    assert [c.value for c in book["A"]][1:] == [cases["resolved"].number]


@pytest.mark.spec("SEARCH-1")
def test_export_links_carry_the_current_filters(login, staff_user, cases):
    html = login(staff_user).get(reverse("aftersales:case-list"), {"case_type": "service"}).content.decode()
    assert "case_type=service&amp;fmt=csv" in html and "case_type=service&amp;fmt=xlsx" in html
