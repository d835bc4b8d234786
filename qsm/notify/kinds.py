"""The kinds of notification (``Notification.kind``), registered by the module that sends them.

A module declares each kind it passes to ``notify()`` with the name a person reads::

    register_kind("order_approved", gettext_lazy("Order approved"))

The admin shows the name instead of the code (ADMIN-1) and the API publishes the codes as the
``NotificationKind`` enum (API-2).
"""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

_kinds: dict[str, Any] = {}


def register_kind(code: str, label) -> None:
    _kinds[code] = label


def kinds() -> dict[str, Any]:
    """Every registered kind: code -> lazy label."""
    return dict(_kinds)


def kind_label(code: str) -> str:
    label = _kinds.get(code)
    return str(label) if label is not None else code


# The deadline reminders of the SLA clocks (qsm.workflow.clocks' defaults).
register_kind("sla_reminder", _("Deadline reminder"))
register_kind("sla_overdue", _("Deadline overdue"))
