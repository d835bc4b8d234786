"""Buttons a later module adds to another module's record page, without that module importing it.

The visit, after-sales case and order pages offer "open a complaint from this ..." (CMP-1), which
the complaints module provides: it registers a provider for each model in its ``AppConfig.ready``;
the pages render ``{% record_actions record %}`` (``qsm_record_actions`` template library), which
asks every provider registered for the record's model. Like ``qsm.registry.register_record_section``
but for an action link (a GET to the other module's page, prefilled from the record) instead of a
table of rows.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordAction:
    """One link in a record page's action bar, leading to another module's page."""

    key: str  # a stable HTML id: "open-complaint"
    label: str  # translated
    url: str
    icon: str = "bi-box-arrow-up-right"  # a Bootstrap icon class
    style: str = "outline-danger"  # a Bootstrap button colour


# (record, user) -> the action for that record and user, or None (not allowed, not applicable).
RecordActionProvider = Callable[[Any, Any], "RecordAction | None"]

_providers: dict[str, list[RecordActionProvider]] = {}


def register_record_action(model: str, provider: RecordActionProvider) -> None:
    """``model``: the label of the record whose page gets the action (``"aftersales.visit"``).
    The provider decides from the record as the page loaded it and the user, without a query per
    call where it can (it runs on every render of the page)."""
    providers = _providers.setdefault(model.lower(), [])
    if provider not in providers:
        providers.append(provider)


def record_actions(record, user) -> list[RecordAction]:
    """The actions other modules add to ``record``'s page, in registration (app) order."""
    actions = []
    for provider in _providers.get(record._meta.label_lower, ()):
        found = provider(record, user)
        if found is not None:
            actions.append(found)
    return actions
