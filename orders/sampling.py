"""QC-2: the orders a spot check may sample (qsm.sampling): the orders a department registered in
the period (``created_at``: always set, unlike ``received_at`` which an order may lack)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qsm.sampling import Described, Population, register_population

from .models import Order


def _describe(order: Order) -> Described:
    title = order.customer.name
    if order.customer_reference:
        title = f"{title} · {order.customer_reference}"
    return Described(order.number, title, order.get_absolute_url())


def register() -> None:
    register_population(Population(code="orders", label=_("Orders"), model=Order, date_field="created_at",
                                   department_field="department", describe=_describe,
                                   select_related=("customer",)))
