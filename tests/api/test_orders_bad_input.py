"""Bad input on the order API is refused with a clear message naming the field (400), an
impossible step with 409, and nothing changes (ORD-1..3, WF-1)."""
from __future__ import annotations

import pytest
from django.utils import timezone

from orders import services
from orders.models import Order
from tests.api import test_orders_support as support
from tests.api.test_orders_support import ORDERS, delivery_url, installation_url, order_url, snapshot

world = support.world
ERROR_ENVELOPE = {"detail", "code", "errors"}  # every 400 body (qsm.api.exceptions), around the field map
fast_passwords = support.fast_passwords


def refused(response, code: int, field: str | None = None) -> dict:
    assert response.status_code == code, (response.status_code, getattr(response, "data", None))
    if field is not None:
        assert field in response.data and response.data[field], response.data
    return response.data


# --- ORD-2 deliveries -----------------------------------------------------------------------------


@pytest.mark.spec("API-1", "ORD-2", "WF-1")
def test_over_delivery_is_400_naming_the_line_and_nothing_is_shipped(api, world):
    # given an order of 3, 2 of which are already on their way
    order = world.order_in("in_production")
    line = order.lines.get()
    client = api(world.staff)
    assert client.post(order_url(order, "ship"), {"quantities": [{"order_line": line.pk, "quantity": "2"}]}, format="json").status_code == 201
    before = snapshot(order)
    # when 2 more are shipped, then it is refused with the line named and its message saying what is left
    data = refused(client.post(order_url(order, "ship"), {"quantities": [{"order_line": line.pk, "quantity": "2"}]}, format="json"), 400,
                   f"line.{line.pk}")
    assert "1" in data[f"line.{line.pk}"][0]
    # and more than ordered at once is refused too
    refused(client.post(order_url(order, "ship"), {"quantities": [{"order_line": line.pk, "quantity": "4"}]}, format="json"), 400,
            f"line.{line.pk}")
    assert snapshot(order) == before


@pytest.mark.spec("API-1", "ORD-2", "WF-1")
@pytest.mark.parametrize("state", ["review", "returned", "cancelled"])
def test_a_delivery_before_approval_is_409(api, world, state):
    order = world.order_in(state)
    before = snapshot(order)
    data = refused(api(world.manager).post(order_url(order, "ship"), {"quantities": [{"order_line": order.lines.get().pk, "quantity": "1"}]},
                                           format="json"), 409)
    assert data["code"] == "transition_not_allowed" and data["detail"]
    assert snapshot(order) == before


@pytest.mark.spec("API-1", "ORD-2")
@pytest.mark.parametrize(("quantity", "field"), [
    ("abc", "quantities"), ("", "quantities"), ("1e400", "quantities"),  # not a number
    ("-1", "line"), ("0", "quantities"),  # negative; nothing shipped at all
])
def test_a_non_numeric_or_negative_shipped_quantity_is_400(api, world, quantity, field):
    order = world.order_in("approved")
    line = order.lines.get()
    before = snapshot(order)
    r = api(world.staff).post(order_url(order, "ship"), {"quantities": [{"order_line": line.pk, "quantity": quantity}]}, format="json")
    refused(r, 400, f"line.{line.pk}" if field == "line" else field)
    assert snapshot(order) == before


@pytest.mark.spec("API-1", "ORD-2")
@pytest.mark.parametrize(("quantities", "field"), [
    ([{"order_line": 999999, "quantity": "1"}], "line.999999"),  # not a line of this order
    ([{"order_line": "first", "quantity": "1"}], "quantities"),  # not a line id
    ([{"order_line": 1, "quantity": "1"}, {"order_line": 1, "quantity": "1"}], "quantities"),  # twice
    ([], "quantities"),
    ({"1": "1"}, "quantities"),  # the old shape (line id -> quantity) is not accepted any more
    ("3", "quantities"),
])
def test_shipping_unknown_lines_is_400(api, world, quantities, field):
    order = world.order_in("approved")
    before = snapshot(order)
    refused(api(world.staff).post(order_url(order, "ship"), {"quantities": quantities}, format="json"), 400, field)
    assert snapshot(order) == before


@pytest.mark.spec("API-1", "ORD-2")
def test_a_line_of_another_order_cannot_be_shipped(api, world):
    order, other = world.order_in("approved"), world.order_in("approved")
    before = snapshot(order), snapshot(other)
    foreign = other.lines.get().pk
    refused(api(world.staff).post(order_url(order, "ship"), {"quantities": [{"order_line": foreign, "quantity": "1"}]}, format="json"), 400,
            f"line.{foreign}")
    assert (snapshot(order), snapshot(other)) == before


