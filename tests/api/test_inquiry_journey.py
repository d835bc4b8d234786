"""PRE-1..4 end to end through the API, as a client program would drive it."""
from __future__ import annotations

import pytest

from presales.models import Inquiry
from qsm.org.models import Customer
from tests.api.conftest import inquiry_url
from tests.builders.orders import conversion_json


@pytest.mark.spec("API-1", "PRE-1", "PRE-2", "PRE-3", "PRE-4", "WF-1", "WF-2", "NTF-1")
def test_whole_journey_through_the_api(api, staff_user, sales_user, production_user, production_department,
                                       sales_department, product):
    staff, sales, producer = api(staff_user), api(sales_user), api(production_user)

    # given an inquiry logged by phone for a customer created in the same request
    r = staff.post("/api/presales/inquiries/", {
        "channel": "phone", "subject": "询问数控机床参数", "question": "主轴转速多少？",
        "new_customer": {"name": "江南精密制造", "phone": "0510-8888000", "contact_name": "王工"},
        "products": [product.pk],
    }, format="json")
    assert r.status_code == 201, r.data
    inquiry_id = r.data["id"]
    assert r.data["status"] == "new"
    assert r.data["customer_name"] == "江南精密制造"
    assert r.data["due_at"] is not None and r.data["is_overdue"] is False
    assert {a["action"] for a in r.data["available_actions"]} == {"respond", "cancel"}
    assert Customer.objects.get(pk=r.data["customer"]).contacts.get().name == "王工"

    # when it is answered, analysed and marked complex
    r = staff.post(inquiry_url(inquiry_id, "respond"), {"answer": "转速 12000 rpm"}, format="json")
    assert r.status_code == 200 and r.data["status"] == "answered" and r.data["responded_at"]
    r = staff.post(inquiry_url(inquiry_id, "analyse"), {
        "needs_analysis": "需要加工铝合金件", "recommendation": "CNC-100 加专用夹具",
        "recommended_products": [product.pk]}, format="json")
    assert r.status_code == 200, r.data
    assert r.data["recommended_products"][0]["code"] == product.code
    r = staff.post(inquiry_url(inquiry_id, "mark-complex"), {}, format="json")
    assert r.status_code == 200 and r.data["is_complex"] is True

    # and discussed with the production department, which is told and writes notes
    r = staff.post(inquiry_url(inquiry_id, "open-discussion"),
                   {"topic": "夹具方案", "departments": [production_department.pk]}, format="json")
    assert r.status_code == 200 and r.data["status"] == "discussion"
    assert r.data["discussion"]["invited_departments"] == [{"id": production_department.pk,
                                                            "name": production_department.name}]
    assert producer.get("/api/notifications/unread-count/").data == {"count": 1}
    r = producer.post(inquiry_url(inquiry_id, "notes"), {"body": "夹具需两周设计"}, format="json")
    assert r.status_code == 201 and r.data["author"] == production_user.pk
    assert [n["body"] for n in staff.get(inquiry_url(inquiry_id, "notes")).data] == ["夹具需两周设计"]

    # and a tailored solution is written twice and version 2 is sent
    r1 = staff.post(inquiry_url(inquiry_id, "solutions"), {"title": "定制方案", "content": "初稿"}, format="json")
    r2 = producer.post(inquiry_url(inquiry_id, "solutions"),
                       {"title": "定制方案", "content": "改用液压夹具", "products": [product.pk]}, format="json")
    assert (r1.status_code, r2.status_code) == (201, 201)
    assert (r1.data["version"], r2.data["version"]) == (1, 2)
    r = staff.post(inquiry_url(inquiry_id, f"solutions/{r2.data['id']}/mark-sent"), {"via": "email"}, format="json")
    assert r.status_code == 200 and r.data["sent_at"] and r.data["sent_via"] == "email"
    assert [s["version"] for s in staff.get(inquiry_url(inquiry_id, "solutions")).data] == [2, 1]
    log = staff.get(inquiry_url(inquiry_id, "communications")).data
    assert [(c["channel"], c["direction"]) for c in log] == [("email", "out")]

    # and handed over to sales, which acknowledges and converts it
    r = staff.post(inquiry_url(inquiry_id, "hand-over"), {"department": sales_department.pk, "note": "请跟进报价"},
                   format="json")
    assert r.status_code == 200 and r.data["status"] == "handed_over"
    assert r.data["handover_department_name"] == sales_department.name and r.data["due_at"]
    assert [a["action"] for a in sales.get(inquiry_url(inquiry_id)).data["available_actions"]] == [
        "acknowledge", "return"]
    r = sales.post(inquiry_url(inquiry_id, "acknowledge"), {}, format="json")
    assert r.status_code == 200 and r.data["status"] == "acknowledged"
    assert r.data["acknowledged_by"] == sales_user.pk
    convert = next(a for a in r.data["available_actions"] if a["action"] == "convert")
    r = sales.post(convert["url"], conversion_json(Inquiry.objects.get(pk=inquiry_id)), format="json")

    # then the order carries the customer, the products of the last solution and the needs
    assert r.status_code == 201, r.data
    order = r.data
    assert order["source_inquiry"] == inquiry_id and order["department"] == sales_department.pk
    assert order["customer_name"] == "江南精密制造"
    assert [line["product_code"] for line in order["lines"]] == [product.code]
    assert "需要加工铝合金件" in order["needs"] and "改用液压夹具" in order["needs"]
    assert sales.get(f"/api/orders/orders/{order['id']}/").status_code == 200
    detail = staff.get(inquiry_url(inquiry_id)).data
    assert detail["status"] == "converted" and detail["available_actions"] == []
    assert Inquiry.objects.get(pk=inquiry_id).status == "converted"
    # and the timeline (WF-2) tells the whole story, oldest first, with who did it
    entries = staff.get(inquiry_url(inquiry_id, "timeline")).data
    transitions = [(e["action"], e["from_state"], e["to_state"]) for e in entries if e["kind"] == "transition"]
    assert transitions == [
        ("respond", "new", "answered"), ("open_discussion", "answered", "discussion"),
        ("hand_over", "discussion", "handed_over"), ("acknowledge", "handed_over", "acknowledged"),
        ("convert", "acknowledged", "converted"),
    ]
    assert entries[0]["kind"] == "created" and entries[0]["actor"] == staff_user.pk
    edits = [c["field"] for e in entries if e["kind"] == "edit" for c in e["changes"]]
    assert {"needs_analysis", "recommendation", "recommended_products", "is_complex"} <= set(edits)
    assert entries[-1]["actor_name"] == str(sales_user)
