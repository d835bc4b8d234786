"""Issue 3 end to end through the API, as a client program would drive it (ORD-1..4)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from orders.models import Order
from qsm.org.models import Role
from tests.api import test_orders_support as support
from tests.api.test_orders_support import DELIVERIES, INSTALLATIONS, ORDERS, delivery_url, installation_url, order_url
from tests.builders.orders import conversion_json
from tests.factories import ProductFactory, UserFactory

fast_passwords = support.fast_passwords


def ok(response, code: int = 200):
    assert response.status_code == code, (response.status_code, getattr(response, "data", None))
    return response.data


def actions(data) -> set[str]:
    return {a["action"] for a in data["available_actions"]}


@pytest.mark.spec("API-1", "ORD-1", "ORD-2", "ORD-3", "ORD-4", "PRE-4", "WF-1", "WF-2", "WF-3", "SEARCH-1", "NTF-1")
def test_issue_3_journey_through_the_api(api, inquiry_in, sales_user, production_department, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sales = api(sales_user)
    priced = ProductFactory(code="CNC-200", name="数控机床 CNC-200", list_price=Decimal("100000.00"))
    installer = UserFactory(username="installer", department=production_department, roles=[Role.STAFF])
    engineer = api(installer)
    # four-eyes (ORG-1): a colleague decides the review of the order sales_user converted and amends
    reviewer_user = UserFactory(username="reviewer", department=sales_user.department, roles=[Role.STAFF])
    reviewer = api(reviewer_user)

    # given a converted inquiry: an order in review with its clock running
    inquiry = inquiry_in("acknowledged")
    order = ok(sales.post(f"{ORDERS}from-inquiry/", conversion_json(inquiry), format="json"), 201)
    url = order_url(order["id"])
    assert order["status"] == "review" and order["due_at"] and order["source_inquiry_number"] == inquiry.number
    review_due = order["due_at"]
    assert actions(order) == set()
    assert actions(reviewer.get(url).data) == {"approve", "return"}

    # when the reviewer fails two checklist items and returns it with two problems
    order = ok(sales.post(url + "findings/", {"items": [
        {"item": "customer", "result": "pass"}, {"item": "items", "result": "pass"},
        {"item": "prices", "result": "fail", "note": "单价未定"},
        {"item": "delivery_date", "result": "fail", "note": "未给交期"},
    ]}, format="json"))
    assert {f["item"]: f["result"] for f in order["review_rounds"][0]["findings"]} == {
        "customer": "pass", "items": "pass", "prices": "fail", "delivery_date": "fail"}
    order = ok(reviewer.post(url + "return/", {"problems": "1. 请确认单价\n2. 请给出交货日期"}, format="json"))
    # the review clock pauses; what is left due is the promised date, required at conversion since issue 7
    assert order["status"] == "returned" and order["due_at"] != review_due
    assert [(r["number"], r["outcome"], r["problems"]) for r in order["review_rounds"]] == [
        (1, "returned", "1. 请确认单价\n2. 请给出交货日期")]
    assert order["review_rounds"][0]["reviewer"] == reviewer_user.pk and order["review_rounds"][0]["decided_at"]
    assert ok(reviewer.post(url + "approve/", {}, format="json"), 409)["code"] == "transition_not_allowed"

    # and the customer's amendment comes back for a second round
    promised = (timezone.localdate() + dt.timedelta(days=45)).isoformat()
    order = ok(sales.patch(url, {
        "promised_date": promised, "installation_required": True, "site_address": "苏州工业园区星湖街 1 号",
        "site_contact": "陈工 13800001111", "customer_reference": "PO-2026-031", "comment": "客户来函修改",
        "lines": [{"product": priced.pk, "quantity": "3", "unit_price": "80000"}]}, format="json"))
    assert order["lines"][0]["price_in_range"] is False
    order = ok(sales.post(url + "resubmit/", {"comment": "客户已修改"}, format="json"))
    assert order["status"] == "review" and order["due_at"]
    assert [(r["number"], r["outcome"]) for r in order["review_rounds"]] == [(1, "returned"), (2, "open")]
    assert [c["item"] for c in order["review_checklist"]][-1] == "installation"

    # a price outside the range does not simply pass: it is approved with a waiver and a reason
    every_item_passes = [{"item": item, "result": "pass"} for item in
                         ("customer", "items", "prices", "delivery_date", "installation")]
    ok(sales.post(url + "findings/", {"items": every_item_passes}, format="json"))
    ok(sales.post(url + "approve/", {}, format="json"), 403)  # who amended it does not approve it (four-eyes)
    refused = ok(reviewer.post(url + "approve/", {}, format="json"), 400)
    assert "prices" in refused
    ok(sales.post(url + "findings/", {"items": [{"item": "prices", "result": "waived", "note": "年度框架协议价"}]},
                  format="json"))
    order = ok(reviewer.post(url + "approve/", {"comment": "价格按框架协议"}, format="json"))
    assert order["status"] == "approved" and order["approved_at"]
    assert [r["outcome"] for r in order["review_rounds"]] == ["returned", "approved"]
    assert {f["item"]: (f["result"], f["note"]) for f in order["review_rounds"][1]["findings"]}["prices"] == (
        "waived", "年度框架协议价")

    # production, then two partial deliveries with a customer update and an answered question
    order = ok(sales.post(url + "start-production/", {}, format="json"))
    assert order["status"] == "in_production" and actions(order) == {"ship"}  # cancelling is the manager's
    line_id = order["lines"][0]["id"]
    first = ok(sales.post(url + "ship/", {"quantities": [{"order_line": line_id, "quantity": "2"}], "carrier": "顺丰 SF1234"},
                          format="json"), 201)
    assert (first["number"], first["status"], first["lines"][0]["quantity"]) == (1, "shipped", "2.00")
    assert {a["action"] for a in first["available_actions"]} == {"confirm", "reject"}
    first = ok(sales.post(delivery_url(first["id"], "confirm"), {"quality_note": "外观、数量无误"}, format="json"))
    assert first["status"] == "delivered" and first["delivered_at"]
    order = ok(sales.get(url))
    assert order["status"] == "delivering"
    assert (order["lines"][0]["delivered_quantity"], order["lines"][0]["outstanding"]) == ("2.00", "1.00")
    update = ok(sales.post(url + "progress/", {"kind": "update", "channel": "phone",
                                               "text": "第一批 2 台已到货，第 3 台下周发出"}, format="json"), 201)
    question = ok(sales.post(url + "progress/", {"kind": "question", "channel": "email",
                                                 "text": "第 3 台能否提前？"}, format="json"), 201)
    answered = ok(sales.post(url + f"progress/{question['id']}/answer/", {"answer": "可提前两天发货"},
                             format="json"))
    assert answered["answered_by"] == sales_user.pk and answered["answered_at"]
    second = ok(sales.post(url + "ship/", {"quantities": [{"order_line": line_id, "quantity": "1"}]}, format="json"), 201)
    ok(sales.post(delivery_url(second["id"], "confirm"), {"quality_note": "数量无误"}, format="json"))
    order = ok(sales.get(url))
    assert order["status"] == "delivered" and order["delivered_at"]
    assert order["follow_up_due_at"] is None and order["visit_due"] is False  # the installation is still to come
    assert [(d["number"], d["status"]) for d in order["deliveries"]] == [(1, "delivered"), (2, "delivered")]
    assert [(n["id"], n["kind"], n["answer"]) for n in order["progress_notes"]] == [
        (update["id"], "update", ""), (question["id"], "question", "可提前两天发货")]
    assert [d["order_number"] for d in ok(sales.get(f"{DELIVERIES}?q={order['number']}"))["results"]] == [
        order["number"]] * 2

    # an installation is scheduled with a named engineer, who is told and now sees the order
    ok(engineer.get(url), 404)
    order = ok(sales.post(url + "schedule-installation/", {
        "scheduled_for": timezone.localdate().isoformat(), "engineers": [installer.pk]}, format="json"))
    assert order["status"] == "installing"
    installation = order["installation"]
    assert installation["status"] == "scheduled" and installation["engineers"] == [
        {"id": installer.pk, "name": str(installer)}]
    assert engineer.get("/api/notifications/unread-count/").data == {"count": 1}
    assert [o["id"] for o in ok(engineer.get(ORDERS))["results"]] == [order["id"]]
    iurl = installation_url(installation["id"])
    assert {a["action"] for a in ok(engineer.get(iurl))["available_actions"]} == {"start"}

    # acceptance before commissioning is refused
    ok(engineer.post(iurl + "acceptance/", {"result": "accepted"}, format="json"), 409)

    # commissioned, rejected by the customer, commissioned again, accepted with remarks
    ok(engineer.post(iurl + "start/", {}, format="json"))
    commissioning = {"site_work": "安装调平、接电、试切", "checklist": [{"item": "空载运行 2 小时", "ok": True},
                                                                 {"item": "定位精度", "ok": True}],
                     "measurements": [{"name": "定位精度", "value": "0.008", "unit": "mm"}], "notes": "合格"}
    data = ok(engineer.post(iurl + "commission/", commissioning, format="json"))
    assert data["status"] == "commissioned" and data["commissioning_rounds"][0]["measurements"][0]["value"] == "0.008"
    data = ok(engineer.post(iurl + "acceptance/", {"result": "rejected", "remarks": "主轴噪音偏大"}, format="json"))
    assert data["status"] == "rework"
    assert ok(sales.get(url))["status"] == "installing"
    ok(engineer.post(iurl + "commission/", {**commissioning, "site_work": "更换主轴轴承后复测"}, format="json"))
    data = ok(engineer.post(iurl + "acceptance/", {"result": "remarks", "remarks": "需补充操作培训",
                                                   "feedback": "安装及时，整体满意", "signatory": "陈工"}, format="json"))
    assert data["status"] == "accepted" and data["accepted_at"]
    assert [(a["number"], a["result"], a["remarks"]) for a in data["acceptance_rounds"]] == [
        (1, "rejected", "主轴噪音偏大"), (2, "remarks", "需补充操作培训")]
    # ORD-3: each commissioning is its own round, the first one kept as it was
    assert [(c["number"], c["site_work"]) for c in data["commissioning_rounds"]] == [
        (1, "安装调平、接电、试切"), (2, "更换主轴轴承后复测")]
    assert (data["acceptance_rounds"][1]["customer_feedback"], data["acceptance_rounds"][1]["customer_signatory"]) == (
        "安装及时，整体满意", "陈工")
    # and the signed acceptance form's scan is attached by the engineer
    scan = ok(engineer.post(url + "attachments/", {"file": SimpleUploadedFile("验收单.pdf", b"%PDF-1.4 signed"),
                                                   "description": "客户签字验收单"}, format="multipart"), 201)
    assert [a["id"] for a in ok(sales.get(url + "attachments/"))] == [scan["id"]]
    assert scan["download_url"] == f"{url}attachments/{scan['id']}/download/"
    download = sales.get(scan["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 signed"

    # then the order is accepted and shows a follow-up visit due (ORD-4)
    order = ok(sales.get(url))
    assert order["status"] == "accepted" and order["accepted_at"]
    assert order["visit_due"] is True and order["follow_up_reason"] == "accepted" and order["follow_up_due_at"]
    assert order["available_actions"] == [] and order["is_late"] is False
    assert Order.objects.get(pk=order["id"]).visit_due
    assert [o["id"] for o in ok(sales.get(f"{ORDERS}?visit_due=true"))["results"]] == [order["id"]]
    assert [i["id"] for i in ok(sales.get(f"{INSTALLATIONS}?status=accepted"))["results"]] == [installation["id"]]
    # and the timeline tells the whole story, oldest first (WF-2)
    entries = ok(sales.get(url + "timeline/"))
    assert [(e["action"], e["to_state"]) for e in entries if e["kind"] == "transition" and not e["subject"]] == [
        ("return", "returned"), ("resubmit", "review"), ("approve", "approved"),
        ("start_production", "in_production"), ("ship", "delivering"), ("ship", "delivering"),
        ("complete_delivery", "delivered"), ("schedule_installation", "installing"), ("accept", "accepted")]
    assert entries[0]["kind"] == "created" and entries[-1]["kind"] == "attachment"
    assert {c["field"] for e in entries if e["kind"] == "edit" for c in e["changes"]} >= {
        "promised_date", "installation_required", "site_address"}
    # with its deliveries' and installation's own events merged in, as on the order page
    merged = [(e["subject"], e["action"], e["to_state"]) for e in entries if e["kind"] == "transition" and e["subject"]]
    assert [m[1:] for m in merged] == [
        ("confirm", "delivered"), ("confirm", "delivered"), ("start", "on_site"), ("commission", "commissioned"),
        ("reject", "rework"), ("commission", "commissioned"), ("accept", "accepted")]
    assert len({subject for subject, action, _state in merged if action == "confirm"}) == 2  # two deliveries
    installation_story = ok(sales.get(iurl + "timeline/"))
    assert [e["to_state"] for e in installation_story if e["kind"] == "transition"] == [
        "on_site", "commissioned", "rework", "commissioned", "accepted"]
