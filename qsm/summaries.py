"""What a customer may read about one of their records (VIS-1): "what was done", shown on a public
page behind a customer link (a follow-up survey), never the internal record.

The module that owns the record type says what that is, in its ``AppConfig.ready``::

    summaries.register(Order, order_customer_summary)

A provider returns a ``CustomerSummary``: a title and a few (label, value) lines, in the reader's
language. Only facts the customer already knows or was told: numbers, products, dates, the
subject and the solution; never internal notes, owners' names or prices. The core imports no
domain app: a record type nobody registered has no summary (``None``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass(frozen=True)
class CustomerSummary:
    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (label, value), both translated


SummaryProvider = Callable[[Any], CustomerSummary]

_providers: dict[type[models.Model], SummaryProvider] = {}


def register(model: type[models.Model], provider: SummaryProvider) -> None:
    _providers[model] = provider


def customer_summary(record) -> CustomerSummary | None:
    """The customer-facing summary of ``record``, or None when its module declares none."""
    if record is None:
        return None
    provider = _providers.get(type(record)._meta.concrete_model)
    return provider(record) if provider is not None else None
