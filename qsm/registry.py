"""Hooks through which domain apps contribute to core pages without the core importing them.

DESIGN.md: the core imports no domain app. Each app registers its providers in
``AppConfig.ready``; the inbox (INBOX-1) and the customer page (ORG-2) ask every provider, and a
record page asks the providers of its model for sections a later module adds to it (the order page
shows the after-sales cases and the follow-up visits of the order, which orders may not import).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class InboxItem:
    """One thing waiting on a user: shown on the "my work" page."""

    module: str  # translated module name, e.g. 售前咨询
    number: str
    title: str
    status_label: str
    url: str
    due_at: datetime | None
    waiting_for: str  # what the user is expected to do, translated
    module_code: str = ""  # the module's code, as registered with its provider (the API's InboxModule)


@dataclass(frozen=True)
class HistorySection:
    """One module's records for a customer, for the customer page (ORG-2)."""

    title: str
    columns: list[str]
    rows: list[dict[str, Any]]  # each: {"url": ..., "cells": [...]}
    more_url: str | None = None
    key: str = ""  # a stable name for the page (its HTML id): "aftersales-cases"


InboxProvider = Callable[[Any], Iterable[InboxItem]]
HistoryProvider = Callable[[Any, Any], HistorySection]
# (record, user) -> a section of that record's page, or None when there is nothing to show.
RecordSectionProvider = Callable[[Any, Any], "HistorySection | None"]

_inbox_providers: list[InboxProvider] = []
_inbox_modules: set[str] = set()
_history_providers: list[HistoryProvider] = []
_record_section_providers: dict[str, list[RecordSectionProvider]] = {}


def register_inbox(provider: InboxProvider, *, module: str = "") -> None:
    """``module``: the code of the module whose items the provider gives (``presales``); the API
    publishes the registered codes as the ``InboxModule`` enum."""
    if provider not in _inbox_providers:
        _inbox_providers.append(provider)
    if module:
        _inbox_modules.add(module)


def inbox_modules() -> list[str]:
    return sorted(_inbox_modules)


def register_customer_history(provider: HistoryProvider) -> None:
    if provider not in _history_providers:
        _history_providers.append(provider)


def inbox_items(user) -> list[InboxItem]:
    items: list[InboxItem] = []
    for provider in _inbox_providers:
        items.extend(provider(user))
    # Overdue first falls out of ordering by deadline; records without a deadline come last.
    items.sort(key=lambda i: (i.due_at is None, _instant(i.due_at)))
    return items


_NO_DEADLINE = datetime.max.replace(tzinfo=UTC)


def _instant(due_at: datetime | None) -> datetime:
    """The moment a deadline falls, in UTC, so 12:00 Shanghai sorts before 09:00 UTC.

    Stripping the zone instead would compare wall clocks of different zones. A provider that
    hands over a naive time means the project's zone (Django's own convention).
    """
    if due_at is None:
        return _NO_DEADLINE
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    return due_at.astimezone(UTC)


def customer_history(customer, user) -> list[HistorySection]:
    return [provider(customer, user) for provider in _history_providers]


def register_record_section(model: str, provider: RecordSectionProvider) -> None:
    """``model``: the label of the record whose page gets the section (``"orders.order"``). The
    provider is given the record as its page loaded it and the user, scopes what it lists to what the
    user may see (ORG-1) and reads it in a fixed number of queries whatever the number of rows
    (PERF-1); it returns None when it has nothing to show."""
    providers = _record_section_providers.setdefault(model.lower(), [])
    if provider not in providers:
        providers.append(provider)


def record_sections(record, user) -> list[HistorySection]:
    """The sections other modules add to ``record``'s page, in registration (app) order."""
    sections = []
    for provider in _record_section_providers.get(record._meta.label_lower, ()):
        section = provider(record, user)
        if section is not None:
            sections.append(section)
    return sections


# --- the order picked on an intake form -------------------------------------------------------------
# The intake forms of after-sales cases and complaints (qsm.web.intake_forms) let the user pick the
# order (and a delivery of it) in the order type-ahead. Orders are a domain app the core may not
# import: ``orders`` registers how a picked id is read, scoped to what the user may see.

OrderFinder = Callable[..., Any]  # (user=..., pk=...) -> the order with its deliveries and lines, or None
DeliveryOrderFinder = Callable[[int], "int | None"]  # delivery id -> its order's id, or None
_order_picker: dict[str, Callable] = {}


def register_order_picker(*, find_order: OrderFinder, order_of_delivery: DeliveryOrderFinder) -> None:
    _order_picker.update(find_order=find_order, order_of_delivery=order_of_delivery)


def picked_order(*, user, pk):
    """The order picked on an intake form if ``user`` may see it, else None (the form says so)."""
    find = _order_picker.get("find_order")
    return find(user=user, pk=pk) if find is not None else None


def order_of_delivery(pk: int) -> int | None:
    """The order of a delivery picked without its order (None when there is no such delivery)."""
    find = _order_picker.get("order_of_delivery")
    return find(pk) if find is not None else None


# --- reference data ------------------------------------------------------------------------------
# Rows every installation needs (role groups, the default calendar, each module's SLA policies).
# Each app declares its loader on its AppConfig: ``reference_data = "presales.reference:load"``,
# an idempotent function of an app registry. A flushed test database is reloaded from these
# declarations, so a new module's policies cannot silently be missing from the tests.


def _declared(attribute: str, apps=None) -> list[tuple[str, Callable]]:
    """(app label, function) for every installed app whose AppConfig names one in ``attribute``
    ("module:function"), in INSTALLED_APPS order: the dependency order, the core first."""
    from importlib import import_module

    from django.apps import apps as global_apps

    found = []
    for config in (apps or global_apps).get_app_configs():
        declared = getattr(config, attribute, None)
        if declared:
            module, _sep, name = declared.partition(":")
            found.append((config.label, getattr(import_module(module), name)))
    return found


def reference_data_loaders(apps=None) -> list[tuple[str, Callable[[Any], None]]]:
    """(app label, loader) of every installed app that declares reference data."""
    return _declared("reference_data", apps)


def load_reference_data(apps=None) -> None:
    from django.apps import apps as global_apps

    registry = apps or global_apps
    for _label, load in reference_data_loaders(registry):
        load(registry)


# --- demo data (DATA-1) ------------------------------------------------------------------------
# Each app builds its own demo records: ``demo_data = "presales.demo:build"`` on its AppConfig, a
# function of one shared qsm.demo.DemoContext. `manage.py load_demo_data` runs them in order.


def demo_builders() -> list[tuple[str, Callable[[Any], None]]]:
    return _declared("demo_data")
