"""Issue 6 §4: late, at risk and review-overdue have one definition each (orders.models /
orders.selectors), and the order page, the order list page, the list filters and the API agree
for orders in several states."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from qsm.sla import services as sla
from qsm.workflow import engine
from tests.api import test_orders_support as support
from tests.api.test_orders_support import ORDERS, order_url

pytestmark = pytest.mark.django_db

world = support.world


@pytest.fixture
def states(world, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    orders = {"review": world.order_in("review"), "late": world.order_in("in_production"),
              "at_risk": world.order_in("approved"), "accepted": world.order_in("accepted"),
              "delivering": world.order_in("delivering"), "review_late": world.order_in("review")}
    today = timezone.localdate()
    Order.objects.filter(pk__in=[orders["late"].pk, orders["review_late"].pk]).update(
        promised_date=today - dt.timedelta(days=2))
    Order.objects.filter(pk=orders["at_risk"].pk).update(promised_date=today + dt.timedelta(days=1))
    for order in orders.values():  # the delivery clocks follow the dates written behind the services' back
        engine.clock_dates_refresh(order)
    sla.deadlines_sweep()
    return orders


def _page_flags(client: Client, order: Order) -> tuple[bool, bool]:
    ctx = client.get(reverse("orders:order-detail", args=[order.pk])).context
    return ctx["late"], ctx["at_risk"]


def _list_page_flags(client: Client) -> dict[int, tuple[bool, bool]]:
    response = client.get(reverse("orders:order-list"), {"per_page": 100})
    return {o.pk: (o.late, o.at_risk) for o in response.context["orders"]}


def _filter_ids(client: Client, **params) -> set[int]:
    return {o.pk for o in client.get(reverse("orders:order-list"), params).context["orders"]}


@pytest.mark.spec("ORD-2", "API-1", "SEARCH-1")
def test_page_list_filters_and_api_agree_on_late_at_risk_and_overdue(world, api, states, time_machine):
    page, rest = Client(), api(world.staff)
    page.force_login(world.staff)

    def check(expected_overdue: set[str]):
        api_rows = {row["id"]: row for row in rest.get(ORDERS, {"page_size": 100}).data["results"]}
        listed = _list_page_flags(page)
        for name, order in states.items():
            fresh = Order.objects.get(pk=order.pk)
            expected = (fresh.is_late(timezone.localdate()), fresh.is_at_risk)
            detail = rest.get(order_url(order.pk)).data
            assert _page_flags(page, order) == expected, name
            assert listed[order.pk] == expected, name
            assert (api_rows[order.pk]["is_late"], api_rows[order.pk]["at_risk"]) == expected, name
            assert (detail["is_late"], detail["at_risk"]) == expected, name
            assert api_rows[order.pk]["is_overdue"] is (name in expected_overdue), name
        by_name = {o.pk: n for n, o in states.items()}
        assert {by_name[pk] for pk in _filter_ids(page, late="true") if pk in by_name} == {
            n for n, o in states.items() if api_rows[o.pk]["is_late"]}
        assert {by_name[pk] for pk in _filter_ids(page, at_risk="true") if pk in by_name} == {
            n for n, o in states.items() if api_rows[o.pk]["at_risk"]}
        assert {by_name[pk] for pk in _filter_ids(page, overdue="true") if pk in by_name} == expected_overdue

    # the states differ: late and flagged, flagged only, neither
    assert _page_flags(page, states["late"]) == (True, True)
    assert _page_flags(page, states["at_risk"]) == (False, True)
    assert _page_flags(page, states["accepted"]) == (False, False)
    # in review past its promised date: late, and its due_at is the delivery clock's, but the review
    # itself is not overdue (the API used to say it was, from due_at)
    assert Order.objects.get(pk=states["review_late"].pk).due_at < timezone.now()
    check(expected_overdue=set())
    # The review clock runs out; the order in review is now overdue on the page's filter and in the API,
    # although its due_at (the earliest running clock) says nothing about which clock it was.
    review_due = Order.objects.get(pk=states["review"].pk).due_at
    time_machine.move_to(review_due + dt.timedelta(days=1), tick=False)
    check(expected_overdue={"review", "review_late"})
