"""VIS-2: a customer acts through a signed, single-use, expiring link bound to one record and one
purpose; anything else is refused with a clear message and records nothing (issue 6 §3)."""
from __future__ import annotations

import datetime as dt
import hashlib
import threading

import pytest
import time_machine
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from presales.models import Inquiry
from qsm.links import services
from qsm.links.models import SignedLink
from qsm.links.registry import LinkPurpose, register_purpose, unregister_purpose
from qsm.links.services import LinkRefused, link_consume, link_issue, link_revoke
from qsm.links.views import qr_token
from qsm.workflow import engine
from qsm.workflow.models import Event
from qsm.workflow.selectors import timeline
from tests.builders.inquiries import new_inquiry

PURPOSE = "test_feedback"


class FeedbackHandler:
    """A test-only purpose: the customer leaves a comment on the record's timeline."""

    def get(self, request, use):
        return HttpResponse(f"feedback for {use.record.pk}")

    def post(self, request, use):
        text = request.POST.get("text", "").strip()
        if not text:
            return HttpResponse("write something", status=400)  # form errors: the link stays usable
        if text == "boom":
            raise RuntimeError("the customer's action failed")
        engine.note(use.record, actor=use.actor, kind=Event.Kind.COMMENT, action="customer_feedback", comment=text)
        return HttpResponse("thank you")


@pytest.fixture
def purpose():
    register_purpose(LinkPurpose(code=PURPOSE, model=Inquiry, label="feedback", handler=FeedbackHandler()))
    register_purpose(LinkPurpose(code="test_other", model=Inquiry, label="other", handler=FeedbackHandler()))
    yield PURPOSE
    unregister_purpose(PURPOSE)
    unregister_purpose("test_other")


@pytest.fixture
def inquiry(staff_user):
    return new_inquiry(actor=staff_user)


def _events(record) -> int:
    return Event.objects.filter(object_id=record.pk, content_type__model="inquiry").count()


def _token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _refused(response, status: int, reason: str):
    assert response.status_code == status, response.status_code
    html = response.content.decode()
    assert f'data-reason="{reason}"' in html
    assert "链接" in html and "link" in html  # said in Chinese and in English
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.spec("VIS-2")
def test_a_valid_link_works_once_and_the_customer_is_on_the_timeline(purpose, inquiry, staff_user):
    link, url = link_issue(inquiry, PURPOSE, ttl=dt.timedelta(days=7), actor=staff_user, contact_name="王经理")
    # the token is stored hashed only
    token = _token(url)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not SignedLink.objects.filter(token_hash=token).exists() and token not in link.token_hash
    client = Client()  # no login
    # opening the page does not use the link up
    page = client.get(url)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    # the token never reaches another site in a Referer (and the page's form keeps its Origin for CSRF)
    assert page["Referrer-Policy"] == "same-origin"
    before = _events(inquiry)
    # when the customer submits
    response = client.post(url, {"text": "安装很好，谢谢"})
    # then it is recorded once, via the link, with the customer as actor
    assert response.status_code == 200
    event = Event.objects.filter(object_id=inquiry.pk, content_type__model="inquiry").latest("id")
    assert _events(inquiry) == before + 1
    assert (event.comment, event.via, event.actor_kind, event.actor, event.actor_label, event.link_id) == (
        "安装很好，谢谢", "link", "customer", None, "王经理", link.pk)
    with translation.override("zh-hans"):
        entry = timeline(inquiry)[-1]
    assert entry.actor_name == f"王经理（客户，链接 #{link.pk}）" and entry.via_label == "客户链接"
    link.refresh_from_db()
    assert link.used_at is not None
    # and a second use is refused (410) and records nothing
    _refused(client.post(url, {"text": "again"}), 410, "used")
    _refused(client.get(url), 410, "used")
    assert _events(inquiry) == before + 1


