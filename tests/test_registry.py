"""INBOX-1: "my work" puts what is due first, whatever zone each module's deadline is in."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from orders.models import Order
from qsm import registry
from qsm.registry import InboxItem
from qsm.sla.calendar import default_calendar
from tests.builders.orders import order_in

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _item(number: str, due_at: dt.datetime | None) -> InboxItem:
    return InboxItem(module="test", number=number, title=number, status_label="", url=f"/{number}/", due_at=due_at,
                     waiting_for="")


@pytest.fixture
def provider():
    """Register one extra inbox provider for a test, and take it away afterwards."""
    items: list[InboxItem] = []

    def inbox(user):
        return list(items)

    registry.register_inbox(inbox)
    yield items
    registry._inbox_providers.remove(inbox)


@pytest.mark.spec("INBOX-1")
def test_deadlines_in_different_zones_sort_by_the_moment_they_fall(provider, staff_user):
    # given deadlines written in Shanghai time, in UTC and one without a deadline
    provider.extend([
        _item("none", None),
        _item("utc-0900", dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)),  # 17:00 in Shanghai
        _item("sh-1200", dt.datetime(2026, 3, 2, 12, 0, tzinfo=SHANGHAI)),  # 04:00 UTC
        _item("sh-1000", dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)),  # 02:00 UTC
        _item("utc-0300", dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)),  # 11:00 in Shanghai
    ])

    # when "my work" lists them
    numbers = [i.number for i in registry.inbox_items(staff_user) if i.module == "test"]

    # then the earliest moment comes first (a wall-clock sort would put 09:00 UTC before 12:00 Shanghai)
    assert numbers == ["sh-1000", "utc-0300", "sh-1200", "utc-0900", "none"]


@pytest.mark.spec("INBOX-1")
def test_a_naive_due_time_is_read_in_the_project_zone(provider, staff_user):
    provider.extend([
        _item("naive-1100", dt.datetime(2026, 3, 2, 11, 0)),  # Shanghai wall clock: 03:00 UTC
        _item("utc-0230", dt.datetime(2026, 3, 2, 2, 30, tzinfo=dt.UTC)),
        _item("utc-0330", dt.datetime(2026, 3, 2, 3, 30, tzinfo=dt.UTC)),
    ])

    numbers = [i.number for i in registry.inbox_items(staff_user) if i.module == "test"]

    assert numbers == ["utc-0230", "naive-1100", "utc-0330"]


@pytest.mark.spec("INBOX-1", "ORD-2")
def test_an_order_is_due_when_work_ends_on_its_promised_date(sales_user, customer):
    # given a working calendar whose day ends at 17:30, and an approved order with a promised date
    calendar = default_calendar()
    calendar.work_end = dt.time(17, 30)
    calendar.save(update_fields=["work_end"])
    order = order_in(Order.Status.APPROVED, actor=sales_user, customer=customer, promised_in_days=10)

    # when its owner looks at "my work"
    [item] = [i for i in registry.inbox_items(sales_user) if i.number == order.number]

    # then it is due at the end of the working day of the promised date, in Shanghai time
    assert item.due_at == dt.datetime.combine(order.promised_date, dt.time(17, 30), SHANGHAI)
