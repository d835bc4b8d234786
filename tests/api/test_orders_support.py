"""Helpers of the order API tests (no tests here): records brought to a state by the real
services, the people of the role table, and a snapshot of everything a refused call must leave
untouched."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from orders import services
from orders.models import (
    AcceptanceRound,
    Delivery,
    Installation,
    Order,
    OrderLine,
    ReviewFinding,
    ReviewRound,
)
from qsm.notify.models import Notification
from qsm.org.models import Role
from qsm.workflow.models import Attachment, Event
from tests.factories import ProductFactory, UserFactory

ORDERS = "/api/orders/orders/"
DELIVERIES = "/api/orders/deliveries/"
INSTALLATIONS = "/api/orders/installations/"

ORDER_STATES = ["review", "returned", "approved", "in_production", "delivering", "delivered", "installing",
                "accepted", "cancelled"]
DELIVERY_STATES = ["shipped", "delivered", "rejected"]
INSTALLATION_STATES = ["scheduled", "on_site", "commissioned", "rework", "accepted"]
CHECKLIST = ["customer", "items", "prices", "delivery_date", "installation"]
COMMISSIONING = {"site_work": "安装调平、接电", "checklist": [{"item": "空载运行 2 小时", "ok": True}],
                 "measurements": [{"name": "定位精度", "value": "0.008", "unit": "mm"}]}


def order_url(order_or_pk, action: str = "") -> str:
    pk = getattr(order_or_pk, "pk", order_or_pk)
    return f"{ORDERS}{pk}/" + (f"{action}/" if action else "")


def delivery_url(delivery_or_pk, action: str = "") -> str:
    pk = getattr(delivery_or_pk, "pk", delivery_or_pk)
    return f"{DELIVERIES}{pk}/" + (f"{action}/" if action else "")


def installation_url(installation_or_pk, action: str = "") -> str:
    pk = getattr(installation_or_pk, "pk", installation_or_pk)
    return f"{INSTALLATIONS}{pk}/" + (f"{action}/" if action else "")


def all_pass(order: Order) -> dict:
    items = CHECKLIST if order.installation_required else CHECKLIST[:-1]
    return {item: ("pass", "") for item in items}


@dataclass
class World:
    """The people of the role table and a priced product (list price 100 000, ±10 %)."""

    staff: object  # the sales department's staff: the orders' owner
    manager: object  # the sales department's manager
    engineer: object  # a production engineer named on the installation
    quality: object  # quality officer: sees everything, works nothing
    outsider: object  # staff of another business department
    production: object  # production staff not named on any installation
    product: object
    customer: object

    def user(self, role: str):
        return getattr(self, role)

    # --- orders in every state, through the services ------------------------------------------

    def order(self, *, installation: bool = True, lines: int = 1, quantity: str = "3",
              unit_price: str = "100000") -> Order:
        return services.order_create(
            actor=self.staff, customer=self.customer, promised_date=timezone.localdate() + dt.timedelta(days=30),
            installation_required=installation, site_address="苏州工业园区星湖街 1 号" if installation else "",
            site_contact="陈工", lines=[{"product": self.product, "quantity": quantity, "unit_price": unit_price}
                                       for _n in range(lines)])

    def order_in(self, state: str, *, ready_for: str = "") -> Order:
        """An order with installation and one line of 3, brought to ``state``.

        In review, ``ready_for="approve"`` records every checklist item passed and
        ``ready_for="return"`` records a failed one, so that the guard lets the action through.
        """
        staff = self.staff
        order = self.order()
        if state == "review":
            if ready_for == "approve":
                services.review_record_findings(order=order, actor=staff, findings=all_pass(order))
            elif ready_for == "return":
                services.review_record_findings(order=order, actor=staff, findings={
                    **all_pass(order), "delivery_date": ("fail", "交期不可行")})
            return order
        if state == "cancelled":
            return services.order_cancel(order=order, actor=self.manager, comment="客户撤单")
        if state == "returned":
            services.review_record_findings(order=order, actor=staff, findings={
                **all_pass(order), "delivery_date": ("fail", "交期不可行")})
            # four-eyes (ORG-1): the manager, not the owner who entered it, decides the review
            return services.order_return(order=order, actor=self.manager, problems="交期需延后")
        services.review_record_findings(order=order, actor=staff, findings=all_pass(order))
        services.order_approve(order=order, actor=self.manager)
        if state == "approved":
            return order
        services.order_start_production(order=order, actor=staff)
        if state == "in_production":
            return order
        line = order.lines.get()
        if state == "delivering":
            services.delivery_ship(order=order, actor=staff, quantities={line.pk: "1"}, carrier="顺丰")
            return Order.objects.get(pk=order.pk)
        delivery = services.delivery_ship(order=order, actor=staff, quantities={line.pk: "3"})
        services.delivery_confirm(delivery=delivery, actor=staff, quality_note="数量、外观无误")
        if state == "delivered":
            return Order.objects.get(pk=order.pk)
        installation = self.installation_in("scheduled", order=Order.objects.get(pk=order.pk))
        if state == "installing":
            return Order.objects.get(pk=order.pk)
        assert state == "accepted", state
        self.installation_in("accepted", installation=installation)
        return Order.objects.get(pk=order.pk)

    def delivery_in(self, state: str) -> Delivery:
        """One shipment of 1 of the 3 ordered, left ``shipped``, confirmed or rejected."""
        order = self.order_in("in_production")
        line = order.lines.get()
        delivery = services.delivery_ship(order=order, actor=self.staff, quantities={line.pk: "1"}, carrier="顺丰")
        if state == "delivered":
            services.delivery_confirm(delivery=delivery, actor=self.staff, quality_note="无误")
        elif state == "rejected":
            services.delivery_reject(delivery=delivery, actor=self.staff, comment="包装破损")
        else:
            assert state == "shipped", state
        return Delivery.objects.get(pk=delivery.pk)

    def installation_in(self, state: str, *, order: Order | None = None,
                        installation: Installation | None = None) -> Installation:
        if installation is None:
            order = order or self.order_in("delivered")
            installation = services.installation_schedule(order=order, actor=self.staff,
                                                          scheduled_for=timezone.localdate(), engineers=[self.engineer])
        if state == "scheduled":
            return installation
        engineer = self.engineer
        services.installation_start(installation=installation, actor=engineer)
        if state == "on_site":
            return Installation.objects.get(pk=installation.pk)
        services.installation_commission(installation=installation, actor=engineer, **COMMISSIONING)
        if state == "commissioned":
            return Installation.objects.get(pk=installation.pk)
        if state == "rework":
            services.acceptance_record(installation=installation, actor=engineer, result="rejected", remarks="噪音偏大")
            return Installation.objects.get(pk=installation.pk)
        assert state == "accepted", state
        services.acceptance_record(installation=installation, actor=engineer, result="accepted", feedback="满意",
                                   signatory="陈工")
        return Installation.objects.get(pk=installation.pk)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The order API tests create hundreds of people; none logs in with a password (``force_login``),
    so the production hasher (Argon2, slow on purpose) would only spend the run hashing.
    A module uses it with ``fast_passwords = support.fast_passwords``."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(sales_user, sales_manager, quality_officer, other_department_staff, production_user,
          production_department, customer) -> World:
    w = World(staff=sales_user, manager=sales_manager, quality=quality_officer, outsider=other_department_staff,
              production=production_user,
              engineer=UserFactory(username="installer", department=production_department, roles=[Role.STAFF]),
              product=ProductFactory(code="CNC-200", name="数控机床 CNC-200", list_price=Decimal("100000.00")),
              customer=customer)
    return w


def snapshot(order: Order) -> dict:
    """Everything an order's API calls can change; a refused call must leave all of it as it was."""
    order = Order.objects.get(pk=order.pk)
    return {
        "order": (order.status, order.updated_at, order.customer_reference, order.follow_up_due_at),
        "events": Event.objects.count(),
        "notifications": Notification.objects.count(),
        "rounds": list(ReviewRound.objects.filter(order=order).order_by("number").values_list("number", "outcome")),
        "findings": list(ReviewFinding.objects.filter(round__order=order).order_by("id")
                         .values_list("item", "result", "note")),
        "lines": list(OrderLine.objects.filter(order=order).order_by("id")
                      .values_list("id", "quantity", "unit_price", "delivered_quantity")),
        "deliveries": list(Delivery.objects.filter(order=order).order_by("number").values_list("number", "status")),
        "installation": list(Installation.objects.filter(order=order).values_list("status", "commissioned_at")),
        "acceptance": list(AcceptanceRound.objects.filter(installation__order=order).values_list("number", "result")),
        "progress": list(order.progress_notes.all().values_list("id", "answered_at")),
        "attachments": Attachment.objects.count(),
    }