@pytest.mark.spec("VIS-2")
def test_a_forged_link_is_refused_and_records_nothing(purpose, inquiry, staff_user):
    link_issue(inquiry, PURPOSE, ttl=dt.timedelta(days=7), actor=staff_user)
    before = _events(inquiry)
    client = Client()
    for forged in ("x" * 43, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "short"):
        url = reverse("links:open", args=[forged])
        _refused(client.get(url), 404, "invalid")
        _refused(client.post(url, {"text": "hi"}), 404, "invalid")
    assert _events(inquiry) == before


@pytest.mark.spec("VIS-2")
def test_an_expired_link_is_refused_and_records_nothing(purpose, inquiry, staff_user):
    _link, url = link_issue(inquiry, PURPOSE, ttl=dt.timedelta(days=7), actor=staff_user)
    before = _events(inquiry)
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, seconds=1)):
        _refused(Client().post(url, {"text": "late"}), 410, "expired")
        _refused(Client().get(url), 410, "expired")
    assert _events(inquiry) == before


@pytest.mark.spec("VIS-2")
def test_a_revoked_link_is_refused_and_records_nothing(purpose, inquiry, staff_user):
    link, url = link_issue(inquiry, PURPOSE, ttl=dt.timedelta(days=7), actor=staff_user)
    link_revoke(link, actor=staff_user)
    before = _events(inquiry)
    _refused(Client().post(url, {"text": "hi"}), 410, "revoked")
    assert _events(inquiry) == before and SignedLink.objects.get(pk=link.pk).used_at is None


@pytest.mark.spec("VIS-2")
def test_a_link_for_another_purpose_or_another_record_is_refused(purpose, inquiry, staff_user):
    other = new_inquiry(actor=staff_user, subject="另一个")
    link, url = link_issue(inquiry, PURPOSE, ttl=dt.timedelta(days=7), actor=staff_user)
    token = _token(url)
    before = (_events(inquiry), _events(other))
    for kwargs in ({"purpose": "test_other"}, {"purpose": PURPOSE, "record": other}):
        with pytest.raises(LinkRefused) as refused:
            with link_consume(token, kwargs["purpose"], record=kwargs.get("record")) as use:
                engine.note(use.record, actor=use.actor, kind="comment", comment="should not be written")
        assert (refused.value.reason, refused.value.status) == ("invalid", 404)
    assert (_events(inquiry), _events(other)) == before
    assert SignedLink.objects.get(pk=link.pk).used_at is None  # and it still works for its own purpose
    with link_consume(token, PURPOSE, record=inquiry) as use:
        assert use.record == inquiry


@pytest.mark.spec("VIS-2")
def test_a_failed_action_does_not_use_the_link_up(purpose, inquiry, staff_user):
    link, url = link_issue(inquiry, PURPOSE, ttl=dt.timedelta(days=7), actor=staff_user)
    before = _events(inquiry)
    client = Client(raise_request_exception=False)
    assert client.post(url, {"text": ""}).status_code == 400  # a form error
    assert client.post(url, {"text": "boom"}).status_code == 500  # the action itself failed
    assert SignedLink.objects.get(pk=link.pk).used_at is None and _events(inquiry) == before
    assert client.post(url, {"text": "终于好了"}).status_code == 200
    assert _events(inquiry) == before + 1


