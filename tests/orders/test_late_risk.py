"""ORD-2 late risk: an undelivered order is flagged before its promised date passes, once, and its
owner and department managers are reminded once (SLA-2); a late order shows as late in lists and
on the customer page."""
from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from orders import services
from orders.filters import OrderFilter
from orders.models import Order
from orders.selectors import order_list
from orders.services import orders_flag_late_risk
from qsm import registry
from qsm.notify.models import Notification
from qsm.org.models import Role
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory
from tests.orders.builders import drive, new_order, priced_product

S = Order.Status
SHANGHAI_MORNING = dt.time(9, 30)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, SHANGHAI_MORNING))


def _risk_notices(order: Order) -> Counter:
    """Late-risk notifications about ``order``, per recipient username."""
    return Counter(Notification.objects.filter(kind__in=["order_at_risk", "order_late"], title__contains=order.number)
                   .values_list("recipient__username", flat=True))


@pytest.mark.spec("ORD-2", "SLA-2")
def test_order_is_flagged_once_when_its_promised_date_comes_within_the_lead_time(
        sales_user, sales_manager, customer, settings, time_machine):
    # given an order promised in 10 days and a lead time of 3 days
    settings.ORDER_RISK_LEAD_DAYS = 3
    start = timezone.localdate()
    time_machine.move_to(_at(start), tick=False)
    order = drive(new_order(actor=sales_user, customer=customer, promised_in_days=10), S.IN_PRODUCTION,
                  actor=sales_user)
    promised = order.promised_date

    # when the sweep runs 4 days before the promised date, then nothing is flagged yet
    time_machine.move_to(_at(promised - dt.timedelta(days=4)), tick=False)
    assert orders_flag_late_risk() == 0
    order.refresh_from_db()
    assert order.risk_flagged_at is None and not _risk_notices(order)

    # when it runs 3 days before
    flag_time = _at(promised - dt.timedelta(days=3))
    time_machine.move_to(flag_time, tick=False)
    assert orders_flag_late_risk() == 1

    # then the order is flagged (before the date passes) and the owner and the manager are told once each
    order.refresh_from_db()
    assert order.risk_flagged_at == flag_time
    assert _risk_notices(order) == Counter({sales_user.username: 1, sales_manager.username: 1})
    assert set(Notification.objects.filter(recipient=sales_user, kind__in=["order_at_risk", "order_late"])
               .values_list("kind", flat=True)) == {"order_at_risk"}
    assert list(OrderFilter({"at_risk": True}, queryset=order_list(user=sales_user)).qs) == [order]

    # when the sweep runs again, that day and on the following days, then nothing more is sent
    assert orders_flag_late_risk() == 0
    time_machine.move_to(_at(promised + dt.timedelta(days=2)), tick=False)
    assert orders_flag_late_risk() == 0
    order.refresh_from_db()
    assert order.risk_flagged_at == flag_time
    assert _risk_notices(order) == Counter({sales_user.username: 1, sales_manager.username: 1})


@pytest.mark.spec("ORD-2")
def test_lead_time_is_configurable(sales_user, customer, settings):
    order = new_order(actor=sales_user, customer=customer, promised_in_days=7)

    settings.ORDER_RISK_LEAD_DAYS = 6
    assert orders_flag_late_risk() == 0
    settings.ORDER_RISK_LEAD_DAYS = 7
    assert orders_flag_late_risk() == 1

    order.refresh_from_db()
    assert order.risk_flagged_at is not None