@pytest.mark.spec("API-1", "ORD-2", "WF-1")
def test_a_delivery_is_confirmed_once_and_rejected_only_with_a_reason(api, world):
    delivery = world.delivery_in("shipped")
    client = api(world.staff)
    before = snapshot(delivery.order)
    refused(client.post(delivery_url(delivery, "reject"), {"comment": "  "}, format="json"), 400, "comment")
    refused(client.post(delivery_url(delivery, "reject"), {}, format="json"), 400, "comment")
    # issue 7: "received, quality checked" says what was inspected
    refused(client.post(delivery_url(delivery, "confirm"), {}, format="json"), 400, "quality_note")
    refused(client.post(delivery_url(delivery, "confirm"), {"quality_note": "  "}, format="json"), 400, "quality_note")
    assert snapshot(delivery.order) == before
    assert client.post(delivery_url(delivery, "confirm"), {"quality_note": "数量、外观无误"},
                       format="json").status_code == 200
    before = snapshot(delivery.order)
    refused(client.post(delivery_url(delivery, "confirm"), {"quality_note": "再次确认"}, format="json"), 409)
    assert snapshot(delivery.order) == before  # the quantity is not counted twice


# --- ORD-3 installation ---------------------------------------------------------------------------


@pytest.mark.spec("API-1", "ORD-3", "WF-1")
@pytest.mark.parametrize("state", ["scheduled", "on_site", "rework"])
def test_acceptance_without_commissioning_is_409(api, world, state):
    installation = world.installation_in(state)
    before = snapshot(installation.order)
    data = refused(api(world.engineer).post(installation_url(installation, "acceptance"),
                                            {"result": "accepted", "signatory": "陈工"}, format="json"), 409)
    assert data["code"] == "transition_not_allowed"
    assert snapshot(installation.order) == before


@pytest.mark.spec("API-1", "ORD-3")
@pytest.mark.parametrize(("payload", "field"), [
    ({**support.COMMISSIONING, "checklist": [{"item": "空载运行", "ok": True}, {"item": "定位精度", "ok": False}]},
     "checklist"),
    ({**support.COMMISSIONING, "checklist": []}, "checklist"),
    ({**support.COMMISSIONING, "site_work": ""}, "site_work"),
    ({**support.COMMISSIONING, "checklist": [{"item": "空载运行", "ok": "maybe"}]}, "checklist"),
    ({**support.COMMISSIONING, "measurements": [{"value": "1"}]}, "measurements"),
])
def test_commissioning_with_a_failing_or_missing_check_is_400(api, world, payload, field):
    installation = world.installation_in("on_site")
    before = snapshot(installation.order)
    refused(api(world.engineer).post(installation_url(installation, "commission"), payload, format="json"), 400,
            field)
    assert snapshot(installation.order) == before


@pytest.mark.spec("API-1", "ORD-3")
@pytest.mark.parametrize(("payload", "field"), [
    ({"result": "maybe"}, "result"),
    ({}, "result"),
    ({"result": "remarks"}, "remarks"),  # accepted with remarks needs the remarks
    ({"result": "rejected", "remarks": " "}, "remarks"),  # a rejection needs its reasons
])
def test_an_acceptance_without_its_decision_or_reasons_is_400(api, world, payload, field):
    installation = world.installation_in("commissioned")
    before = snapshot(installation.order)
    refused(api(world.engineer).post(installation_url(installation, "acceptance"), payload, format="json"), 400,
            field)
    assert snapshot(installation.order) == before


@pytest.mark.spec("API-1", "ORD-3")
@pytest.mark.parametrize(("payload", "field"), [
    ({"engineers": []}, "engineers"),  # nobody named
    ({"scheduled_for": None}, "scheduled_for"),
    ({"engineers": [999999]}, "engineers"),
    ({"scheduled_for": "next week"}, "scheduled_for"),
])
def test_scheduling_an_installation_needs_a_date_and_engineers(api, world, payload, field):
    order = world.order_in("delivered")
    before = snapshot(order)
    body = {"scheduled_for": timezone.localdate().isoformat(), "engineers": [world.engineer.pk], **payload}
    refused(api(world.staff).post(order_url(order, "schedule-installation"), body, format="json"), 400, field)
    assert snapshot(order) == before


