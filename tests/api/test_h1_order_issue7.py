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