@pytest.mark.spec("ORD-2")
@pytest.mark.parametrize("state", [S.DELIVERED, S.CANCELLED])
def test_delivered_or_cancelled_order_is_never_flagged(sales_user, sales_manager, customer, time_machine, state):
    # given an order promised tomorrow that is delivered (or cancelled) already
    time_machine.move_to(_at(timezone.localdate()), tick=False)
    order = drive(new_order(actor=sales_user, customer=customer, promised_in_days=1), state, actor=sales_user,
                  manager=sales_manager)
    before = Notification.objects.count()

    # when the sweep runs before, on and long after the promised date
    for days in (0, 1, 30):
        time_machine.move_to(_at(order.promised_date + dt.timedelta(days=days - 1)), tick=False)
        assert orders_flag_late_risk() == 0

    # then it is never flagged, nobody is told, and it is not late
    order.refresh_from_db()
    assert order.risk_flagged_at is None
    assert Notification.objects.count() == before
    assert not order.is_late(timezone.localdate())
    assert not OrderFilter({"late": True}, queryset=order_list(user=sales_user)).qs.exists()


@pytest.mark.spec("ORD-2", "ORG-2", "SEARCH-1")
def test_late_order_shows_as_late_in_the_list_filter_and_on_the_customer_page(
        sales_user, sales_manager, customer, time_machine):
    # given an order promised for yesterday that is still being delivered, and one on time
    time_machine.move_to(_at(timezone.localdate()), tick=False)
    late = drive(new_order(actor=sales_user, customer=customer, promised_in_days=-1), S.DELIVERING, actor=sales_user)
    on_time = new_order(actor=sales_user, customer=customer, promised_in_days=20)

    # when the sweep first sees it (after the promised date)
    assert orders_flag_late_risk() == 1

    # then the reminder says it is late, not merely at risk
    assert set(Notification.objects.filter(kind__in=["order_at_risk", "order_late"])
               .values_list("kind", flat=True)) == {"order_late"}
    assert _risk_notices(late) == Counter({sales_user.username: 1, sales_manager.username: 1})
    # and the list's "late" filter finds exactly it, its complement the other
    orders = order_list(user=sales_user)
    assert list(OrderFilter({"late": True}, queryset=orders).qs) == [late]
    assert list(OrderFilter({"late": False}, queryset=orders).qs) == [on_time]
    # and the customer page marks it late
    rows = {row["cells"][0]: row["cells"] for section in registry.customer_history(customer, sales_user)
            for row in section.rows}
    assert rows[late.number][-1] == gettext("late")
    assert rows[on_time.number][-1] == ""

    # when it is finally delivered (the first shipment received, the rest shipped and received)
    services.delivery_confirm(delivery=late.deliveries.get(), actor=sales_user)
    line = late.lines.get()
    rest = services.delivery_ship(order=late, actor=sales_user, quantities={line.pk: line.outstanding})
    services.delivery_confirm(delivery=rest, actor=sales_user)

    # then it is no longer late anywhere
    assert not OrderFilter({"late": True}, queryset=order_list(user=sales_user)).qs.exists()
    rows = {row["cells"][0]: row["cells"] for section in registry.customer_history(customer, sales_user)
            for row in section.rows}
    assert rows[late.number][-1] == ""


def _sweep_in_threads(n: int = 2) -> list[int]:
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            results.append(orders_flag_late_risk())
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection; leave none behind

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(results) == n
    return results


@pytest.mark.spec("ORD-2", "SLA-2")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_flag_each_order_exactly_once():
    # given twenty orders at risk (owners without e-mail: this counts notification rows) and a manager
    department = DepartmentFactory(code="race-sales", name="Race sales")
    owners = [UserFactory(username=f"race-owner{i}", email="", department=department, roles=[Role.STAFF])
              for i in range(3)]
    boss = UserFactory(username="race-boss", email="", department=department, roles=[Role.MANAGER])
    product = priced_product()
    customer = CustomerFactory()
    orders = [new_order(actor=owners[i % 3], customer=customer, product=product, promised_in_days=i % 3)
              for i in range(20)]

    # when two sweeps start at the same moment
    results = _sweep_in_threads(2)

    # then each order was flagged by exactly one of them, and each reminder went out once
    assert sum(results) == 20
    assert not Order.objects.filter(risk_flagged_at__isnull=True).exists()
    for order in orders:
        assert _risk_notices(order) == Counter({order.owner.username: 1, boss.username: 1})
    # and a later sweep finds nothing left to do
    assert orders_flag_late_risk() == 0
