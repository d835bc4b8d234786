"""Orders, deliveries and installations driven to any state of their lifecycles through the services.

Every step is the service call a user's click makes; the review is decided by a second person
(four-eyes, ORG-1). Options only change the data entered on the way (quantities, texts), never
the path, so every state of the lifecycle tables is reachable:

- ``order_in(state, actor=..., customer=...)``: review, returned, approved, in_production, delivering,
  delivered, installing, accepted, cancelled (``order=`` continues an existing order from review).
- ``delivery_in(state, actor=..., order=...)``: shipped, delivered, rejected.
- ``installation_in(state, actor=..., engineer=...)``: scheduled, on_site, commissioned, rework, accepted.
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
D = Delivery.Status
I = Installation.Status  # noqa: E741

REVIEW_ITEMS = ["customer", "items", "prices", "delivery_date", "installation"]
CHECKLIST = [{"item": "空载运行 2 小时", "ok": True}, {"item": "安全回路测试", "ok": True}]
MEASUREMENTS = [{"name": "定位精度", "value": "0.008", "unit": "mm"}]
COMMISSIONING = {"site_work": "安装调平、接电", "checklist": CHECKLIST, "measurements": MEASUREMENTS}
REJECTION = {"result": "rejected", "remarks": "噪音偏大", "feedback": "希望尽快处理"}
ACCEPTANCE = {"result": "accepted", "signatory": "陈工"}
WITH_REMARKS = {"result": "remarks", "remarks": "噪音偏大", "feedback": "希望尽快处理"}
RETURN_FOR = {"fail": ("prices", "单价低于允许范围"), "problems": "1. 单价过低"}


def priced_product(code: str = "VMC-850", price: str = "100000.00"):
    return ProductFactory(code=code, name=f"立式加工中心 {code}", list_price=Decimal(price))


def all_pass(order: Order, **overrides) -> dict:
    """Every review checklist item of ``order`` passed, with ``overrides`` (item=(result, note))."""
    items = REVIEW_ITEMS if order.installation_required else REVIEW_ITEMS[:-1]
    return {**{item: ("pass", "") for item in items}, **overrides}


def pass_all(order: Order, actor, **overrides):
    """``actor`` records the review findings: every item passed unless overridden."""
    return services.review_record_findings(order=order, actor=actor, findings=all_pass(order, **overrides))


def reviewer_for(order: Order):
    """A second person of the order's department: four-eyes (ORG-1) keeps the author from
    deciding the review, so the builders have someone else approve or return it."""
    return UserFactory(username=f"reviewer-{order.department.code}", display_name="复核人", email="",
                       department=order.department, roles=[Role.STAFF])


def new_order(*, actor, customer, product=None, quantity="2", unit_price=None, lines=1,
              installation: bool = False, promised_in_days: int | None = 30, reference: str = "",
              site_contact: str = "陈工 13800001111") -> Order:
    """A fresh order in review, entered by ``actor``: ``lines`` lines of ``quantity`` × ``product`` at
    ``unit_price`` (default: the list price), or ``lines`` given as (product, quantity, unit_price) tuples."""
    if isinstance(lines, int):
        product = product or priced_product()
        price = unit_price if unit_price is not None else product.list_price
        rows = [{"product": product, "quantity": quantity, "unit_price": price} for _n in range(lines)]
    else:
        assert product is None and unit_price is None, "give the lines or one product, not both"
        # A line needs a price (issue 7): None means the product's list price, or 1 000 without one.
        rows = [{"product": p, "quantity": str(q),
                 "unit_price": str(price if price is not None else p.list_price or Decimal("1000.00"))}
                for p, q, price in lines]
    return services.order_create(
        actor=actor, customer=customer, lines=rows,
        promised_date=None if promised_in_days is None else timezone.localdate() + dt.timedelta(days=promised_in_days),
        installation_required=installation, site_address="苏州工业园区星湖街 1 号" if installation else "",
        site_contact=site_contact if installation else "", customer_reference=reference)


def conversion_body(inquiry, **overrides) -> dict:
    """What the user saves on the pre-filled conversion form (PRE-4): the draft's lines (one unit of each
    product at list price), a PO and a promised date 30 days out, no installation; ``overrides`` win."""
    from orders.selectors import order_draft_from_inquiry

    draft = order_draft_from_inquiry(inquiry)
    # A product without a list price gets the price the customer's order states (here: 1 000).
    lines = [{**line, "unit_price": line["unit_price"] if line["unit_price"] is not None else Decimal("1000.00")}
             for line in draft["lines"]]
    if not lines:  # an inquiry that named no product: the customer's order does
        lines = [{"product": ProductFactory(code="SV-CONV", name="按订单约定的服务"), "quantity": Decimal(1),
                  "unit_price": Decimal("1000.00")}]
    body = {"lines": lines, "customer_reference": f"PO-{inquiry.number}",
            "promised_date": timezone.localdate() + dt.timedelta(days=30), "installation_required": False,
            "site_contact": draft["site_contact"], "needs": draft["needs"]}
    return {**body, **overrides}


def convert_inquiry(inquiry, *, actor, **overrides) -> Order:
    """Convert an acknowledged inquiry the way the conversion form does (``conversion_body``)."""
    return services.order_create_from_inquiry(inquiry=inquiry, actor=actor, **conversion_body(inquiry, **overrides))


def order_in(state: str, *, actor, order: Order | None = None, customer=None, entered_by=None, approver=None,
             manager=None,
             engineer=None, ready_for: str = "", return_for: dict = RETURN_FOR, carrier: str = "",
             commissioning: dict = COMMISSIONING, acceptance: dict = ACCEPTANCE, **new_order_options) -> Order:
    """An order (``order``, in review, or a new one of ``customer``) moved to ``state`` the way users
    would: ``actor`` (or ``entered_by``) enters it, ``actor`` works it, ``approver`` (another person, by default a colleague of
    the department) decides the review, ``manager`` (default ``actor``) cancels, ``engineer``
    (default ``actor``) installs.

    In review, ``ready_for="approve"`` records every checklist item passed and ``ready_for="return"``
    a failed one, so that the guard lets that action through.
    """
    if order is None:
        order = new_order(actor=entered_by or actor, customer=customer, **new_order_options)
    else:
        assert not new_order_options, new_order_options
    fail_item, fail_note = return_for["fail"]
    if state == S.REVIEW:
        if ready_for == "approve":
            pass_all(order, actor)
        elif ready_for == "return":
            pass_all(order, actor, **{fail_item: ("fail", fail_note)})
        else:
            assert not ready_for, ready_for
        return order
    if state == S.CANCELLED:
        return services.order_cancel(order=order, actor=manager or actor, comment="客户撤单")
    approver = approver or reviewer_for(order)
    if state == S.RETURNED:
        pass_all(order, actor, **{fail_item: ("fail", fail_note)})
        return services.order_return(order=order, actor=approver, problems=return_for["problems"])
    pass_all(order, actor)
    services.order_approve(order=order, actor=approver)
    if state == S.APPROVED:
        return _fresh(order)
    services.order_start_production(order=order, actor=actor)
    if state == S.IN_PRODUCTION:
        return _fresh(order)
    lines = list(order.lines.order_by("pk"))
    if state == S.DELIVERING:  # one of the first line shipped
        services.delivery_ship(order=order, actor=actor, quantities={lines[0].pk: "1"}, carrier=carrier)
        return _fresh(order)
    # every outstanding quantity shipped at once and confirmed
    delivery = services.delivery_ship(order=order, actor=actor, carrier=carrier, quantities={
        line.pk: line.quantity - line.delivered_quantity for line in lines})
    services.delivery_confirm(delivery=delivery, actor=actor, quality_note="数量、外观无误")
    if state == S.DELIVERED:
        return _fresh(order)
    installation = installation_in(I.SCHEDULED, actor=actor, engineer=engineer, order=_fresh(order))
    if state == S.INSTALLING:
        return _fresh(order)
    assert state == S.ACCEPTED, state
    installation_in(I.ACCEPTED, actor=actor, engineer=engineer, installation=installation,
                    commissioning=commissioning, acceptance=acceptance)
    return _fresh(order)


def delivery_in(state: str, *, actor, order: Order | None = None, quantity="1", carrier: str = "",
                **order_in_options) -> Delivery:
    """One shipment of ``quantity`` of the order's single line (``order`` approved or later, or a new
    order brought in production), left shipped, confirmed (delivered) or rejected at receipt."""
    if order is None:
        order = order_in(S.IN_PRODUCTION, actor=actor, **order_in_options)
    line = order.lines.get()
    delivery = services.delivery_ship(order=order, actor=actor, quantities={line.pk: quantity}, carrier=carrier)
    if state == D.DELIVERED:
        services.delivery_confirm(delivery=delivery, actor=actor, quality_note="无误")
    elif state == D.REJECTED:
        services.delivery_reject(delivery=delivery, actor=actor, comment="包装破损")
    else:
        assert state == D.SHIPPED, state
    return _fresh(delivery)


def installation_in(state: str, *, actor, engineer=None, order: Order | None = None,
                    installation: Installation | None = None, commissioning: dict = COMMISSIONING,
                    rejection: dict = REJECTION, acceptance: dict = ACCEPTANCE,
                    **order_in_options) -> Installation:
    """The installation of ``order`` (delivered; a new delivered order with installation when not
    given), or ``installation`` (scheduled) continued, moved to ``state``: ``actor`` schedules it
    with ``engineer`` (default ``actor``), who works it on site and records the customer's verdict."""
    engineer = _installer(engineer or actor)
    if installation is None:
        if order is None:
            order = order_in(S.DELIVERED, actor=actor, engineer=engineer,
                             **{"installation": True, **order_in_options})
        installation = services.installation_schedule(order=order, actor=actor, scheduled_for=timezone.localdate(),
                                                      engineers=[engineer])
    if state == I.SCHEDULED:
        return installation
    services.installation_start(installation=installation, actor=engineer)
    if state == I.ON_SITE:
        return _fresh(installation)
    services.installation_commission(installation=installation, actor=engineer, **commissioning)
    if state == I.COMMISSIONED:
        return _fresh(installation)
    if state == I.REWORK:
        services.acceptance_record(installation=installation, actor=engineer, **rejection)
        return _fresh(installation)
    assert state == I.ACCEPTED, state
    services.acceptance_record(installation=installation, actor=engineer, **acceptance)
    return _fresh(installation)


def _installer(user):
    """Only people who install may be named engineer (ORD-3, ``orders.rules.engineer_q``): a builder
    naming someone else (the order's own staff, by default) gives them the installation engineer role."""
    from django.contrib.auth.models import Group

    from orders.rules import can_be_engineer

    if not can_be_engineer(user):
        user.groups.add(Group.objects.get_or_create(name=Role.INSTALLATION_ENGINEER)[0])
        user._role_names = None  # the cached role names are stale
    return user


def _fresh(record):
    return type(record).objects.get(pk=record.pk)


def conversion_json(record, **overrides) -> dict:
    """``conversion_body`` as the API's JSON body (``POST /api/orders/orders/from-inquiry/``)."""
    body = conversion_body(record)
    data = {"inquiry": record.pk, "customer_reference": body["customer_reference"],
            "promised_date": body["promised_date"].isoformat(), "installation_required": False,
            "needs": body["needs"], "site_contact": body["site_contact"],
            "lines": [{"product": line["product"].pk, "quantity": str(line["quantity"]),
                       "unit_price": str(line["unit_price"])} for line in body["lines"]]}
    return {**data, **overrides}
