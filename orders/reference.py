"""Reference data of orders: its SLA policies (ORD-1), declared on OrdersConfig.

First written by orders/migrations/0004 (kept as history); a new policy goes into a data
migration that calls ``load(apps)`` and into POLICIES below.
"""
from __future__ import annotations

from qsm.sla.reference import Policy, ensure_policies

POLICIES = [
    Policy("订单审核", "orders.order", "review", 480),
]


def load(apps) -> None:
    ensure_policies(apps, POLICIES)
