"""Order pages for now: list and record page, scoped like the inquiries (PRE-4, ORG-1)."""
from __future__ import annotations

import pytest
from django.urls import reverse

from orders.services import order_create_from_inquiry
from presales import services
from tests.factories import make_inquiry

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(staff_user, sales_user, sales_department, customer, product):
    inquiry = make_inquiry(actor=staff_user, customer=customer, answer="已答复", products=[product])
    services.inquiry_hand_over(inquiry=inquiry, actor=staff_user, department=sales_department)
    services.inquiry_acknowledge(inquiry=inquiry, actor=sales_user)
    return order_create_from_inquiry(inquiry=inquiry, actor=sales_user)


@pytest.mark.spec("PRE-4", "ORG-1")
def test_order_list_and_page_for_the_owning_department(login, sales_user, order, product):
    client = login(sales_user)

    listing = client.get(reverse("orders:order-list"))
    page = client.get(order.get_absolute_url())

    assert listing.status_code == 200 and order.number in listing.content.decode()
    html = page.content.decode()
    assert page.status_code == 200
    assert order.number in html and product.name in html and order.customer.name in html
    assert order.source_inquiry.get_absolute_url() in html  # back to the inquiry it came from


@pytest.mark.spec("ORG-1")
def test_other_departments_do_not_see_the_order(login, other_department_staff, order):
    client = login(other_department_staff)

    assert order.number not in client.get(reverse("orders:order-list")).content.decode()
    assert client.get(order.get_absolute_url()).status_code == 404


@pytest.mark.spec("ORG-1")
def test_quality_department_sees_every_order(login, quality_officer, order):
    assert login(quality_officer).get(order.get_absolute_url()).status_code == 200


@pytest.mark.spec("WF-2")
def test_order_page_shows_its_timeline(login, sales_user, order):
    response = login(sales_user).get(order.get_absolute_url())

    assert [e.kind for e in response.context["timeline"]] == ["created"]
    assert order.source_inquiry.number in response.content.decode()


def test_convert_is_post_only(login, sales_user, order):
    assert login(sales_user).get(reverse("orders:order-from-inquiry", args=[order.source_inquiry_id])).status_code == 405