@pytest.mark.spec("VIS-2")
@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_use_the_link_once(purpose, staff_user):
    inquiry = new_inquiry(actor=staff_user)
    _link, url = link_issue(inquiry, PURPOSE, ttl=dt.timedelta(days=7), actor=staff_user)
    token = _token(url)
    barrier = threading.Barrier(2)
    outcomes: list = []

    def submit(text: str):
        try:
            barrier.wait(timeout=30)
            with link_consume(token, PURPOSE) as use:
                engine.note(use.record, actor=use.actor, kind="comment", comment=text)
            outcomes.append("ok")
        except LinkRefused as refused:
            outcomes.append(refused.reason)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(t,)) for t in ("first", "second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "used"]
    assert Event.objects.filter(object_id=inquiry.pk, content_type__model="inquiry", kind="comment").count() == 1


def test_a_link_is_issued_only_for_a_registered_purpose_and_its_model(purpose, inquiry, staff_user):
    with pytest.raises(ValueError):
        link_issue(inquiry, "nobody_registered_this", ttl=dt.timedelta(days=1), actor=staff_user)
    with pytest.raises(ValueError):
        link_issue(staff_user, PURPOSE, ttl=dt.timedelta(days=1), actor=staff_user)
    with pytest.raises(ValueError):
        link_issue(inquiry, PURPOSE, ttl=dt.timedelta(0), actor=staff_user)
    assert services.TOKEN_BYTES >= 32


@pytest.mark.spec("VIS-2")
def test_staff_get_the_qr_code_of_a_link_for_print(purpose, inquiry, staff_user):
    _link, url = link_issue(inquiry, PURPOSE, ttl=dt.timedelta(days=7), actor=staff_user)
    staff = Client()
    staff.force_login(staff_user)
    signed = qr_token(url)
    svg = staff.get(reverse("links:qr", args=["svg"]), {"u": signed})
    png = staff.get(reverse("links:qr", args=["png"]), {"u": signed})
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert "no-store" in svg["Cache-Control"]
    # nobody can make it draw another URL, and it is for staff only
    assert staff.get(reverse("links:qr", args=["svg"]), {"u": "http://evil.example/"}).status_code == 404
    anonymous = Client().get(reverse("links:qr", args=["svg"]), {"u": signed})
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


class CancelHandler:
    """A test-only purpose whose customer action is a transition the table allows the customer."""

    def get(self, request, use):
        return HttpResponse("cancel?")

    def post(self, request, use):
        engine.fire(use.record, "cancel", actor=use.actor, comment=request.POST.get("reason", ""))
        return HttpResponse("cancelled")


@pytest.mark.spec("VIS-2", "WF-1")
def test_a_customer_fires_a_transition_the_table_allows_through_a_link(inquiry, staff_user, monkeypatch):
    from presales.workflows import INQUIRY_WORKFLOW
    from qsm.workflow.actors import customer_via
    from qsm.workflow.engine import Transition, Workflow

    cancel = INQUIRY_WORKFLOW.by_action["cancel"]
    monkeypatch.setitem(engine._registry, Inquiry, Workflow(model=Inquiry, transitions=[
        Transition("cancel", cancel.sources, cancel.target, cancel.label, cancel.allowed | customer_via("test_cancel"),
                   effect=cancel.effect, comment_required=True)]))
    register_purpose(LinkPurpose(code="test_cancel", model=Inquiry, label="cancel", handler=CancelHandler()))
    register_purpose(LinkPurpose(code="test_wrong", model=Inquiry, label="wrong", handler=CancelHandler()))
    try:
        # a link for another purpose does not carry the right to cancel: refused, nothing written
        _wrong, wrong_url = link_issue(inquiry, "test_wrong", ttl=dt.timedelta(days=1), actor=staff_user)
        assert Client().post(wrong_url, {"reason": "不需要了"}).status_code == 403
        assert Inquiry.objects.get(pk=inquiry.pk).status == "new"
        # the link for the allowed purpose works, and the transition is the customer's, via the link
        link, url = link_issue(inquiry, "test_cancel", ttl=dt.timedelta(days=1), actor=staff_user, contact_name="李总")
        assert Client().post(url, {"reason": "项目取消"}).status_code == 200
        event = Event.objects.filter(object_id=inquiry.pk, content_type__model="inquiry").latest("id")
        assert (event.action, event.to_state, event.actor_kind, event.actor_label, event.via, event.link_id) == (
            "cancel", "cancelled", "customer", "李总", "link", link.pk)
        assert SignedLink.objects.get(pk=_wrong.pk).used_at is None
    finally:
        unregister_purpose("test_cancel")
        unregister_purpose("test_wrong")


def test_a_print_page_embeds_the_qr_code_inline(purpose, inquiry, staff_user):
    from django.template import Context, Template

    _link, url = link_issue(inquiry, PURPOSE, ttl=dt.timedelta(days=7), actor=staff_user)
    html = Template("{% load customer_links %}{{ url|qr_svg }}").render(Context({"url": "https://qsm.example" + url}))
    assert html.startswith("<svg") and _token(url) not in html  # the code's picture, not the token as text
