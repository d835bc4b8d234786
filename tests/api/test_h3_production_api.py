"""API: the production department follows its orders and reports production steps (§3.2(2));
the people on an inquiry read the order it became (PRE-4, ORG-1), issue 7."""
from __future__ import annotations

from decimal import Decimal

import pytest

from orders.models import ProductionStep
from presales.models import Inquiry
from qsm.org.models import Role
from tests.builders.inquiries import inquiry_in
from tests.builders.orders import S, new_order, order_in
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
ORDERS = "/api/orders/orders/"


@pytest.fixture
def producer(production_department):
    production_department.is_production = True
    production_department.save(update_fields=["is_production"])
    return UserFactory(username="producer", department=production_department, roles=[Role.STAFF])


@pytest.fixture
def orders(sales_user, sales_manager, customer):
    priced = ProductFactory(code="CNC-400", name="数控车床", list_price=Decimal("100000.00"))
    return {state: order_in(state, actor=sales_user, manager=sales_manager,
                            order=new_order(actor=sales_user, customer=customer, lines=[(priced, 2, 100000)]))
            for state in (S.REVIEW, S.APPROVED, S.IN_PRODUCTION, S.DELIVERING, S.DELIVERED, S.CANCELLED)}


@pytest.mark.spec("ORD-2", "ORG-1")
def test_production_lists_and_reads_orders_in_production_and_delivery(api, producer, orders):
    client = api(producer)
    listed = {row["number"] for row in client.get(ORDERS).data["results"]}
    assert listed == {orders[s].number for s in (S.IN_PRODUCTION, S.DELIVERING, S.DELIVERED)}
    for state in (S.IN_PRODUCTION, S.DELIVERING, S.DELIVERED):
        r = client.get(f"{ORDERS}{orders[state].pk}/")
        assert r.status_code == 200 and r.data["production_steps"] == []
        assert r.data["available_actions"] == []
    for state in (S.REVIEW, S.APPROVED, S.CANCELLED):
        assert client.get(f"{ORDERS}{orders[state].pk}/").status_code == 404, state
        assert client.post(f"{ORDERS}{orders[state].pk}/production/", {"stage": "planned"}, format="json"
                           ).status_code == 404


@pytest.mark.spec("ORD-2")
def test_production_reports_a_step_and_may_not_act_for_the_department(api, producer, orders):
    order = orders[S.IN_PRODUCTION]
    client = api(producer)
    r = client.post(f"{ORDERS}{order.pk}/production/", {"stage": "machining", "note": "床身加工完成"}, format="json")
    assert r.status_code == 201, r.data
    assert (r.data["stage"], r.data["note"], r.data["recorded_by"]) == ("machining", "床身加工完成", producer.pk)
    assert [s["stage"] for s in client.get(f"{ORDERS}{order.pk}/production/").data] == ["machining"]
    assert client.get(f"{ORDERS}{order.pk}/").data["production_steps"][0]["stage_label"]
    # 400: a delay without a reason, an unknown step; 409: production is over
    r = client.post(f"{ORDERS}{order.pk}/production/", {"stage": "delayed"}, format="json")
    assert r.status_code == 400 and "note" in r.data
    assert client.post(f"{ORDERS}{order.pk}/production/", {"stage": "x"}, format="json").status_code == 400
    assert client.post(f"{ORDERS}{orders[S.DELIVERED].pk}/production/", {"stage": "ready"}, format="json"
                       ).status_code == 409
    # 403: the department's transitions and the customer log are not production's
    assert client.post(f"{ORDERS}{order.pk}/cancel/", {"comment": "撤单"}, format="json").status_code == 403
    assert client.post(f"{ORDERS}{order.pk}/progress/", {"kind": "update", "channel": "phone", "text": "x"},
                       format="json").status_code == 403
    assert ProductionStep.objects.count() == 1


@pytest.mark.spec("PRE-4", "ORG-1")
def test_the_service_person_who_handed_the_inquiry_over_reads_its_order(api, staff_user, sales_user, sales_department,
                                                                         other_department_staff, customer, product):
    inquiry = inquiry_in(Inquiry.Status.CONVERTED, actor=staff_user, customer=customer, products=[product],
                         hand_over_to=sales_department, receiver=sales_user)
    client = api(staff_user)
    r = client.get(f"{ORDERS}{inquiry.order.pk}/")
    assert r.status_code == 200 and r.data["number"] == inquiry.order.number
    assert r.data["available_actions"] == []
    assert inquiry.order.number in {row["number"] for row in client.get(ORDERS).data["results"]}
    # read-only
    assert client.post(f"{ORDERS}{inquiry.order.pk}/start-production/", {}, format="json").status_code in (403, 409)
    assert client.patch(f"{ORDERS}{inquiry.order.pk}/", {"needs": "改"}, format="json").status_code == 403
    # someone who cannot see the inquiry cannot see the order
    assert api(other_department_staff).get(f"{ORDERS}{inquiry.order.pk}/").status_code == 404
