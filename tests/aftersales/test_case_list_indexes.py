"""SEARCH-1 / PERF-1: every filter and the sort of the case list are served by an index.

Two checks: each filter's column (or condition) leads an index of the case table, in the list's
order; and the page query of each filter, planned with sequential scans off, reads the case
table through an index (a filter no index can serve would still scan it).
"""
from __future__ import annotations

import pytest
from django.db import connection
from django.http import QueryDict

from aftersales.filters import CaseFilter
from aftersales.models import Case
from aftersales.selectors import case_list
from tests.aftersales.cases_support import a_cause, new_case

pytestmark = [pytest.mark.django_db, pytest.mark.spec("SEARCH-1", "PERF-1")]

# filter -> the index that serves it (aftersales.models.Case.Meta.indexes)
SERVED_BY = {
    "": "case_received_idx",
    "status": "case_status_received_idx",
    "case_type": "case_type_received_idx",
    "severity": "case_severity_received_idx",
    "channel": "case_channel_received_idx",
    "department": "case_dept_received_idx",
    "owner": "case_owner_received_idx",
    "customer": "case_customer_received_idx",
    "cause": "case_cause_received_idx",
    "order": "case_order_idx",
    "product": "case_product_received_idx",
    "overdue": "case_open_due_idx",
    "reopened": "case_reopened_received_idx",
    "is_complex": "case_complex_received_idx",
    "q": "case_search_grams",
}


def test_every_filter_has_its_index_in_the_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [Case._meta.db_table])
        present = {row[0] for row in cursor.fetchall()}
    assert set(SERVED_BY.values()) <= present, set(SERVED_BY.values()) - present
    # and every filter of the list is in the table above
    assert set(CaseFilter.base_filters) - {"received_from", "received_to"} <= set(SERVED_BY), \
        set(CaseFilter.base_filters) - set(SERVED_BY)


@pytest.mark.parametrize("query", [
    "", "status=new", "case_type=service", "severity=urgent", "channel=email", "department={dept}",
    "owner={owner}", "customer={customer}", "cause={cause}", "product={product}", "overdue=true",
    "reopened=true", "is_complex=true", "received_from=2026-01-01&received_to=2026-12-31", "q=异响",
])
def test_the_page_of_each_filter_reads_the_case_table_through_an_index(staff_user, customer, product, query):
    case = new_case(actor=staff_user, customer=customer, product=product)
    query = query.format(dept=staff_user.department_id, owner=staff_user.pk, customer=customer.pk,
                         cause=a_cause().pk, product=product.pk)
    filterset = CaseFilter(data=QueryDict(query), queryset=case_list(user=staff_user))
    assert filterset.is_valid(), filterset.errors
    page = filterset.qs[:26]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = page.explain()
    assert f"Seq Scan on {Case._meta.db_table}" not in plan, plan
    assert case.pk  # the table is not empty
