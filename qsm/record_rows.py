"""ORG-2 / INBOX-1 / PERF-1: what a module needs to show its records on the core's pages (the customer page,
a record's related sections, "my work"), once per call and not once per row: record URLs reversed once,
the "All" link of a section, choice labels translated once, a moment as the local day."""
from __future__ import annotations

from collections.abc import Callable

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode


def record_url_of(viewname: str) -> Callable[[int], str]:
    """``pk -> URL`` of a record page, reversed once (``qsm.inbox.url_of``); an empty URL while the page is
    not installed."""
    try:
        from qsm.inbox import url_of

        return url_of(viewname)
    except NoReverseMatch:
        return lambda pk: ""


def list_url(viewname: str, **params) -> str | None:
    """The module's list filtered by ``params`` (a section's "All" link); None without a list page."""
    try:
        return reverse(viewname) + "?" + urlencode(params)
    except NoReverseMatch:
        return None


def labels(choices) -> dict[str, str]:
    """value -> translated label, translated once per call."""
    return {value: str(label) for value, label in choices}


def local_day(value) -> str:
    """A date or a moment as the local ISO day ("" for none)."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value).date()
    return value.isoformat()
