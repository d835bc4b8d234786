"""PERF-1: the benchmark's declarations (``manage.py bench``, ``make bench``).

The core measures; each module declares what there is to measure, the way it declares its inbox
provider or its reference data: its AppConfig names a function ``bench = "presales.bench:lists"``
that returns :class:`BenchList` entries. From one entry the core derives every measurement of
that list (qsm.bench.runner): the page and the endpoint with the default query, each filter of
its FilterSet, the searches, an old date range and a deep page; the record page and endpoint;
the CSV and Excel exports; each as a quality-department user and as a business user. A filter a
module adds later is measured without touching the benchmark.

The core imports no domain app: the entries arrive through ``qsm.registry``'s declarations.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

__all__ = ["BenchList", "declared_lists"]


@dataclass(frozen=True)
class BenchList:
    """One list of a module, as the benchmark sees it. URL names are reversed by the core; the
    list's filters, keyset keys and API ordering are read from the views they name."""

    name: str  # short, used in measurement names: "inquiries"
    model: Any  # the list's table: its main query is the one that reads FROM this table
    rows: Callable[[Any], Any]  # user -> the list selector (visibility scope and the list's order)
    page: str | None = None  # URL name of the list page
    api: str | None = None  # URL name of the list endpoint
    export: str | None = None  # URL name of the export (CSV; ``?fmt=xlsx`` for Excel)
    record_page: str | None = None  # URL name of a record's page (takes ``pk``)
    record_api: str | None = None  # URL name of a record's endpoint (takes ``pk``)
    search_param: str | None = "q"  # the free-text search parameter, if the list has one
    number_of: Callable[[Any], str | None] | None = None  # row -> a number a user would search for
    customer_of: Callable[[Any], Any] | None = None  # row -> its customer (a name fragment to search)
    visibility_differs: bool = True  # False: everyone sees the same rows (measured once, as quality)
    # "my work" for the busiest user: the open records of this list, per department and owner.
    open_q: Q | None = None
    department_field: str = "department"
    owner_field: str | None = "owner"
    # Filter values the core cannot guess from the FilterSet (name -> query value).
    filter_values: dict[str, Any] = field(default_factory=dict)
    skip_filters: tuple[str, ...] = ()  # filters not measured (say why at the declaration)
    throughput: bool = False  # its page is also loaded under wrk, against gunicorn


def declared_lists() -> list[BenchList]:
    """Every installed app's lists, in INSTALLED_APPS order (the core first)."""
    from qsm.registry import _declared

    found: list[BenchList] = []
    for _label, provider in _declared("bench"):
        found.extend(provider())
    return found
