"""Orders through the API (minimal): scoped list and detail; converting an inquiry (PRE-4)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Order
from tests.api.conftest import snapshot

FROM_INQUIRY = "/api/orders/orders/from-inquiry/"


@pytest.mark.spec("API-1", "PRE-4", "ORG-1")
def test_orders_are_scoped_to_the_department(api, inquiry_in, sales_user, staff_user, other_department_staff,
                                             quality_officer):
    inquiry = inquiry_in("acknowledged")
    order = api(sales_user).post(FROM_INQUIRY, {"inquiry": inquiry.pk}, format="json").data

    def listed(user):
        r = api(user).get("/api/orders/orders/")
        assert r.status_code == 200
        return [o["id"] for o in r.data["results"]]

    assert listed(sales_user) == [order["id"]]
    assert listed(quality_officer) == [order["id"]]
    assert listed(staff_user) == listed(other_department_staff) == []
    assert api(other_department_staff).get(f"/api/orders/orders/{order['id']}/").status_code == 404
    detail = api(quality_officer).get(f"/api/orders/orders/{order['id']}/").data
    assert detail["source_inquiry_number"] == inquiry.number and detail["status"] == "review"
    assert api(sales_user).get(f"/api/orders/orders/?q={inquiry.number}").data["results"][0]["id"] == order["id"]
    assert api(sales_user).get("/api/orders/orders/?status=draft&created_from=2999-01-01").data["results"] == []


@pytest.mark.spec("API-1", "PRE-4", "WF-1")
@pytest.mark.parametrize("state", ["answered", "handed_over", "closed"])
def test_converting_an_inquiry_that_is_not_acknowledged_is_409(api, inquiry_in, sales_user, administrator, state):
    inquiry = inquiry_in(state)
    before = snapshot(inquiry)
    who = sales_user if state == "handed_over" else administrator  # someone allowed to convert, wrong state
    r = api(who).post(FROM_INQUIRY, {"inquiry": inquiry.pk}, format="json")
    assert r.status_code == 409, r.data
    assert snapshot(inquiry) == before and not Order.objects.exists()


@pytest.mark.spec("API-1", "PRE-4", "WF-1")
def test_an_inquiry_is_converted_only_once(api, inquiry_in, sales_user):
    inquiry = inquiry_in("acknowledged")
    client = api(sales_user)
    assert client.post(FROM_INQUIRY, {"inquiry": inquiry.pk}, format="json").status_code == 201
    before = snapshot(inquiry)
    assert client.post(FROM_INQUIRY, {"inquiry": inquiry.pk}, format="json").status_code == 409
    assert snapshot(inquiry) == before and Order.objects.count() == 1


@pytest.mark.spec("API-1", "PRE-4", "ORG-1")
def test_the_owning_department_cannot_convert_its_hand_over(api, inquiry_in, staff_user):
    inquiry = inquiry_in("acknowledged")
    before = snapshot(inquiry)
    r = api(staff_user).post(FROM_INQUIRY, {"inquiry": inquiry.pk}, format="json")
    assert r.status_code == 403
    assert snapshot(inquiry) == before and not Order.objects.exists()


@pytest.mark.spec("API-1", "PRE-4")
def test_converting_needs_an_existing_inquiry(api, sales_user):
    client = api(sales_user)
    r = client.post(FROM_INQUIRY, {}, format="json")
    assert r.status_code == 400 and "inquiry" in r.data
    assert client.post(FROM_INQUIRY, {"inquiry": "abc"}, format="json").status_code == 400
    assert client.post(FROM_INQUIRY, {"inquiry": 999999}, format="json").status_code == 404


@pytest.mark.spec("API-1", "SEARCH-1")
@pytest.mark.parametrize("page_size", [10, 100])
def test_the_order_list_costs_the_same_queries_at_any_page_size(api, sales_user, sales_department, customer,
                                                                django_assert_num_queries, page_size):
    # plain rows suffice to measure the list (the conversion is tested above)
    Order.objects.bulk_create([
        Order(number=f"ORD-T-{n:04d}", customer=customer, department=sales_department, owner=sales_user)
        for n in range(110)
    ])
    client = api(sales_user)
    # session, user, the user's department and groups (scope), the page with its joins
    with django_assert_num_queries(5), CaptureQueriesContext(connection) as ctx:
        r = client.get(f"/api/orders/orders/?page_size={page_size}")
    assert len(r.data["results"]) == page_size
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
