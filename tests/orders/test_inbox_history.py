"""Orders in "my work" (INBOX-1) and on the customer page (ORG-2)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from orders import services
from qsm import registry
from tests.factories import ProductFactory


@pytest.mark.spec("INBOX-1", "ORG-2", "ORD-1")
def test_orders_wait_on_their_department_and_show_on_the_customer_page(sales_user, sales_manager, staff_user,
                                                                       customer):
    product = ProductFactory(list_price=Decimal("10.00"))
    order = services.order_create(actor=sales_user, customer=customer, lines=[{"product": product, "quantity": 2,
                                                                                 "unit_price": "10"}],
                                  promised_date=timezone.localdate() - dt.timedelta(days=1))
    # the review waits on the receiving department, with its SLA deadline
    for user in (sales_user, sales_manager):
        [item] = [i for i in registry.inbox_items(user) if i.number == order.number]
        assert item.due_at == order.due_at
    assert all(i.number != order.number for i in registry.inbox_items(staff_user))
    # the customer page lists it, marked late (promised yesterday, not delivered)
    rows = [row for s in registry.customer_history(customer, sales_user) for row in s.rows]
    [row] = [r for r in rows if order.number in r["cells"]]
    assert row["url"] == order.get_absolute_url()
    assert row["cells"][-1] == gettext("late")
    on_time = services.order_create(actor=sales_user, customer=customer, lines=[{"product": product, "quantity": 1, "unit_price": "10"}],
                                    promised_date=timezone.localdate() + dt.timedelta(days=20))
    rows = [row for s in registry.customer_history(customer, sales_user) for row in s.rows]
    [row] = [r for r in rows if on_time.number in r["cells"]]
    assert row["cells"][-1] == ""
    assert [r for s in registry.customer_history(customer, staff_user) for r in s.rows if order.number in r["cells"]] == []
