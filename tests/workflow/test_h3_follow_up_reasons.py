"""VIS-1: the scheduler claims only the rows it can plan; the others wait in the queue untouched."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from orders.models import Order
from qsm.followup.models import FollowUp
from qsm.followup.services import follow_up_claim_due, follow_up_request
from qsm.summaries import customer_summary
from tests.builders.orders import order_in, priced_product

S = Order.Status


@pytest.mark.spec("VIS-1")
def test_claiming_by_reason_leaves_other_reasons_waiting(sales_user, customer):
    orders = [order_in(S.DELIVERED, actor=sales_user, customer=customer, product=priced_product(f"R-{n}"))
              for n in range(3)]
    FollowUp.objects.all().delete()
    past = timezone.now() - dt.timedelta(days=1)
    follow_up_request(orders[0], "accepted", past)
    follow_up_request(orders[1], "unplanned_reason", past)
    follow_up_request(orders[2], "accepted", past)
    with transaction.atomic():
        claimed = follow_up_claim_due(now=timezone.now(), reasons=["accepted"])
        assert follow_up_claim_due(now=timezone.now(), reasons=[]) == []
    assert sorted(r.object_id for r in claimed) == sorted([orders[0].pk, orders[2].pk])
    waiting = FollowUp.objects.get(reason="unplanned_reason")
    assert waiting.consumed_at is None


@pytest.mark.spec("VIS-1")
def test_the_customer_summary_of_an_order_has_no_prices_or_people(sales_user, customer):
    order = order_in(S.ACCEPTED, actor=sales_user, customer=customer, installation=True,
                     product=priced_product("SUM-1", price="98765.43"))
    summary = customer_summary(order)
    text = summary.title + " ".join(f"{label} {value}" for label, value in summary.lines)
    assert order.number in text
    assert order.lines.first().product.name in text
    assert "98765" not in text and str(sales_user) not in text and sales_user.username not in text
    assert customer_summary(customer) is None  # a type no module described
