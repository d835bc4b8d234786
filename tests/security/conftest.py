"""The records every hostile-input sweep runs against, and the check that they all still read."""
from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.test import Client
from rest_framework.test import APIClient

from orders.models import Order
from tests.builders.inquiries import inquiry_in, new_inquiry
from tests.builders.orders import new_order, order_in

S = Order.Status


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    staff_user: object  # owns the inquiries (business department)
    sales_user: object  # owns the orders (sales department)
    customer: object
    inquiry: object
    discussed: object  # an inquiry under discussion: notes and solutions
    solution: object
    order_review: object
    order_production: object
    order_delivering: object
    order_installing: object
    delivery: object
    installation: object
    progress_note: object

    def page_client(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def api_client(self, user) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client


@pytest.fixture
def world(staff_user, sales_user, customer, production_department, sales_department) -> World:
    from orders import services as order_services
    from presales import services as presales_services

    inquiry = new_inquiry(actor=staff_user, customer=customer)
    discussed = inquiry_in("discussion", actor=staff_user, customer=customer, invited=[production_department])
    solution = presales_services.solution_add(inquiry=discussed, actor=staff_user, title="方案一", content="内容")
    order_review = new_order(actor=sales_user, customer=customer, installation=True)
    order_production = order_in(S.IN_PRODUCTION, actor=sales_user, customer=customer, installation=True)
    order_delivering = order_in(S.DELIVERING, actor=sales_user, customer=customer)
    order_installing = order_in(S.INSTALLING, actor=sales_user, engineer=sales_user, customer=customer,
                                installation=True)
    note = order_services.progress_note_add(order=order_production, actor=sales_user, kind="question",
                                            channel="phone", text="客户询问进度")
    return World(
        staff_user=staff_user, sales_user=sales_user, customer=customer, inquiry=inquiry, discussed=discussed,
        solution=solution, order_review=order_review, order_production=order_production,
        order_delivering=order_delivering, order_installing=order_installing,
        delivery=order_delivering.deliveries.get(), installation=order_installing.installation,
        progress_note=note,
    )


def assert_everything_reads(world: World) -> None:
    """Nothing stored is unreadable: record pages, list pages, API lists and both export formats."""
    from openpyxl import load_workbook

    from tests.builders.exports import xlsx_export

    staff = world.page_client(world.staff_user)
    sales = world.page_client(world.sales_user)
    for client, url in [
        (staff, world.inquiry.get_absolute_url()), (staff, world.discussed.get_absolute_url()),
        (staff, "/presales/"),
        (sales, world.order_review.get_absolute_url()), (sales, world.order_production.get_absolute_url()),
        (sales, world.order_delivering.get_absolute_url()), (sales, world.order_installing.get_absolute_url()),
        (sales, "/orders/"), (sales, "/orders/deliveries/"), (sales, "/orders/installations/"),
        (sales, "/customers/"), (sales, f"/customers/{world.customer.pk}/"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    for client, url in [(staff, "/presales/export/"), (sales, "/orders/export/"),
                        (sales, "/orders/deliveries/export/"), (sales, "/orders/installations/export/")]:
        csv = client.get(url)
        assert csv.status_code == 200, url
        b"".join(csv.streaming_content) if csv.streaming else csv.content
        xlsx = xlsx_export(client, url)  # an export job, run, then its file (PERF-1)
        assert xlsx.status_code == 200, url
        load_workbook(io.BytesIO(xlsx.content))
    staff_api = world.api_client(world.staff_user)
    sales_api = world.api_client(world.sales_user)
    for client, url in [
        (staff_api, "/api/presales/inquiries/"), (staff_api, f"/api/presales/inquiries/{world.discussed.pk}/"),
        (staff_api, f"/api/presales/inquiries/{world.discussed.pk}/timeline/"),
        (sales_api, "/api/orders/orders/"), (sales_api, "/api/orders/deliveries/"),
        (sales_api, "/api/orders/installations/"), (sales_api, "/api/org/customers/"),
        (sales_api, f"/api/orders/orders/{world.order_production.pk}/"),
        (sales_api, f"/api/orders/orders/{world.order_production.pk}/progress/"),
    ]:
        assert client.get(url).status_code == 200, url
