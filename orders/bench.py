"""PERF-1: what `manage.py bench` measures of orders (declared; the core derives the rest)."""
from __future__ import annotations

from django.db.models import Q

from qsm.bench import BenchList


def lists() -> list[BenchList]:
    from .models import Delivery, Installation, Order
    from .selectors import delivery_list, installation_list, order_list

    return [
        BenchList(
            name="orders", model=Order, rows=lambda user: order_list(user=user),
            page="orders:order-list", api="api-order-list", export="orders:order-export",
            record_page="orders:order-detail", record_api="api-order-detail",
            number_of=lambda order: order.number, customer_of=lambda order: order.customer,
            open_q=Q(status__in=Order.OPEN_STATES), throughput=True,
        ),
        # Deliveries and installations have no page of their own: they show on their order's.
        BenchList(
            name="deliveries", model=Delivery, rows=lambda user: delivery_list(user=user),
            page="orders:delivery-list", api="api-delivery-list", export="orders:delivery-export",
            record_api="api-delivery-detail",
            number_of=lambda delivery: delivery.order.number, customer_of=lambda delivery: delivery.order.customer,
            department_field="order__department", owner_field=None,
        ),
        BenchList(
            name="installations", model=Installation, rows=lambda user: installation_list(user=user),
            page="orders:installation-list", api="api-installation-list", export="orders:installation-export",
            record_api="api-installation-detail",
            number_of=lambda inst: inst.order.number, customer_of=lambda inst: inst.order.customer,
            department_field="order__department", owner_field=None,
        ),
    ]