@pytest.mark.spec("API-1", "ORD-3", "ORD-4")
def test_an_order_without_installation_cannot_schedule_one(api, world):
    # given an order without installation, delivered in full
    order = world.order(installation=False)
    client = api(world.staff)
    services.review_record_findings(order=order, actor=world.staff, findings=support.all_pass(order))
    services.order_approve(order=order, actor=world.manager)  # four-eyes: not the owner
    delivery = services.delivery_ship(order=order, actor=world.staff, quantities={order.lines.get().pk: "3"})
    services.delivery_confirm(delivery=delivery, actor=world.staff, quality_note="无误")
    order.refresh_from_db()
    # the follow-up visit is due at delivery (ORD-4)
    assert order.status == "delivered" and order.follow_up_reason == "delivered"
    before = snapshot(order)
    r = client.post(order_url(order, "schedule-installation"),
                    {"scheduled_for": timezone.localdate().isoformat(), "engineers": [world.engineer.pk]},
                    format="json")
    refused(r, 400, "installation_required")
    assert snapshot(order) == before
    assert client.get(order_url(order)).data["visit_due"] is True


# --- ORD-1 review ---------------------------------------------------------------------------------


@pytest.mark.spec("API-1", "ORD-1", "WF-1")
def test_approving_a_price_outside_the_range_without_a_waiver_is_400_naming_prices(api, world):
    # given an order priced at 80 000 against a list price of 100 000 ±10 %, every item "passed"
    order = world.order(unit_price="80000")
    client = api(world.staff)
    assert client.get(order_url(order)).data["lines"][0]["price_in_range"] is False
    assert client.post(order_url(order, "findings"), {"items": [
        {"item": item, "result": "pass"} for item in support.CHECKLIST]}, format="json").status_code == 200
    before = snapshot(order)
    # when the manager approves it (four-eyes: not the owner), then the price check is named and nothing changes
    data = refused(api(world.manager).post(order_url(order, "approve"), {}, format="json"), 400, "prices")
    assert "range" in data["prices"][0] or "范围" in data["prices"][0]
    assert snapshot(order) == before
    # a waiver without a reason is no waiver
    refused(client.post(order_url(order, "findings"), {"items": [{"item": "prices", "result": "waived"}]}, format="json"),
            400, "prices")
    assert snapshot(order) == before


@pytest.mark.spec("API-1", "ORD-1", "WF-1")
def test_approving_with_an_unchecked_or_failed_item_is_400_naming_it(api, world):
    order = world.order()
    client = api(world.staff)
    client.post(order_url(order, "findings"), {"items": [{"item": "customer", "result": "fail", "note": "缺电话"}]},
                format="json")
    before = snapshot(order)
    data = refused(api(world.manager).post(order_url(order, "approve"), {}, format="json"), 400)
    assert set(data) - ERROR_ENVELOPE == {"customer", "items", "prices", "delivery_date", "installation"}
    assert snapshot(order) == before


@pytest.mark.spec("API-1", "ORD-1", "WF-1")
@pytest.mark.parametrize(("findings", "payload", "fields"), [
    ("all_pass", {"problems": "交期需延后"}, {"findings"}),  # nothing failed
    ("one_fail", {"problems": "  "}, {"problems"}),  # no problems for the customer
    ("one_fail", {}, {"problems"}),
    ("none", {}, {"problems"}),  # required by the schema: refused before the findings are looked at
    ("none", {"problems": "交期需延后"}, {"findings"}),
])
def test_returning_needs_a_failed_item_and_the_problems(api, world, findings, payload, fields):
    order = world.order_in("review", ready_for={"all_pass": "approve", "one_fail": "return"}.get(findings, ""))
    before = snapshot(order)
    data = refused(api(world.manager).post(order_url(order, "return"), payload, format="json"), 400)
    assert set(data) - ERROR_ENVELOPE == fields
    assert snapshot(order) == before


@pytest.mark.spec("API-1", "ORD-1")
@pytest.mark.parametrize(("items", "field"), [
    ([{"item": "colour", "result": "pass"}], "items"),  # not a checklist item
    ([{"item": "prices", "result": "ok"}], "items"),
    ([{"item": "prices", "result": "fail"}], "prices"),  # a failed item says why
    ([{"item": "prices", "result": "pass"}, {"item": "prices", "result": "fail", "note": "x"}], "items"),  # twice
    ([], "items"),
    ({"prices": {"result": "pass"}}, "items"),  # the old shape (item -> result) is not accepted any more
    ("prices", "items"),
])
def test_bad_findings_are_400(api, world, items, field):
    order = world.order()
    before = snapshot(order)
    refused(api(world.staff).post(order_url(order, "findings"), {"items": items}, format="json"), 400, field)
    assert snapshot(order) == before


