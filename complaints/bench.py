"""PERF-1: what `manage.py bench` measures of complaints: the complaint list, the measure list and the
preventive measure list (declared; the core derives the rest).

From each entry the core measures the list page and endpoint with the default query, every filter of
its FilterSet (state, severity, cause, responsible department, overdue, rounds, ...), the searches, an
old date range and a deep page; the record page and endpoint; the CSV and Excel exports; as a quality
user and as the busiest business user (qsm.bench.runner). A list is declared once its page and endpoint
exist (the URL names reverse), so that the benchmark never measures a page that is not there.
"""
from __future__ import annotations

from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from qsm.bench import BenchList

# URL names of the complaint list (and the measure list), as complaints/urls.py and api/urls.py name them.
COMPLAINTS = {"page": "complaints:complaint-list", "api": "api-complaint-list", "export": "complaints:complaint-export",
              "record_page": "complaints:complaint-detail", "record_api": "api-complaint-detail"}
MEASURES = {"page": "complaints:measure-list", "api": "api-complaint-measure-list", "export": "complaints:measure-export",
            "record_page": None, "record_api": "api-complaint-measure-detail"}
PREVENTIVE = {"page": "complaints:preventive-list", "api": "complaint-preventive-list",
              "export": "complaints:preventive-export", "record_page": None, "record_api": "complaint-preventive-detail"}


def _exists(name: str | None, *args) -> bool:
    if name is None:
        return True
    try:
        reverse(name, args=args)
    except NoReverseMatch:
        return False
    return True


def _declared(names: dict) -> dict | None:
    """The URL names that exist; None when the list page or endpoint is not there yet."""
    if not (_exists(names["page"]) and _exists(names["api"])):
        return None
    out = dict(names)
    for key in ("export",):
        out[key] = names[key] if _exists(names[key]) else None
    for key in ("record_page", "record_api"):
        out[key] = names[key] if names[key] and _exists(names[key], 1) else None
    return out


def lists() -> list[BenchList]:
    from .models import Complaint, Measure

    found: list[BenchList] = []
    complaints = _declared(COMPLAINTS)
    if complaints is not None:
        from .selectors.complaints import complaint_list

        found.append(BenchList(
            name="complaints", model=Complaint, rows=lambda user: complaint_list(user=user), **complaints,
            number_of=lambda complaint: complaint.number, customer_of=lambda complaint: complaint.customer,
            # "my work" of the busiest receiver: what is still being handled in the receiving department
            open_q=Q(status__in=Complaint.OPEN_STATES), department_field="receiving_department",
            owner_field="received_by",
        ))
    measures = _declared(MEASURES)
    if measures is not None:
        from .selectors.work import measure_list

        found.append(BenchList(
            name="complaint_measures", model=Measure, rows=lambda user: measure_list(user=user), **measures,
            number_of=lambda measure: measure.plan.complaint.number,
            customer_of=lambda measure: measure.plan.complaint.customer,
            open_q=Q(status=Measure.Status.OPEN), department_field="department", owner_field="owner",
        ))
    preventive = _declared(PREVENTIVE)
    if preventive is not None:
        from .models import PreventiveMeasure
        from .selectors.prevention import preventive_list

        found.append(BenchList(
            name="complaint_preventive", model=PreventiveMeasure, rows=lambda user: preventive_list(user=user),
            **preventive, number_of=lambda measure: measure.complaint.number,
            customer_of=lambda measure: measure.complaint.customer,
            open_q=Q(status=PreventiveMeasure.Status.OPEN), department_field="department", owner_field="owner",
        ))
    return found
