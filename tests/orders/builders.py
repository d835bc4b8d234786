"""Orders (and their deliveries and installations) driven to a given state through the services.

Shared by the orders tests; every step is the real service call a user's click makes.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from orders import services
from orders.models import Delivery, Installation, Order
from qsm.org.models import Role
from tests.factories import ProductFactory, UserFactory

S = Order.Status
I = Installation.Status  # noqa: E741

CHECKLIST = [{"item": "空载运行 2 小时", "ok": True}, {"item": "安全回路测试", "ok": True}]
MEASUREMENTS = [{"name": "定位精度", "value": "0.008", "unit": "mm"}]


def priced_product(code: str = "VMC-850", price: str = "100000.00"):
    return ProductFactory(code=code, name=f"立式加工中心 {code}", list_price=Decimal(price))


def pass_all(order: Order, actor, **overrides):
    items = {"customer": ("pass", ""), "items": ("pass", ""), "prices": ("pass", ""), "delivery_date": ("pass", "")}
    if order.installation_required:
        items["installation"] = ("pass", "")
    items.update(overrides)
    return services.review_record_findings(order=order, actor=actor, findings=items)


def reviewer_for(order: Order):
    """A second person of the order's department: four-eyes (ORG-1) keeps the author from
    deciding the review, so the builders have someone else approve or return it."""
    return UserFactory(username=f"reviewer-{order.department.code}", display_name="复核人", email="",
                       department=order.department, roles=[Role.STAFF])


def new_order(*, actor, customer, product=None, quantity="2", unit_price=None, installation: bool = False,
              promised_in_days: int | None = 30) -> Order:
    product = product or priced_product()
    return services.order_create(
        actor=actor, customer=customer, lines=[{"product": product, "quantity": quantity,
                                                "unit_price": unit_price if unit_price is not None else product.list_price}],
        promised_date=None if promised_in_days is None else timezone.localdate() + dt.timedelta(days=promised_in_days),
        installation_required=installation, site_address="苏州工业园区星湖街 1 号" if installation else "",
        site_contact="陈工 13800001111" if installation else "")


def drive(order: Order, state: str, *, actor, approver=None, engineer=None, manager=None) -> Order:
    """Move ``order`` (fresh, in review) to ``state`` the way users would (a manager cancels;
    ``approver``, another person than the one who entered the order, approves it)."""
    if state == S.REVIEW:
        return order
    approver = approver or reviewer_for(order)
    if state == S.RETURNED:
        pass_all(order, actor, prices=("fail", "单价低于允许范围"))
        return services.order_return(order=order, actor=approver, problems="1. 单价过低")
    if state == S.CANCELLED:
        return services.order_cancel(order=order, actor=manager or actor, comment="客户撤单")
    pass_all(order, actor)
    services.order_approve(order=order, actor=approver)
    if state == S.APPROVED:
        return _fresh(order)
    services.order_start_production(order=order, actor=actor)
    if state == S.IN_PRODUCTION:
        return _fresh(order)
    line = order.lines.get()
    if state == S.DELIVERING:
        services.delivery_ship(order=order, actor=actor, quantities={line.pk: "1"})
        return _fresh(order)
    delivery = services.delivery_ship(order=order, actor=actor, quantities={line.pk: line.quantity})
    services.delivery_confirm(delivery=delivery, actor=actor, quality_note="数量、外观无误")
    if state == S.DELIVERED:
        return _fresh(order)
    installation = services.installation_schedule(order=order, actor=actor, scheduled_for=timezone.localdate(),
                                                  engineers=[engineer or actor])
    if state == S.INSTALLING:
        return _fresh(order)
    assert state == S.ACCEPTED, state
    drive_installation(installation, I.COMMISSIONED, actor=engineer or actor)
    services.acceptance_record(installation=installation, actor=engineer or actor, result="accepted",
                               signatory="陈工")
    return _fresh(order)


def drive_installation(installation: Installation, state: str, *, actor) -> Installation:
    """Move a scheduled installation to ``state``."""
    if state == I.SCHEDULED:
        return installation
    services.installation_start(installation=installation, actor=actor)
    if state == I.ON_SITE:
        return _fresh(installation)
    services.installation_commission(installation=installation, actor=actor, site_work="安装调平、接电",
                                     checklist=CHECKLIST, measurements=MEASUREMENTS)
    if state == I.COMMISSIONED:
        return _fresh(installation)
    result = "rejected" if state == I.REWORK else "remarks"
    services.acceptance_record(installation=installation, actor=actor, result=result, remarks="噪音偏大",
                               feedback="希望尽快处理")
    return _fresh(installation)


def shipped_delivery(order: Order, *, actor, quantity="1") -> Delivery:
    """An approved order with one shipment on its way."""
    line = order.lines.get()
    return services.delivery_ship(order=order, actor=actor, quantities={line.pk: quantity})


def _fresh(record):
    return type(record).objects.get(pk=record.pk)