P = "product"  # stands for the priced product's id in the cases below


@pytest.mark.spec("API-1", "ORD-1")
@pytest.mark.parametrize(("change", "field"), [
    ({"lines": [{"product": "CNC", "quantity": "1"}]}, "lines"),
    ({"lines": [{"product": 999999, "quantity": "1"}]}, "lines"),
    ({"lines": [{"quantity": "1"}]}, "lines"),
    ({"lines": [{"product": P, "quantity": "abc"}]}, "lines"),
    ({"lines": [{"product": P, "quantity": "-2"}]}, "lines.1.quantity"),
    ({"lines": [{"product": P, "quantity": "0"}]}, "lines.1.quantity"),
    ({"lines": [{"product": P, "quantity": "1"}, {"product": P, "quantity": "-1"}]}, "lines.2.quantity"),
    ({"lines": [{"product": P, "quantity": "1", "unit_price": "-1"}]}, "lines.1.unit_price"),
    # issue 7: a price is required, and a machine is counted in whole units
    ({"lines": [{"product": P, "quantity": "1", "unit_price": None}]}, "lines"),
    ({"lines": [{"product": P, "quantity": "1"}], "no_price": True}, "lines"),
    ({"lines": [{"product": P, "quantity": "1.5"}]}, "lines.1.quantity"),
    ({"lines": []}, "lines"),
    ({"lines": None}, "lines"),
    ({"installation_required": True, "site_address": ""}, "site_address"),
    ({"customer": 999999}, "customer"),
    ({"customer": None}, "customer"),
    ({"promised_date": "soon"}, "promised_date"),
])
def test_entering_an_order_with_bad_input_is_400_and_creates_nothing(api, world, change, field):
    body = {"customer": world.customer.pk, "lines": [{"product": world.product.pk, "quantity": "1"}], **change}
    no_price = body.pop("no_price", False)
    if body["lines"]:
        body["lines"] = [{"unit_price": "100000", **line} for line in body["lines"]]
        body["lines"] = [{**line, "product": world.product.pk} if line.get("product") == P else line
                         for line in body["lines"]]
        if no_price:
            body["lines"] = [{k: v for k, v in line.items() if k != "unit_price"} for line in body["lines"]]
    refused(api(world.staff).post(ORDERS, body, format="json"), 400, field)
    assert not Order.objects.exists()


@pytest.mark.spec("API-1", "ORD-1", "ORG-1")
@pytest.mark.parametrize("role", ["quality", "production", "engineer"])
def test_only_a_business_department_enters_orders(api, world, role):
    r = api(world.user(role)).post(ORDERS, {"customer": world.customer.pk, "lines": [
        {"product": world.product.pk, "quantity": "1", "unit_price": "100000"}]}, format="json")
    assert r.status_code == 403 and r.data["code"] == "permission_denied"
    assert not Order.objects.exists()


@pytest.mark.spec("API-1", "ORD-1", "WF-1")
@pytest.mark.parametrize("payload", [{"status": "approved"}, {"owner": 1}, {"number": "X"},
                                     {"customer_reference": "PO-1", "due_at": None}, {"follow_up_due_at": None}])
def test_the_status_and_untracked_fields_cannot_be_patched(api, world, payload):
    order = world.order_in("review")
    before = snapshot(order)
    data = refused(api(world.staff).patch(order_url(order), payload, format="json"), 400)
    assert set(data) - ERROR_ENVELOPE == set(payload) - {"customer_reference"}
    assert snapshot(order) == before


@pytest.mark.spec("API-1", "ORD-1", "WF-1")
@pytest.mark.parametrize("state", ["approved", "delivered", "cancelled"])
def test_an_order_past_review_cannot_be_amended(api, world, state):
    order = world.order_in(state)
    before = snapshot(order)
    refused(api(world.staff).patch(order_url(order), {"customer_reference": "PO-LATE"}, format="json"), 409)
    assert snapshot(order) == before


