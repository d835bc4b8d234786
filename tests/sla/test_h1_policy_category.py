"""SLA-1: a policy may be specific to a category of record (an after-sales case's type), matched
like channel and priority: blank = any, the most specific active match wins, and one active policy
per record type, stage, channel, priority and category."""
from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from qsm.sla import services as sla
from qsm.sla.models import SlaPolicy

pytestmark = pytest.mark.django_db


def _policy(minutes, **match) -> SlaPolicy:
    return SlaPolicy.objects.create(name=f"p{minutes}", record_type="test.thing", stage="fix", working_minutes=minutes,
                                    **match)


@pytest.mark.spec("SLA-1", "AFS-2")
def test_the_most_specific_policy_wins_with_category_matched_like_priority():
    _policy(240)
    _policy(120, priority="urgent")
    _policy(200, category="product_quality")
    _policy(30, priority="urgent", category="product_quality")
    _policy(90, channel="phone")

    def minutes(**match):
        return sla.sla_policy_for(record_type="test.thing", stage="fix", **match).working_minutes

    assert minutes() == 240
    assert minutes(priority="urgent", category="service") == 120  # another category: the blank one applies
    assert minutes(priority="normal", category="product_quality") == 200
    assert minutes(priority="urgent", category="product_quality") == 30  # both match: the tightest declared
    assert minutes(channel="phone", priority="urgent", category="product_quality") == 30  # two exact beat one
    assert minutes(channel="phone", priority="low") == 90
    # a deactivated specific policy gives way to the next one
    SlaPolicy.objects.filter(working_minutes=30).update(is_active=False)
    assert minutes(priority="urgent", category="product_quality") == 120


@pytest.mark.spec("SLA-1")
def test_one_active_policy_per_category():
    _policy(30, priority="urgent", category="product_quality")
    _policy(60, priority="urgent", category="service")  # another category: allowed
    with pytest.raises(IntegrityError), transaction.atomic():
        _policy(45, priority="urgent", category="product_quality")
