"""Helpers of the order API tests (no tests here): records brought to a state by the real
services, the people of the role table, and a snapshot of everything a refused call must leave
untouched."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

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
from tests.builders import orders as builders
from tests.builders.orders import all_pass  # noqa: F401 - re-exported for the API tests
from tests.factories import ProductFactory, UserFactory

ORDERS = "/api/orders/orders/"
DELIVERIES = "/api/orders/deliveries/"
INSTALLATIONS = "/api/orders/installations/"

ORDER_STATES = ["review", "returned", "approved", "in_production", "delivering", "delivered", "installing",
                "accepted", "cancelled"]
DELIVERY_STATES = ["shipped", "delivered", "rejected"]
INSTALLATION_STATES = ["scheduled", "on_site", "commissioned", "rework", "accepted"]
CHECKLIST = ["customer", "items", "prices", "delivery_date", "installation"]
WORLD_RETURN = {"fail": ("delivery_date", "交期不可行"), "problems": "交期需延后"}
WORLD_ACCEPTANCE = {"result": "accepted", "feedback": "满意", "signatory": "陈工"}
WORLD_REJECTION = {"result": "rejected", "remarks": "噪音偏大"}
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

    # --- records in every state: the lifecycle builders (tests.builders.orders) with this world's
    # people: the staff enters and works the order, the manager decides the review (four-eyes)
    # and cancels, the production engineer installs.

    def order(self, *, installation: bool = True, lines: int = 1, quantity: str = "3",
              unit_price: str = "100000") -> Order:
        return builders.new_order(actor=self.staff, customer=self.customer, product=self.product, quantity=quantity,
                                  unit_price=unit_price, lines=lines, installation=installation, site_contact="陈工")

    def _people(self) -> dict:
        return {"actor": self.staff, "approver": self.manager, "manager": self.manager, "engineer": self.engineer,
                "carrier": "顺丰", "return_for": WORLD_RETURN, "commissioning": COMMISSIONING,
                "acceptance": WORLD_ACCEPTANCE}

    def order_in(self, state: str, *, ready_for: str = "") -> Order:
        """An order with installation and one line of 3, brought to ``state`` (see ``builders.order_in``)."""
        return builders.order_in(state, order=self.order(), ready_for=ready_for, **self._people())

    def delivery_in(self, state: str) -> Delivery:
        """One shipment of 1 of the 3 ordered, left ``shipped``, confirmed or rejected."""
        people = self._people()
        return builders.delivery_in(state, actor=self.staff, carrier="顺丰",
                                    order=builders.order_in("in_production", order=self.order(), **people))

    def installation_in(self, state: str, *, order: Order | None = None,
                        installation: Installation | None = None) -> Installation:
        """The installation of ``order`` (delivered; by default a new one), or ``installation``, at ``state``."""
        if installation is None and order is None:
            order = builders.order_in("delivered", order=self.order(), **self._people())
        return builders.installation_in(state, order=order, installation=installation, actor=self.staff,
                                        engineer=self.engineer, commissioning=COMMISSIONING,
                                        rejection=WORLD_REJECTION, acceptance=WORLD_ACCEPTANCE)


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