@pytest.mark.spec("API-1", "WF-1")
def test_cancelling_needs_a_reason(api, world):
    order = world.order_in("approved")
    before = snapshot(order)
    refused(api(world.manager).post(order_url(order, "cancel"), {"comment": ""}, format="json"), 400, "comment")
    refused(api(world.manager).post(order_url(order, "cancel"), {}, format="json"), 400, "comment")
    assert snapshot(order) == before


# --- ORD-2 progress notes -------------------------------------------------------------------------


@pytest.mark.spec("API-1", "ORD-2")
@pytest.mark.parametrize(("payload", "field"), [
    ({"kind": "rumour", "channel": "phone", "text": "x"}, "kind"),
    ({"kind": "update", "channel": "pigeon", "text": "x"}, "channel"),
    ({"kind": "update", "channel": "phone", "text": "  "}, "text"),
    ({"kind": "update", "channel": "phone", "text": "x", "occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
])
def test_a_bad_progress_note_is_400(api, world, payload, field):
    order = world.order_in("in_production")
    before = snapshot(order)
    refused(api(world.staff).post(order_url(order, "progress"), payload, format="json"), 400, field)
    assert snapshot(order) == before


@pytest.mark.spec("API-1", "ORD-2", "WF-1", "ORG-1")
def test_a_question_is_answered_once_by_the_department(api, world):
    order = world.order_in("in_production")
    client = api(world.staff)
    update = client.post(order_url(order, "progress"), {"kind": "update", "channel": "phone", "text": "已发货"},
                         format="json").data
    question = client.post(order_url(order, "progress"), {"kind": "question", "channel": "email",
                                                            "text": "何时到货？"}, format="json").data
    before = snapshot(order)
    refused(client.post(order_url(order, f"progress/{update['id']}/answer"), {"answer": "x"}, format="json"), 409)
    refused(client.post(order_url(order, f"progress/{question['id']}/answer"), {"answer": " "}, format="json"), 400,
            "answer")
    refused(api(world.quality).post(order_url(order, f"progress/{question['id']}/answer"), {"answer": "周五"},
                                    format="json"), 403)
    refused(api(world.outsider).post(order_url(order, f"progress/{question['id']}/answer"), {"answer": "周五"},
                                     format="json"), 404)
    refused(client.post(order_url(order, "progress/999999/answer"), {"answer": "周五"}, format="json"), 404)
    assert snapshot(order) == before
    assert client.post(order_url(order, f"progress/{question['id']}/answer"), {"answer": "周五"},
                       format="json").status_code == 200
    before = snapshot(order)
    refused(client.post(order_url(order, f"progress/{question['id']}/answer"), {"answer": "改为周六"},
                        format="json"), 409)
    assert snapshot(order) == before


# --- 404 on every endpoint ------------------------------------------------------------------------

EVERY_ORDER_ENDPOINT = [
    ("get", ""), ("patch", ""), ("get", "timeline"), ("get", "progress"), ("post", "progress"),
    ("post", "progress/{note}/answer"), ("get", "attachments"), ("post", "attachments"),
    *[("post", a) for a in ("findings", "approve", "return", "resubmit", "start-production", "cancel", "ship",
                            "schedule-installation")],
]


@pytest.mark.spec("API-1", "ORG-1")
def test_another_departments_records_are_404_on_every_endpoint(api, world):
    # given an order in installation with a delivery and a logged question
    order = world.order_in("installing")
    note = services.progress_note_add(order=order, actor=world.staff, kind="question", channel="phone", text="?")
    delivery, installation = order.deliveries.get(), order.installation
    before = snapshot(order)
    for role in ("outsider", "production"):
        client = api(world.user(role))
        for method, action in EVERY_ORDER_ENDPOINT:
            url = order_url(order, action.format(note=note.pk))
            r = getattr(client, method)(url, {"comment": "x"} if method != "get" else None,
                                        format="json" if method != "get" else None)
            assert r.status_code == 404, (role, method, url, r.status_code)
        for url in (delivery_url(delivery), delivery_url(delivery, "timeline"), installation_url(installation),
                    installation_url(installation, "timeline")):
            assert client.get(url).status_code == 404, (role, url)
        for url in (delivery_url(delivery, "confirm"), delivery_url(delivery, "reject"),
                    installation_url(installation, "start"), installation_url(installation, "commission"),
                    installation_url(installation, "acceptance")):
            assert client.post(url, {"comment": "x", "result": "accepted"}, format="json").status_code == 404
    assert snapshot(order) == before
