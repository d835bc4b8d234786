"""DATA-1, after-sales: the demo year is drawn from the seed alone (the same seed lays out the same
cases and visits), and in every state the issue asks for, before any of it runs."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from aftersales.models import Case, RoutingRule
from qsm.demo import DemoContext
from qsm.registry import demo_builders

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 6, 30, tzinfo=dt.UTC)


def _laid_out(seed: int) -> dict:
    """Build every app's plans (nothing runs) and describe the after-sales ones; then roll back."""
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        ctx = DemoContext(seed=seed, small=True)
        for _label, build in demo_builders():
            build(ctx)
        plans = ctx.outputs["aftersales"]
        described = {
            "cases": [(cp.final, cp.case_type, cp.severity, cp.customer.name, cp.texts["subject"], cp.is_complex,
                       cp.reopened, [t for t, _step in cp.steps]) for cp in plans["cases"]],
            "visits": [(vp.reason, vp.fate, vp.score, vp.planned_for, vp.recheck, vp.ip, [t for t, _s in vp.steps])
                       for vp in plans["visits"]],
            "rules": RoutingRule.objects.count(),
        }
        transaction.set_rollback(True)
    return described


@pytest.mark.spec("DATA-1")
def test_the_same_seed_lays_out_the_same_after_sales_year():
    first, again, other = _laid_out(7), _laid_out(7), _laid_out(8)

    assert first == again
    assert first["cases"] != other["cases"]
    # every state, complex and reopened cases, and the visit fates the issue asks for, all in the past
    assert {c[0] for c in first["cases"]} == set(Case.Status.values)
    assert any(c[5] for c in first["cases"]) and any(c[6] for c in first["cases"])
    fates = {v[1] for v in first["visits"]}
    assert {"phone", "link", "failed_link", "cancelled"} <= fates and fates & {"open", "link_waiting"}
    assert any(v[1] in ("open", "link_waiting") and v[3] >= NOW.date() for v in first["visits"])  # due soon
    assert {v[4] for v in first["visits"]} >= {"confirmed", "discrepancy"}
    assert {1, 2} <= {v[2] for v in first["visits"] if v[1] in ("phone", "link", "failed_link")}
    moments = [t for c in first["cases"] for t in c[7]] + [t for v in first["visits"] for t in v[6]]
    assert moments and max(moments) < NOW
    assert first["rules"] >= 5
    assert timezone.now() > NOW  # the clock is back
