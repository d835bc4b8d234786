"""PERF-1: what `manage.py bench` measures of after-sales (declared; the core derives the rest).

From each entry the core measures the list page and endpoint with the default query, every filter of
its FilterSet (type, severity, state, department, cause, score, overdue, ...), the searches, an old
date range and a deep page; the record page and endpoint; the CSV and Excel exports; as a quality
user and as the busiest business user (qsm.bench.runner)."""
from __future__ import annotations

from django.db.models import Q

from qsm.bench import BenchList


def lists() -> list[BenchList]:
    from .models import Case, Visit
    from .selectors import case_list
    from .visit_selectors import visit_list

    return [
        BenchList(
            name="cases", model=Case, rows=lambda user: case_list(user=user),
            page="aftersales:case-list", api="api-case-list", export="aftersales:case-export",
            record_page="aftersales:case-detail", record_api="api-case-detail",
            number_of=lambda case: case.number, customer_of=lambda case: case.customer,
            open_q=Q(status__in=Case.OPEN_STATES), throughput=True,
        ),
        BenchList(
            name="visits", model=Visit, rows=lambda user: visit_list(user=user),
            page="aftersales:visit-list", api="api-visit-list", export="aftersales:visit-export",
            record_page="aftersales:visit-detail", record_api="api-visit-detail",
            number_of=lambda visit: visit.number, customer_of=lambda visit: visit.customer,
            open_q=Q(status__in=Visit.OPEN_STATES),
            # The reasons' choices are filled in when the FilterSet is made; a score is a typed choice
            # (not a ChoiceFilter the core reads values from).
            filter_values={"reason": "case_resolved", "satisfaction": 2},
        ),
    ]
