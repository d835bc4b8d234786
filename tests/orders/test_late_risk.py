"""ORD-2 late risk is the order's ``delivery`` clock: a clock on the promised date (a date agreed
with the customer) that the engine starts, moves and stops, and the one SLA sweep reminds ("at
risk", ORDER_RISK_LEAD_DAYS working days before) and escalates ("late", past the promised date),
each level once (SLA-2). A late order shows as late in lists and on the customer page.

March 2026 has no public holiday: Monday 2 March is a plain working Monday.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from orders import services
from orders.filters import OrderFilter
from orders.models import Order
from orders.selectors import order_list
from qsm import registry
from qsm.notify.models import Notification
from qsm.org.models import Role
from qsm.sla import services as sla
from qsm.sla.models import Deadline
from tests.builders.orders import order_in, priced_product
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

S = Order.Status
SHANGHAI = ZoneInfo("Asia/Shanghai")
KINDS = ["order_at_risk", "order_late"]


def sh(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def order_promised(*, actor, customer, promised: dt.date | None, product=None) -> Order:
    product = product or priced_product()
    return services.order_create(actor=actor, customer=customer, promised_date=promised,
                                 lines=[{"product": product, "quantity": "2", "unit_price": product.list_price}])


def _risk_notices(order: Order, kind: str | None = None) -> Counter:
    """Late-risk notifications about ``order``, per recipient username."""
    qs = Notification.objects.filter(kind__in=[kind] if kind else KINDS, url=order.get_absolute_url())
    return Counter(qs.values_list("recipient__username", flat=True))


def _delivery(order: Order) -> Deadline:
    return Deadline.objects.get(object_id=order.pk, content_type__model="order", stage="delivery")


@pytest.mark.spec("ORD-2", "SLA-2")
def test_at_risk_then_late_each_said_once_by_the_sweep(
        sales_user, sales_manager, quality_officer, customer, settings, time_machine):
    # given an order received on Monday 2 March, promised for Friday 13 March, lead time 3 working days
    settings.ORDER_RISK_LEAD_DAYS = 3
    time_machine.move_to(sh(2026, 3, 2, 9, 30), tick=False)
    order = order_in(S.IN_PRODUCTION,
                     order=order_promised(actor=sales_user, customer=customer, promised=dt.date(2026, 3, 13)),
                     actor=sales_user)

    # then its delivery clock runs to the end of the working day of the promised date, and reminds
    # at the start of the third working day before (Thu 12, Wed 11, Tue 10)
    deadline = _delivery(order)
    assert (deadline.source, deadline.state, deadline.due_date) == ("date", "running", dt.date(2026, 3, 13))
    assert (deadline.remind_at, deadline.due_at) == (sh(2026, 3, 10, 9, 0), sh(2026, 3, 13, 18, 0))
    assert order.due_at == deadline.due_at  # the review is done: the promised date is what is due

    # when the sweep runs the evening before the reminder, then nothing is flagged yet
    time_machine.move_to(sh(2026, 3, 9, 17, 59), tick=False)
    sla.deadlines_sweep()
    order.refresh_from_db()
    assert order.risk_flagged_at is None and not _risk_notices(order)
    assert not OrderFilter({"at_risk": True}, queryset=order_list(user=sales_user)).qs.exists()

    # when it runs at the reminder's moment
    time_machine.move_to(sh(2026, 3, 10, 9, 0), tick=False)
    sla.deadlines_sweep()
    # then the order is flagged before its date passes and its owner is told once that it is at risk
    order.refresh_from_db()
    assert order.risk_flagged_at == sh(2026, 3, 10, 9, 0)
    assert _risk_notices(order) == Counter({sales_user.username: 1})
    assert _risk_notices(order, "order_at_risk") == Counter({sales_user.username: 1})
    assert list(OrderFilter({"at_risk": True}, queryset=order_list(user=sales_user)).qs) == [order]

    # when the sweep runs again that day, then nothing more is sent
    time_machine.move_to(sh(2026, 3, 10, 15, 0), tick=False)
    assert sla.deadlines_sweep() == {"reminded": 0, "overdue": 0}

    # when the promised day's working time ends without delivery
    time_machine.move_to(sh(2026, 3, 13, 18, 0), tick=False)
    sla.deadlines_sweep()
    # then the owner, the department's manager and the quality department hear once that it is late
    assert _risk_notices(order, "order_late") == Counter(
        {sales_user.username: 1, sales_manager.username: 1, quality_officer.username: 1})
    late_notice = Notification.objects.get(kind="order_late", recipient=sales_user)
    assert order.number in late_notice.title and "2026-03-13 18:00" in late_notice.title

    # and the sweeps of the following days add nothing
    for day in (14, 16, 20):
        time_machine.move_to(sh(2026, 3, day, 10, 0), tick=False)
        sla.deadlines_sweep()
    assert _risk_notices(order) == Counter(
        {sales_user.username: 2, sales_manager.username: 1, quality_officer.username: 1})
    order.refresh_from_db()
    assert order.risk_flagged_at == sh(2026, 3, 10, 9, 0)


@pytest.mark.spec("ORD-2")
def test_lead_time_is_configurable_in_working_days(sales_user, customer, settings, time_machine):
    time_machine.move_to(sh(2026, 3, 2, 9, 30), tick=False)
    settings.ORDER_RISK_LEAD_DAYS = 2
    two = order_promised(actor=sales_user, customer=customer, promised=dt.date(2026, 3, 13))
    settings.ORDER_RISK_LEAD_DAYS = 5  # five working days before Friday 13: back over the weekend
    five = order_promised(actor=sales_user, customer=customer, promised=dt.date(2026, 3, 13))

    assert _delivery(two).remind_at == sh(2026, 3, 11, 9, 0)
    assert _delivery(five).remind_at == sh(2026, 3, 6, 9, 0)
    time_machine.move_to(sh(2026, 3, 6, 9, 0), tick=False)
    sla.deadlines_sweep()
    assert Order.objects.get(pk=five.pk).risk_flagged_at is not None
    assert Order.objects.get(pk=two.pk).risk_flagged_at is None


@pytest.mark.spec("ORD-2")
@pytest.mark.parametrize(("state", "outcome"), [(S.DELIVERED, "met"), (S.CANCELLED, "cancelled")])
def test_delivered_or_cancelled_order_is_never_flagged(sales_user, sales_manager, customer, time_machine, state,
                                                       outcome):
    # given an order promised for Tuesday that is delivered (or cancelled) on Monday
    time_machine.move_to(sh(2026, 3, 2, 9, 30), tick=False)
    order = order_in(state, order=order_promised(actor=sales_user, customer=customer, promised=dt.date(2026, 3, 3)),
                     actor=sales_user, manager=sales_manager)
    before = Notification.objects.filter(kind__in=KINDS).count()

    # then its delivery clock stopped (met on time, or cancelled)
    assert _delivery(order).state == outcome

    # when the sweep runs before, on and long after the promised date
    for moment in (sh(2026, 3, 2, 18, 0), sh(2026, 3, 3, 18, 0), sh(2026, 4, 2, 9, 0)):
        time_machine.move_to(moment, tick=False)
        sla.deadlines_sweep()

    # then it is never flagged, nobody is told, and it is not late
    order.refresh_from_db()
    assert order.risk_flagged_at is None
    assert Notification.objects.filter(kind__in=KINDS).count() == before == 0
    assert not order.is_late(timezone.localdate())
    assert not OrderFilter({"late": True}, queryset=order_list(user=sales_user)).qs.exists()


@pytest.mark.spec("ORD-2", "ORG-2", "SEARCH-1")
def test_late_order_shows_as_late_in_the_list_filter_and_on_the_customer_page(
        sales_user, sales_manager, customer, time_machine):
    # given an order promised for last Friday that is still being delivered, and one on time
    time_machine.move_to(sh(2026, 3, 9, 9, 30), tick=False)
    late = order_in(S.DELIVERING,
                    order=order_promised(actor=sales_user, customer=customer, promised=dt.date(2026, 3, 6)),
                    actor=sales_user)
    on_time = order_promised(actor=sales_user, customer=customer, promised=dt.date(2026, 4, 30))

    # when the sweep first sees it (after the promised date)
    assert sla.deadlines_sweep()["overdue"] == 1

    # then the notice says it is late, not merely at risk
    assert set(Notification.objects.filter(kind__in=KINDS).values_list("kind", flat=True)) == {"order_late"}
    assert _risk_notices(late) == Counter({sales_user.username: 1, sales_manager.username: 1})
    assert Order.objects.get(pk=late.pk).risk_flagged_at == sh(2026, 3, 9, 9, 30)
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
    services.delivery_confirm(delivery=late.deliveries.get(), actor=sales_user, quality_note="无误")
    line = late.lines.get()
    rest = services.delivery_ship(order=late, actor=sales_user, quantities={line.pk: line.outstanding})
    services.delivery_confirm(delivery=rest, actor=sales_user, quality_note="无误")

    # then it is no longer late anywhere, and its delivery clock says it was completed late
    assert not OrderFilter({"late": True}, queryset=order_list(user=sales_user)).qs.exists()
    rows = {row["cells"][0]: row["cells"] for section in registry.customer_history(customer, sales_user)
            for row in section.rows}
    assert rows[late.number][-1] == ""
    assert _delivery(late).state == Deadline.State.LATE
    assert Order.objects.get(pk=late.pk).due_at is None


@pytest.mark.spec("ORD-2", "SLA-1")
def test_changing_the_promised_date_moves_the_running_clock(sales_user, customer, settings, time_machine):
    # given an order in review promised for Wednesday 4 March, already flagged at risk
    settings.ORDER_RISK_LEAD_DAYS = 3
    time_machine.move_to(sh(2026, 3, 2, 9, 30), tick=False)
    order = order_promised(actor=sales_user, customer=customer, promised=dt.date(2026, 3, 4))
    sla.deadlines_sweep()
    order.refresh_from_db()
    assert order.risk_flagged_at is not None and _risk_notices(order) == Counter({sales_user.username: 1})
    deadline = _delivery(order)

    # when the customer agrees to a later date (an amendment, through the service)
    services.order_update(order=order, actor=sales_user, data={"promised_date": dt.date(2026, 3, 31)},
                          comment="客户同意延期")

    # then the same clock runs to the new date, its reminder is ahead again and the flag is gone
    deadline.refresh_from_db()
    assert (deadline.state, deadline.due_date, deadline.due_at) == ("running", dt.date(2026, 3, 31),
                                                                    sh(2026, 3, 31, 18, 0))
    assert deadline.remind_at == sh(2026, 3, 26, 9, 0) and deadline.reminded_at is None
    order.refresh_from_db()
    assert order.risk_flagged_at is None
    assert order.due_at == min(deadline.due_at, sla.deadline_for(record=order, stage="review").due_at)
    assert Deadline.objects.filter(object_id=order.pk, content_type__model="order", stage="delivery").count() == 1

    # when the date is cleared, the clock is cancelled; when it is set again, a new one starts
    services.order_update(order=order, actor=sales_user, data={"promised_date": None})
    assert sla.deadline_for(record=order, stage="delivery") is None
    services.order_update(order=order, actor=sales_user, data={"promised_date": dt.date(2026, 4, 1)})
    assert sla.deadline_for(record=order, stage="delivery").due_at == sh(2026, 4, 1, 18, 0)


def _sweep_in_threads(n: int = 2) -> list[dict]:
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            results.append(sla.deadlines_sweep())
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
def test_two_sweeps_at_once_flag_each_order_exactly_once(time_machine):
    # given twenty orders at risk on Monday 2 March (owners without e-mail: this counts notification rows)
    time_machine.move_to(sh(2026, 3, 2, 10, 0), tick=False)
    department = DepartmentFactory(code="race-sales", name="Race sales")
    owners = [UserFactory(username=f"race-owner{i}", email="", department=department, roles=[Role.STAFF])
              for i in range(3)]
    UserFactory(username="race-boss", email="", department=department, roles=[Role.MANAGER])
    product = priced_product()
    customer = CustomerFactory()
    orders = [order_promised(actor=owners[i % 3], customer=customer, product=product,
                             promised=dt.date(2026, 3, 2 + i % 3)) for i in range(20)]

    # when two sweeps start at the same moment
    results = _sweep_in_threads(2)

    # then each order was flagged by exactly one of them, and each owner was told once per order
    assert sum(r["reminded"] for r in results) == 20 and sum(r["overdue"] for r in results) == 0
    assert not Order.objects.filter(risk_flagged_at__isnull=True).exists()
    for order in orders:
        assert _risk_notices(order) == Counter({order.owner.username: 1})
    # and a later sweep finds nothing left to do
    assert sla.deadlines_sweep() == {"reminded": 0, "overdue": 0}


@pytest.mark.spec("ORD-2", "SLA-2")
def test_the_migration_gives_existing_undelivered_orders_their_delivery_clock(
        sales_user, customer, settings, time_machine):
    import importlib

    from django.apps import apps as django_apps

    # given two orders from before the delivery clock existed: one the old sweep had flagged
    settings.ORDER_RISK_LEAD_DAYS = 3
    time_machine.move_to(sh(2026, 3, 2, 9, 30), tick=False)
    flagged = order_promised(actor=sales_user, customer=customer, promised=dt.date(2026, 3, 4))
    fresh = order_promised(actor=sales_user, customer=customer, promised=dt.date(2026, 3, 31))
    delivered = order_in(S.DELIVERED,
                         order=order_promised(actor=sales_user, customer=customer, promised=dt.date(2026, 3, 31)),
                         actor=sales_user)
    Deadline.objects.filter(stage="delivery").delete()
    Order.objects.filter(pk=flagged.pk).update(risk_flagged_at=sh(2026, 3, 2, 9, 0))

    # when the data migration runs
    importlib.import_module("orders.migrations.0006_delivery_clocks").forwards(django_apps, None)

    # then each undelivered order has the clock the engine would have started (Saturday 28 February
    # 2026 is a make-up workday: the third working day before Wednesday 4 March)
    for order, remind in ((flagged, sh(2026, 2, 28, 9, 0)), (fresh, sh(2026, 3, 26, 9, 0))):
        d = _delivery(order)
        assert (d.state, d.source, d.due_at, d.remind_at) == ("running", "date",
                                                              sh(*order.promised_date.timetuple()[:3], 18, 0), remind)
        assert (d.remind_at, d.due_at) == sla.date_moments(d.calendar, order.promised_date, 3)
        assert d.url == order.get_absolute_url()
    assert not Deadline.objects.filter(object_id=delivered.pk, stage="delivery").exists()
    # and the order the old sweep had flagged is not reminded again; the other one is, once, when due
    sla.deadlines_sweep()
    assert not _risk_notices(flagged)
    time_machine.move_to(sh(2026, 3, 26, 9, 0), tick=False)
    sla.deadlines_sweep()
    assert _risk_notices(fresh) == Counter({sales_user.username: 1})
