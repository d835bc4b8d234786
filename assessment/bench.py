"""PERF-1: what `manage.py bench` measures of quality control: the lists of standards, inspections, findings,
rectification notices and training sessions (declared; the core derives the rest: the page and the endpoint
with the default query, every filter of the list's FilterSet, the searches, an old date range and a deep page;
the record page and endpoint; the CSV and Excel exports; as a quality user and as the busiest business user).

A list is declared once its page and endpoint exist (the URL names reverse) and its selector imports, so the
benchmark never measures a page that is not there. None declares ``open_q``: the quality-control lists do not
decide who the "busiest business user" of the other modules' measurements is.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import import_module

from django.urls import NoReverseMatch, reverse

from qsm.bench import BenchList


@dataclass(frozen=True)
class Declared:
    """One list: its URL names (as each concern's urls.py and api/urls.py name them) and its selector."""

    name: str
    model: str
    selector: str  # "module:function" taking ``user=``
    page: str
    api: str
    export: str | None = None
    record_page: str | None = None
    record_api: str | None = None
    visibility_differs: bool = True
    department_field: str | None = "department"
    extra: dict = field(default_factory=dict)


def _an_old_period() -> dict[str, str]:
    """A month three years back (the period filters take a date pair handled by a method)."""
    start = (dt.date.today().replace(day=1) - dt.timedelta(days=3 * 365)).replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return {"period_from": start.isoformat(), "period_to": end.isoformat()}


LISTS = [
    # Published standards are every signed-in user's to read: the business user sees the effective ones.
    # A standard has departments (many), not one: no department narrows the business user's sample.
    Declared("qc_standards", "Standard", "assessment.standards.selectors:standard_list",
             page="assessment:standard-list", api="api-standard-list", export="assessment:standard-export",
             record_page="assessment:standard-detail", record_api="api-standard-detail", department_field=None),
    # Inspections and findings are the quality department's (and the inspected department's managers'):
    # the busiest business user is a staff member who sees none, so they are measured as the quality user.
    Declared("qc_inspections", "Inspection", "assessment.inspections.selectors:inspection_list",
             page="assessment:inspection-list", api="api-qc-inspection-list", export="assessment:inspection-export",
             record_page="assessment:inspection-detail", record_api="api-qc-inspection-detail",
             visibility_differs=False),
    Declared("qc_findings", "Finding", "assessment.inspections.selectors:finding_list",
             page="assessment:finding-list", api="api-qc-finding-list", export="assessment:finding-export",
             record_page="assessment:finding-detail", record_api="api-qc-finding-detail", visibility_differs=False,
             department_field="inspection__department"),
    Declared("qc_notices", "Notice", "assessment.rectification.selectors:notice_list",
             page="assessment:notice-list", api="api-notice-list", export="assessment:notice-export",
             record_page="assessment:notice-detail", record_api="api-notice-detail"),
    Declared("qc_training_sessions", "TrainingSession", "assessment.training.selectors:session_list",
             page="assessment:training-session-list", api="api-training-session-list",
             export="assessment:training-session-export", record_page="assessment:training-session-detail",
             record_api="api-training-session-detail"),
]


def _exists(name: str | None, *args) -> bool:
    if name is None:
        return True
    try:
        reverse(name, args=args)
    except NoReverseMatch:
        return False
    return True


def _selector(spec: str):
    module, _sep, function = spec.partition(":")
    try:
        return getattr(import_module(module), function)
    except (ImportError, AttributeError):
        return None


def urls_of(entry: Declared) -> dict | None:
    """The URL names that exist; None when the list page or endpoint is not there yet."""
    if not (_exists(entry.page) and _exists(entry.api)):
        return None
    return {
        "page": entry.page, "api": entry.api,
        "export": entry.export if entry.export and _exists(entry.export) else None,
        "record_page": entry.record_page if entry.record_page and _exists(entry.record_page, 1) else None,
        "record_api": entry.record_api if entry.record_api and _exists(entry.record_api, 1) else None,
    }


def _number(row) -> str | None:
    number = getattr(row, "number", None)
    if number is None and hasattr(row, "inspection"):
        number = row.inspection.number  # a finding: its inspection's number
    return number


def lists() -> list[BenchList]:
    from django.apps import apps

    found: list[BenchList] = []
    for entry in LISTS:
        urls = urls_of(entry)
        selector = _selector(entry.selector)
        if urls is None or selector is None:
            continue
        filter_values = _an_old_period() if entry.name in ("qc_inspections", "qc_findings") else {}
        found.append(BenchList(
            name=entry.name, model=apps.get_model("assessment", entry.model),
            rows=lambda user, selector=selector: selector(user=user), **urls, number_of=_number, customer_of=None,
            visibility_differs=entry.visibility_differs, department_field=entry.department_field or "",
            owner_field=None, filter_values=filter_values, **entry.extra,
        ))
    return found
