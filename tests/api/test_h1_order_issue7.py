"""Issue 7 through the API (h1): the review decision carries the checklist (ORD-1), converting an
inquiry needs the order body (PRE-4), order lines need a price and whole units where the product
says so, a receipt is confirmed with what was inspected (ORD-2)."""
from __future__ import annotations

import pytest

from orders.models import Order, ReviewFinding
from tests.api import test_orders_support as support
from tests.api.test_orders_support import order_url

world = support.world
fast_passwords = support.fast_passwords


# --- ORD-1: the decision and the checklist in one body ---------------------------------------------


@pytest.mark.spec("ORD-1", "API-1")
def test_return_with_the_failed_items_in_the_same_body(api, world):
    order = world.order()

    r = api(world.manager).post(order_url(order, "return"), {
        "problems": "1. 数量\n2. 单价\n3. 交期",
        "findings": [
            {"item": "customer", "result": "pass"},
            {"item": "items", "result": "fail", "note": "数量与合同不符"},
            {"item": "prices", "result": "fail", "note": "单价低于允许范围"},
            {"item": "delivery_date", "result": "fail", "note": "交期不可行"},
        ]}, format="json")

    assert r.status_code == 200, r.data
    assert r.data["status"] == "returned"
    round_ = r.data["review_rounds"][-1]
    assert round_["outcome"] == "returned"
    assert {f["item"]: f["note"] for f in round_["findings"] if f["result"] == "fail"} == {
        "items": "数量与合同不符", "prices": "单价低于允许范围", "delivery_date": "交期不可行"}


@pytest.mark.spec("ORD-1", "API-1", "WF-1")
def test_a_refused_approval_saves_none_of_the_findings_sent_with_it(api, world):
    order = world.order()

    # a waiver without a reason: the whole request is refused, the other findings are not kept either
    r = api(world.manager).post(order_url(order, "approve"), {"findings": [
        {"item": "customer", "result": "pass"}, {"item": "prices", "result": "waived", "note": ""}]}, format="json")

    assert r.status_code == 400 and "prices" in r.data
    assert not ReviewFinding.objects.filter(round__order=order).exists()
    assert Order.objects.get(pk=order.pk).status == "review"

    # an approval whose guard refuses (items not checked) rolls the findings back too
    r = api(world.manager).post(order_url(order, "approve"), {"findings": [
        {"item": "customer", "result": "pass"}]}, format="json")
    assert r.status_code == 400 and "items" in r.data
    assert not ReviewFinding.objects.filter(round__order=order).exists()


@pytest.mark.spec("ORD-1", "API-1")
def test_approve_with_every_item_in_the_body(api, world):
    order = world.order()
    findings = [{"item": item, "result": "pass"} for item in support.CHECKLIST]

    r = api(world.manager).post(order_url(order, "approve"), {"findings": findings}, format="json")

    assert r.status_code == 200, r.data
    assert r.data["status"] == "approved"
    assert {f["item"] for f in r.data["review_rounds"][-1]["findings"]} == set(support.CHECKLIST)


@pytest.mark.spec("ORD-1", "API-2")
def test_findings_are_a_list_of_typed_objects_each_item_once(api, world):
    order = world.order()

    as_dict = api(world.manager).post(order_url(order, "approve"), {"findings": {"customer": {"result": "pass"}}},
                                      format="json")
    twice = api(world.manager).post(order_url(order, "approve"), {"findings": [
        {"item": "customer", "result": "pass"}, {"item": "customer", "result": "fail", "note": "x"}]}, format="json")
    unknown = api(world.manager).post(order_url(order, "approve"), {"findings": [
        {"item": "colour", "result": "pass"}]}, format="json")

    assert as_dict.status_code == twice.status_code == unknown.status_code == 400
    assert "findings" in as_dict.data and "findings" in twice.data and "findings" in unknown.data


# --- PRE-4: converting needs the order body --------------------------------------------------------

FROM_INQUIRY = "/api/orders/orders/from-inquiry/"


@pytest.mark.spec("PRE-4", "API-1")
@pytest.mark.parametrize("missing", ["lines", "customer_reference", "promised_date", "installation_required"])
def test_converting_without_the_order_body_is_400_naming_the_field(api, inquiry_in, sales_user, missing):
    from presales.models import Inquiry
    from tests.builders.orders import conversion_json

    inquiry = inquiry_in("acknowledged")
    body = {k: v for k, v in conversion_json(inquiry).items() if k != missing}

    r = api(sales_user).post(FROM_INQUIRY, body, format="json")

    assert r.status_code == 400 and missing in r.data, r.data
    assert not Order.objects.exists() and Inquiry.objects.get(pk=inquiry.pk).status == "acknowledged"


@pytest.mark.spec("PRE-4", "API-1")
def test_converting_with_the_order_body_carries_it(api, inquiry_in, sales_user, world):
    from tests.builders.orders import conversion_json

    inquiry = inquiry_in("acknowledged")
    body = conversion_json(inquiry, customer_reference="PO-77", promised_date="2031-05-20", installation_required=True,
                           site_address="苏州工业园区", lines=[{"product": world.product.pk, "quantity": "2",
                                                          "unit_price": "99000"}])

    r = api(sales_user).post(FROM_INQUIRY, body, format="json")

    assert r.status_code == 201, r.data
    order = r.data
    assert (order["customer_reference"], order["promised_date"], order["installation_required"]) == (
        "PO-77", "2031-05-20", True)
    assert [(line["quantity"], line["unit_price"]) for line in order["lines"]] == [("2.00", "99000.00")]
    assert order["customer"] == inquiry.customer_id and order["source_inquiry"] == inquiry.pk


# --- ORG-2: an order with a new customer ---------------------------------------------------------------


@pytest.mark.spec("ORG-2", "API-1")
def test_an_order_creates_its_customer_or_gets_the_one_on_file(api, world):
    from qsm.org.models import Customer

    line = [{"product": world.product.pk, "quantity": "1", "unit_price": "100000"}]
    client = api(world.staff)
    first = client.post(support.ORDERS, {"new_customer": {"name": "苏州新客户", "contact_name": "王工"}, "lines": line},
                        format="json")
    again = client.post(support.ORDERS, {"new_customer": {"name": " 苏州新客户 "}, "lines": line}, format="json")
    bad = client.post(support.ORDERS, {"new_customer": {"name": "坏代码", "credit_code": "1"}, "lines": line},
                      format="json")

    assert first.status_code == again.status_code == 201, (first.data, again.data)
    assert first.data["customer"] == again.data["customer"] == Customer.objects.get(name="苏州新客户").pk
    assert bad.status_code == 400 and "credit_code" in bad.data["new_customer"]
    assert not Customer.objects.filter(name="坏代码").exists()


@pytest.mark.spec("PRE-4", "API-1")
def test_the_conversion_draft_is_read_without_creating_anything(api, inquiry_in, sales_user, other_department_staff,
                                                                product):
    inquiry = inquiry_in("acknowledged", products=[product])
    url = "/api/orders/orders/from-inquiry/draft/"

    r = api(sales_user).get(url, {"inquiry": inquiry.pk})

    assert r.status_code == 200, r.data
    assert r.data["customer"] == inquiry.customer_id and inquiry.subject in r.data["needs"]
    assert [(line["product"], line["quantity"]) for line in r.data["lines"]] == [(product.pk, "1.00")]
    assert not Order.objects.exists()
    assert api(sales_user).get(url, {"inquiry": "x"}).status_code == 400
    assert api(other_department_staff).get(url, {"inquiry": inquiry.pk}).status_code == 404
