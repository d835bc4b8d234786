"""The API enforces the same rules as the pages: 409 illegal transition (nothing changes),
403 missing role, 404 another department's record, 400 bad input with field names."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from presales.models import Inquiry
from qsm.contacts.models import Channel
from qsm.org.models import Customer
from qsm.workflow.models import Attachment
from tests.api.conftest import inquiry_url, snapshot
from tests.builders.orders import conversion_json

# (endpoint, a state in which it is illegal, who tries it, a payload that is valid in itself)
ILLEGAL = [
    ("respond", "answered", "staff", {"answer": "再次答复"}),
    ("analyse", "new", "staff", {"needs_analysis": "需求"}),
    ("analyse", "handed_over", "staff", {"needs_analysis": "需求"}),
    ("mark-complex", "discussion", "staff", {}),
    ("mark-complex", "handed_over", "staff", {}),
    ("open-discussion", "new", "staff", {"topic": "方案", "departments": ["production"]}),
    ("hand-over", "new", "staff", {"department": "sales"}),
    ("hand-over", "closed", "staff", {"department": "sales"}),
    ("acknowledge", "acknowledged", "sales", {}),
    ("return", "acknowledged", "sales", {"comment": "不归我们"}),
    ("close", "new", "staff", {}),
    ("close", "discussion", "staff", {}),
    ("reopen", "answered", "staff", {"comment": "客户又来电"}),
    ("cancel", "closed", "staff", {"comment": "撤回"}),
    ("cancel", "handed_over", "staff", {"comment": "撤回"}),
    ("notes", "answered", "staff", {"body": "会议纪要"}),
    ("solutions", "answered", "staff", {"title": "方案", "content": "内容"}),
    ("solutions", "handed_over", "staff", {"title": "方案", "content": "内容"}),
]


@pytest.fixture
def actors(api, staff_user, sales_user):
    return {"staff": api(staff_user), "sales": api(sales_user)}


def _resolve(payload, production_department, sales_department):
    names = {"production": production_department.pk, "sales": sales_department.pk}
    return {k: ([names[i] for i in v] if isinstance(v, list) else names.get(v, v)) for k, v in payload.items()}


@pytest.mark.spec("API-1", "WF-1", "WF-2", "PRE-1", "PRE-2", "PRE-3", "PRE-4")
@pytest.mark.parametrize(("endpoint", "state", "who", "payload"), ILLEGAL,
                         ids=[f"{e}@{s}" for e, s, _w, _p in ILLEGAL])
def test_an_illegal_transition_is_409_and_changes_nothing(actors, inquiry_in, production_department,
                                                          sales_department, endpoint, state, who, payload):
    # given
    inquiry = inquiry_in(state)
    before = snapshot(inquiry)
    # when
    r = actors[who].post(inquiry_url(inquiry, endpoint), _resolve(payload, production_department, sales_department),
                         format="json")
    # then
    assert r.status_code == 409, r.data
    assert r.data["code"] == "transition_not_allowed" and r.data["detail"]
    assert snapshot(inquiry) == before == (state, before[1])


@pytest.mark.spec("API-1", "WF-1")
def test_editing_a_closed_inquiry_is_409(api, staff_user, inquiry_in):
    inquiry = inquiry_in("closed")
    before = snapshot(inquiry)
    r = api(staff_user).patch(inquiry_url(inquiry), {"subject": "改主题"}, format="json")
    assert r.status_code == 409
    assert snapshot(inquiry) == before
    assert Inquiry.objects.get(pk=inquiry.pk).subject != "改主题"


@pytest.mark.spec("API-1", "PRE-3", "WF-1")
def test_a_solution_is_sent_only_once(api, staff_user, inquiry_in):
    inquiry = inquiry_in("discussion")
    client = api(staff_user)
    solution = client.post(inquiry_url(inquiry, "solutions"), {"title": "方案", "content": "内容"}, format="json").data
    url = inquiry_url(inquiry, f"solutions/{solution['id']}/mark-sent")
    assert client.post(url, {"via": "email"}, format="json").status_code == 200
    r = client.post(url, {"via": "phone"}, format="json")
    assert r.status_code == 409
    assert len(client.get(inquiry_url(inquiry, "communications")).data) == 1


@pytest.mark.spec("API-1", "WF-2")
def test_intake_fields_are_edited_with_a_timeline_entry(api, staff_user, inquiry_in, product):
    inquiry = inquiry_in("new")
    r = api(staff_user).patch(inquiry_url(inquiry), {"subject": "更正主题", "channel": "email",
                                                     "products": [product.pk], "comment": "记录有误"}, format="json")
    assert r.status_code == 200, r.data
    with translation.override(staff_user.language):
        assert (r.data["subject"], r.data["channel"], r.data["channel_label"]) == ("更正主题", "email",
                                                                                    str(Channel.EMAIL.label))
    assert [p["id"] for p in r.data["products"]] == [product.pk]
    edits = [e for e in api(staff_user).get(inquiry_url(inquiry, "timeline")).data if e["kind"] == "edit"]
    assert {c["field"] for e in edits for c in e["changes"]} == {"subject", "channel", "products"}
    assert "记录有误" in [e["comment"] for e in edits]


@pytest.mark.spec("API-1", "WF-1")
@pytest.mark.parametrize("payload", [{"status": "closed"}, {"needs_analysis": "改"}, {"subject": "新", "owner": 1}])
def test_the_status_and_non_intake_fields_cannot_be_patched(api, staff_user, inquiry_in, payload):
    inquiry = inquiry_in("answered")
    before = snapshot(inquiry)
    r = api(staff_user).patch(inquiry_url(inquiry), payload, format="json")
    assert r.status_code == 400
    assert set(r.data) - {"detail", "code", "errors"} == set(payload) - {"subject"}
    assert snapshot(inquiry) == before
    assert Inquiry.objects.get(pk=inquiry.pk).subject == inquiry.subject


# --- 403: the role or the department is wrong ---------------------------------------------------


@pytest.mark.spec("API-1", "ORG-1", "PRE-1")
def test_a_quality_officer_cannot_log_an_inquiry_and_nothing_is_left_behind(api, quality_officer):
    customers = Customer.objects.count()
    r = api(quality_officer).post("/api/presales/inquiries/", {
        "channel": "phone", "subject": "咨询", "question": "问题", "new_customer": {"name": "新客户"}}, format="json")
    assert r.status_code == 403
    assert r.data["code"] == "permission_denied"
    # the customer quick-created in the same request was rolled back with the refused inquiry
    assert Customer.objects.count() == customers and not Inquiry.objects.exists()


@pytest.mark.spec("API-1", "ORG-1", "PRE-4", "WF-1")
def test_the_owning_department_cannot_acknowledge_its_own_hand_over(api, staff_user, manager, inquiry_in):
    inquiry = inquiry_in("handed_over")
    before = snapshot(inquiry)
    for user in (staff_user, manager):
        r = api(user).post(inquiry_url(inquiry, "acknowledge"), {}, format="json")
        assert r.status_code == 403, user
    assert snapshot(inquiry) == before


@pytest.mark.spec("API-1", "ORG-1", "WF-1")
@pytest.mark.parametrize(("who", "state", "endpoint", "payload"), [
    ("quality_officer", "new", "respond", {"answer": "答复"}),  # sees everything, works nothing
    ("quality_officer", "answered", "close", {}),
    ("production_user", "discussion", "hand-over", {"department": "sales"}),  # invited, not the owner
    ("sales_user", "handed_over", "cancel", {"comment": "撤回"}),  # the receiver cannot withdraw
])
def test_a_missing_role_is_403_and_changes_nothing(request, api, inquiry_in, production_department,
                                                   sales_department, who, state, endpoint, payload):
    inquiry = inquiry_in(state)
    before = snapshot(inquiry)
    client = api(request.getfixturevalue(who))
    r = client.post(inquiry_url(inquiry, endpoint), _resolve(payload, production_department, sales_department),
                    format="json")
    assert r.status_code == 403, r.data
    assert snapshot(inquiry) == before


# --- 404: another department's record, on every endpoint ----------------------------------------

EVERY_ENDPOINT = [
    ("get", ""), ("patch", ""), ("get", "timeline"), ("get", "notes"), ("post", "notes"), ("get", "solutions"),
    ("post", "solutions"), ("post", "solutions/{solution}/mark-sent"), ("get", "communications"),
    ("post", "communications"), ("get", "attachments"), ("post", "attachments"),
    ("get", "attachments/{attachment}/download"),
    *[("post", a) for a in ("respond", "analyse", "mark-complex", "open-discussion", "hand-over", "acknowledge",
                            "return", "close", "reopen", "cancel")],
]


@pytest.mark.spec("API-1", "ORG-1")
def test_another_departments_inquiry_is_404_on_every_endpoint(api, staff_user, other_department_staff,
                                                              inquiry_in, settings, tmp_path):
    # given a discussion with a solution and an attachment, in the customer-service department
    settings.MEDIA_ROOT = tmp_path
    inquiry = inquiry_in("discussion")
    owner = api(staff_user)
    solution = owner.post(inquiry_url(inquiry, "solutions"), {"title": "方案", "content": "内容"}, format="json").data
    attachment = owner.post(inquiry_url(inquiry, "attachments"),
                            {"file": SimpleUploadedFile("spec.pdf", b"%PDF-1.4 spec")}, format="multipart").data
    before = snapshot(inquiry)
    outsider = api(other_department_staff)
    # when the engineering department's staff tries every endpoint
    for method, action in EVERY_ENDPOINT:
        url = inquiry_url(inquiry, action.format(solution=solution["id"], attachment=attachment["id"]))
        r = getattr(outsider, method)(url, {"comment": "x", "answer": "x"} if method != "get" else None,
                                      format="json" if method != "get" else None)
        # then the record does not exist for them
        assert r.status_code == 404, (method, url, r.status_code)
    assert outsider.get("/api/presales/inquiries/").data["results"] == []
    assert snapshot(inquiry) == before


@pytest.mark.spec("API-1", "ORG-1", "PRE-4")
def test_converting_an_invisible_inquiry_is_404(api, other_department_staff, inquiry_in):
    inquiry = inquiry_in("acknowledged")
    r = api(other_department_staff).post("/api/orders/orders/from-inquiry/", conversion_json(inquiry), format="json")
    assert r.status_code == 404
    assert snapshot(inquiry)[0] == "acknowledged"


# --- 400: bad input names the field ---------------------------------------------------------------


@pytest.mark.spec("API-1", "PRE-1")
@pytest.mark.parametrize(("payload", "field"), [
    ({"channel": "phone", "question": "问题"}, "subject"),
    ({"channel": "phone", "subject": "   ", "question": "问题"}, "subject"),
    ({"channel": "fax", "subject": "主题", "question": "问题"}, "channel"),
    ({"subject": "主题", "question": "问题"}, "channel"),
    ({"channel": "phone", "subject": "主题"}, "question"),
    ({"channel": "phone", "subject": "主题", "question": "问题", "priority": "asap"}, "priority"),
    ({"channel": "phone", "subject": "主题", "question": "问题", "customer": None}, "customer"),
    ({"channel": "phone", "subject": "主题", "question": "问题", "customer": 999999}, "customer"),
    ({"channel": "phone", "subject": "主题", "question": "问题", "products": [999999]}, "products"),
    ({"channel": "phone", "subject": "主题", "question": "问题", "received_at": "2999-01-01T00:00:00Z"},
     "received_at"),
])
def test_bad_intake_is_400_with_the_field_named(api, staff_user, customer, payload, field):
    payload = {"customer": customer.pk, **payload}
    r = api(staff_user).post("/api/presales/inquiries/", payload, format="json")
    assert r.status_code == 400
    assert field in r.data, r.data
    assert not Inquiry.objects.exists()


@pytest.mark.spec("API-1", "PRE-1", "ORG-2")
def test_a_bad_new_customer_is_400_under_new_customer_and_nothing_is_created(api, staff_user, customer):
    client = api(staff_user)
    base = {"channel": "phone", "subject": "主题", "question": "问题"}
    # a blank name is refused by the input serializer
    r = client.post("/api/presales/inquiries/", {**base, "new_customer": {"name": ""}}, format="json")
    assert r.status_code == 400 and "name" in r.data["new_customer"]
    # a bad credit code is refused by customer_create, under new_customer
    r = client.post("/api/presales/inquiries/",
                    {**base, "new_customer": {"name": "新客户", "credit_code": "123"}}, format="json")
    assert r.status_code == 400 and "credit_code" in r.data["new_customer"], r.data
    # both an existing and a new customer is ambiguous
    r = client.post("/api/presales/inquiries/", {**base, "customer": customer.pk, "new_customer": {"name": "新"}},
                    format="json")
    assert r.status_code == 400 and "customer" in r.data
    # and an inquiry that fails its own checks takes the new customer with it
    r = client.post("/api/presales/inquiries/", {**base, "received_at": "2999-01-01T00:00:00Z",
                                                 "new_customer": {"name": "不该留下的客户"}}, format="json")
    assert r.status_code == 400 and "received_at" in r.data
    assert not Customer.objects.filter(name="不该留下的客户").exists()
    assert not Inquiry.objects.exists()


@pytest.mark.spec("API-1", "PRE-4", "WF-1")
def test_hand_over_to_a_non_business_department_is_400(api, staff_user, inquiry_in, production_department,
                                                        quality_department):
    inquiry = inquiry_in("answered")
    before = snapshot(inquiry)
    client = api(staff_user)
    for department in (production_department.pk, quality_department.pk):
        r = client.post(inquiry_url(inquiry, "hand-over"), {"department": department}, format="json")
        assert r.status_code == 400 and "department" in r.data, r.data
    r = client.post(inquiry_url(inquiry, "hand-over"), {"department": 999999}, format="json")
    assert r.status_code == 400 and "department" in r.data
    r = client.post(inquiry_url(inquiry, "hand-over"), {}, format="json")
    assert r.status_code == 400 and "department" in r.data
    assert snapshot(inquiry) == before


@pytest.mark.spec("API-1", "WF-1", "PRE-1", "PRE-3")
@pytest.mark.parametrize(("state", "endpoint", "payload", "field"), [
    ("new", "respond", {"answer": "  "}, "answer"),
    ("new", "cancel", {"comment": ""}, "comment"),
    ("new", "cancel", {}, "comment"),
    ("answered", "open-discussion", {"topic": "方案", "departments": []}, "is_complex"),
    ("answered", "analyse", {"needs_analysis": ""}, "needs_analysis"),
    ("discussion", "solutions", {"title": "", "content": "内容"}, "title"),
    ("discussion", "notes", {"body": ""}, "body"),
    ("answered", "communications", {"channel": "pigeon", "direction": "in", "summary": "x"}, "channel"),
    ("answered", "communications", {"channel": "phone", "direction": "in", "summary": ""}, "summary"),
])
def test_a_missing_requirement_is_400_and_changes_nothing(api, staff_user, inquiry_in, state, endpoint, payload,
                                                          field):
    inquiry = inquiry_in(state)
    before = snapshot(inquiry)
    r = api(staff_user).post(inquiry_url(inquiry, endpoint), payload, format="json")
    assert r.status_code == 400 and field in r.data, r.data
    assert snapshot(inquiry) == before


# --- WF-3 attachments -----------------------------------------------------------------------------


@pytest.mark.spec("API-1", "WF-3", "WF-2")
def test_attachments_are_uploaded_listed_and_downloaded(api, staff_user, sales_user, inquiry_in, settings,
                                                        tmp_path):
    settings.MEDIA_ROOT = tmp_path
    inquiry = inquiry_in("handed_over")
    r = api(staff_user).post(inquiry_url(inquiry, "attachments"),
                             {"file": SimpleUploadedFile("参数表.pdf", b"%PDF-1.4 data"), "description": "参数"},
                             format="multipart")
    assert r.status_code == 201, r.data
    assert (r.data["original_name"], r.data["size"], r.data["description"]) == ("参数表.pdf", 13, "参数")
    # the receiving department sees and downloads it
    listed = api(sales_user).get(inquiry_url(inquiry, "attachments")).data
    assert [a["id"] for a in listed] == [r.data["id"]]
    download = api(sales_user).get(listed[0]["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 data"
    timeline = api(staff_user).get(inquiry_url(inquiry, "timeline")).data
    assert timeline[-1]["kind"] == "attachment" and timeline[-1]["comment"] == "参数表.pdf"


@pytest.mark.spec("API-1", "WF-3")
@pytest.mark.parametrize(("name", "content"), [
    ("big.pdf", b"%PDF" + b"0" * 2048),  # over the limit set below
    ("tool.exe", b"MZ binary"),  # forbidden type
    ("page.txt", b"<html><script>alert(1)</script>"),  # allowed name, forbidden content
    ("empty.pdf", b""),
])
def test_an_oversize_or_forbidden_attachment_is_400(api, staff_user, inquiry_in, settings, tmp_path, name, content):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 1024
    inquiry = inquiry_in("answered")
    before = snapshot(inquiry)
    r = api(staff_user).post(inquiry_url(inquiry, "attachments"), {"file": SimpleUploadedFile(name, content)},
                             format="multipart")
    assert r.status_code == 400 and "file" in r.data, r.data
    assert not Attachment.objects.exists()
    assert snapshot(inquiry) == before
