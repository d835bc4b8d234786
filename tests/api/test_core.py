"""API-1 core: authentication, who am I, my work, notifications, the schema and its page."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from qsm.notify.models import Notification
from qsm.notify.services import notify
from tests.api.conftest import inquiry_url
from tests.builders.inquiries import new_inquiry

SH = ZoneInfo("Asia/Shanghai")

EVERY_LIST = [
    "/api/me/", "/api/inbox/", "/api/org/customers/", "/api/org/customers/lookup/?q=a", "/api/org/products/",
    "/api/org/departments/", "/api/notifications/", "/api/notifications/unread-count/",
    "/api/presales/inquiries/", "/api/presales/inquiries/export/", "/api/orders/orders/",
]


@pytest.mark.spec("API-1", "ORG-1")
def test_every_endpoint_requires_authentication(db, staff_user, customer):
    inquiry = new_inquiry(actor=staff_user, customer=customer)
    anonymous = APIClient()
    for url in [*EVERY_LIST, inquiry_url(inquiry), inquiry_url(inquiry, "timeline"),
                f"/api/org/customers/{customer.pk}/history/"]:
        assert anonymous.get(url).status_code in (401, 403), url
    for url in ("/api/presales/inquiries/", inquiry_url(inquiry, "respond"), "/api/orders/orders/from-inquiry/",
                "/api/org/customers/", "/api/notifications/mark-read/"):
        assert anonymous.post(url, {"answer": "x"}, format="json").status_code in (401, 403), url
    assert inquiry.__class__.objects.get(pk=inquiry.pk).status == "new"


@pytest.mark.spec("API-1")
def test_a_token_is_obtained_with_username_and_password_and_authenticates(db, staff_user):
    client = APIClient()
    r = client.post("/api/auth/token/", {"username": "staff", "password": "pass-12345"}, format="json")
    assert r.status_code == 200
    token = r.data["token"]
    assert client.post("/api/auth/token/", {"username": "staff", "password": "wrong"}, format="json"
                       ).status_code == 400
    # the token alone (no session) authenticates every request
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    r = client.get("/api/me/")
    assert r.status_code == 200 and r.data["username"] == "staff"
    r = client.post("/api/presales/inquiries/", {"channel": "phone", "subject": "令牌", "question": "问",
                                                 "new_customer": {"name": "令牌客户"}}, format="json")
    assert r.status_code == 201, r.data
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.get("/api/me/").status_code in (401, 403)


@pytest.mark.spec("API-1", "ORG-1")
def test_me_tells_the_user_their_department_roles_and_language(api, manager, business_department):
    r = api(manager).get("/api/me/")
    assert r.status_code == 200
    assert r.data["id"] == manager.pk and r.data["roles"] == ["manager"] and r.data["language"] == "zh-hans"
    assert r.data["department"]["id"] == business_department.pk
    assert r.data["department"]["kind"] == "business"


@pytest.mark.spec("API-1")
@pytest.mark.parametrize(("language", "browser"), [("en", "zh-hans"), ("zh-hans", "en")])
def test_token_clients_are_answered_in_their_saved_language(db, staff_user, language, browser):
    # The page middleware cannot see a token user; the API sets the language after authenticating.
    staff_user.language = language
    staff_user.save(update_fields=["language"])
    client = APIClient()
    token = client.post("/api/auth/token/", {"username": "staff", "password": "pass-12345"}).data["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    r = client.get("/api/me/", HTTP_ACCEPT_LANGUAGE=browser)
    assert r.status_code == 200
    assert r["Content-Language"] == language


@pytest.mark.spec("API-1", "INBOX-1")
def test_the_inbox_lists_my_work_overdue_first(api, time_machine, staff_user, sales_user, sales_department,
                                               customer):
    # given an inquiry answered long ago and handed over, and two waiting for a first response
    time_machine.move_to(dt.datetime(2026, 3, 25, 10, 0, tzinfo=SH), tick=False)
    from presales import services

    fresh = new_inquiry(actor=staff_user, customer=customer, subject="今天的",
                         received_at=dt.datetime(2026, 3, 25, 9, 30, tzinfo=SH))
    late = new_inquiry(actor=staff_user, customer=customer, subject="上周的",
                        received_at=dt.datetime(2026, 3, 16, 9, 0, tzinfo=SH))
    handed = new_inquiry(actor=staff_user, customer=customer, subject="交给销售", answer="已答复")
    services.inquiry_hand_over(inquiry=handed, actor=staff_user, department=sales_department)
    # when
    mine = api(staff_user).get("/api/inbox/").data
    theirs = api(sales_user).get("/api/inbox/").data
    # then the owner sees the two waiting for an answer, the overdue one first
    assert [i["number"] for i in mine["items"]] == [late.number, fresh.number]
    assert [i["is_overdue"] for i in mine["items"]] == [True, False] and mine["overdue_count"] == 1
    assert mine["items"][0]["url"] == late.get_absolute_url() and mine["items"][0]["waiting_for"]
    # and the receiving department sees the hand-over to acknowledge
    assert [i["number"] for i in theirs["items"]] == [handed.number]
    assert theirs["items"][0]["due_at"] is not None


@pytest.mark.spec("API-1", "NTF-1")
def test_notifications_list_count_and_mark_read(api, staff_user, colleague):
    # given three notifications for me and one for a colleague
    for n in range(3):
        notify(recipients=[staff_user], kind="order_approved", title="通知 %(n)s", params={"n": n}, email=False)
    notify(recipients=[colleague], kind="order_approved", title="别人的", email=False)
    theirs = Notification.objects.get(recipient=colleague)
    client = api(staff_user)
    # when I read the list two at a time
    first = client.get("/api/notifications/?page_size=2").data
    second = client.get(first["next"]).data
    # then I see only mine, newest first, on keyset pages
    assert [n["title"] for n in first["results"] + second["results"]] == ["通知 2", "通知 1", "通知 0"]
    assert second["next"] is None
    assert client.get("/api/notifications/unread-count/").data == {"count": 3}
    # and marking one read (and trying a colleague's) changes only mine
    r = client.post("/api/notifications/mark-read/", {"ids": [first["results"][0]["id"], theirs.pk]}, format="json")
    assert r.data == {"marked": 1, "unread": 2}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.post("/api/notifications/mark-read/", {"ids": []}, format="json").data == {"marked": 0,
                                                                                             "unread": 2}
    assert client.post("/api/notifications/mark-read/", {}, format="json").data == {"marked": 2, "unread": 0}
    assert all(n["is_read"] for n in client.get("/api/notifications/").data["results"])
    assert client.post("/api/notifications/mark-read/", {"ids": ["x"]}, format="json").status_code == 400


@pytest.mark.spec("API-1")
def test_the_schema_generates_without_warnings_and_the_docs_page_answers(api, staff_user, tmp_path):
    # fails with SchemaGenerationError on any warning or error, and validates against OpenAPI 3
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text()
    for path in ("/api/presales/inquiries/{id}/hand-over/", "/api/orders/orders/from-inquiry/",
                 "/api/presales/inquiries/export/", "/api/auth/token/"):
        assert f"  {path}:" in schema
    client = api(staff_user)
    r = client.get("/api/schema/")
    assert r.status_code == 200 and b"openapi" in r.content
    assert client.get("/api/docs/").status_code == 200
