"""VIS-1/VIS-2: the customer answers the survey through a signed, single-use, expiring link on a
public page; a forged, expired, used, revoked or another visit's link is refused and records nothing."""
from __future__ import annotations

import datetime as dt
import secrets

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.models import Question, Visit, VisitAnswer
from aftersales.services.visits import answer_key, visit_record, visit_send_link
from qsm.links.models import SignedLink
from qsm.workflow.models import Event
from tests.builders.aftersales import DIAGNOSIS, visit_build

pytestmark = pytest.mark.spec("VIS-1", "VIS-2")
UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0"


@pytest.fixture
def sent(staff_user):
    visit = visit_build(actor=staff_user, state="planned")
    visit, url = visit_send_link(visit=visit, actor=staff_user, contact_name="王经理")
    return visit, url


def _client(ip="198.51.100.23", **extra) -> Client:
    return Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=UA, **extra)


def _answers(visit: Visit, *, satisfaction=2, comment="安装后设备仍有异响") -> dict:
    data = {"satisfaction": str(satisfaction), "comments": comment, "suggestions": "希望响应更快"}
    for q in Question.objects.filter(version=visit.questionnaire_version):
        data[answer_key(q)] = {"scale": "2", "choice": (q.choices or [""])[0], "text": "无"}[q.kind]
    return data


def _nothing_recorded(visit: Visit, events_before: int) -> None:
    visit.refresh_from_db()
    assert visit.status == Visit.Status.LINK_SENT and visit.satisfaction is None and visit.done_at is None
    assert not VisitAnswer.objects.filter(visit=visit).exists()
    assert _events(visit) == events_before


def _events(visit: Visit) -> int:
    return Event.objects.filter(content_type=ContentType.objects.get_for_model(Visit), object_id=visit.pk).count()


def test_the_public_page_shows_only_the_company_what_was_done_and_the_questions(sent, staff_user):
    visit, url = sent
    case = visit.subject
    page = _client().get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'lang="zh-hans"' in html and 'id="survey-form"' in html
    assert case.number in html and case.subject in html and case.solution in html
    for q in Question.objects.filter(version=visit.questionnaire_version):
        assert q.text in html
    # nothing internal: no diagnosis, cause, owner or department, no staff names
    for internal in (DIAGNOSIS["diagnosis"], DIAGNOSIS["cause_detail"], staff_user.username, str(staff_user),
                     case.department.name, visit.number):
        assert internal not in html, internal
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"
    # an English switch
    english = _client().get(url + "?lang=en").content.decode()
    assert 'lang="en"' in english and "Customer satisfaction survey" in english
    # opening the page uses nothing up
    assert SignedLink.objects.get(pk=visit.link_id).used_at is None


def test_answering_records_the_answers_and_who_when_how_and_uses_the_link(sent, settings):
    visit, url = sent
    settings.QSM_TRUSTED_PROXY_COUNT = 0
    client = _client(ip="198.51.100.23")
    response = client.post(url, _answers(visit), HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 200 and 'id="survey-done"' in response.content.decode()
    visit.refresh_from_db()
    assert (visit.status, visit.method, visit.satisfaction, visit.done_by) == ("done", "link", 2, None)
    assert visit.comments == "安装后设备仍有异响" and visit.suggestions == "希望响应更快"
    # VIS-2: the address the request came from (a header the client wrote is not trusted), the browser
    assert visit.answer_ip == "198.51.100.23" and visit.answer_user_agent == UA
    assert visit.done_at is not None
    answers = VisitAnswer.objects.filter(visit=visit)
    assert answers.count() == Question.objects.filter(version=visit.questionnaire_version).count()
    link = SignedLink.objects.get(pk=visit.link_id)
    assert link.used_at is not None
    event = Event.objects.filter(content_type=ContentType.objects.get_for_model(Visit), object_id=visit.pk,
                                 action="record").get()
    assert (event.actor_kind, event.via, event.link_id, event.actor_label) == ("customer", "link", link.pk, "王经理")
    # reopening the link shows the "used" page and records nothing more
    again = client.get(url)
    assert again.status_code == 410 and 'data-reason="used"' in again.content.decode()
    assert client.post(url, _answers(visit, satisfaction=5)).status_code == 410
    visit.refresh_from_db()
    assert visit.satisfaction == 2


def test_behind_a_trusted_proxy_the_forwarded_address_is_recorded(sent, settings):
    visit, url = sent
    settings.QSM_TRUSTED_PROXY_COUNT = 1
    _client(ip="10.0.0.2").post(url, _answers(visit), HTTP_X_FORWARDED_FOR="203.0.113.50")
    visit.refresh_from_db()
    assert visit.answer_ip == "203.0.113.50"


def test_a_forged_link_is_refused_and_records_nothing(sent):
    visit, _url = sent
    before = _events(visit)
    for token in (secrets.token_urlsafe(32), "A" * 43, "short"):
        forged = reverse("links:open", args=[token])
        assert _client().get(forged).status_code == 404
        response = _client().post(forged, _answers(visit))
        assert response.status_code == 404 and 'data-reason="invalid"' in response.content.decode()
    _nothing_recorded(visit, before)


def test_an_expired_link_is_refused_and_records_nothing(sent):
    visit, url = sent
    before = _events(visit)
    with time_machine.travel(timezone.now() + dt.timedelta(days=14, minutes=1)):
        assert _client().get(url).status_code == 410
        response = _client().post(url, _answers(visit))
    assert response.status_code == 410 and 'data-reason="expired"' in response.content.decode()
    _nothing_recorded(visit, before)


def test_a_link_issued_again_replaces_the_old_one(sent, staff_user):
    visit, old_url = sent
    visit, new_url = visit_send_link(visit=visit, actor=staff_user)
    before = _events(visit)
    response = _client().post(old_url, _answers(visit))
    assert response.status_code == 410 and 'data-reason="revoked"' in response.content.decode()
    _nothing_recorded(visit, before)
    assert _client().post(new_url, _answers(visit)).status_code == 200


def test_another_visits_link_does_not_answer_this_visit(sent, staff_user):
    visit, url = sent
    other = visit_build(actor=staff_user, state="planned")
    other, other_url = visit_send_link(visit=other, actor=staff_user)
    before, other_before = _events(visit), _events(other)
    # a link whose visit now holds another link (a tampered or superseded reference) is refused
    Visit.objects.filter(pk=visit.pk).update(link=other.link)
    response = _client().post(url, _answers(visit))
    assert response.status_code == 404 and 'data-reason="invalid"' in response.content.decode()
    assert _client().get(url).status_code == 404
    assert SignedLink.objects.get(token_hash=SignedLink.objects.get(pk=sent[0].link_id).token_hash).used_at is None
    visit.refresh_from_db()
    assert visit.status == "link_sent" and visit.satisfaction is None and _events(visit) == before
    # and answering through the other visit's own link records that visit only
    assert _client().post(other_url, _answers(other, satisfaction=4)).status_code == 200
    other.refresh_from_db()
    visit.refresh_from_db()
    assert (other.status, other.satisfaction) == ("done", 4) and _events(other) > other_before
    assert visit.satisfaction is None and not VisitAnswer.objects.filter(visit=visit).exists()


def test_invalid_answers_show_errors_and_the_link_stays_usable(sent):
    visit, url = sent
    before = _events(visit)
    bad = _answers(visit)
    bad["satisfaction"] = "9"
    required = Question.objects.filter(version=visit.questionnaire_version, required=True).first()
    bad.pop(answer_key(required))
    response = _client().post(url, bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="survey-errors"' in html and "invalid-feedback" in html
    _nothing_recorded(visit, before)
    assert SignedLink.objects.get(pk=visit.link_id).used_at is None
    # corrected, it is recorded
    assert _client().post(url, _answers(visit, satisfaction=4)).status_code == 200
    visit.refresh_from_db()
    assert visit.satisfaction == 4


def test_a_visit_recorded_by_phone_meanwhile_refuses_its_link(sent, staff_user):
    visit, url = sent
    data = _answers(visit, satisfaction=5)
    visit_record(visit=visit, actor=staff_user, satisfaction=5,
                 answers={k: v for k, v in data.items() if k.startswith("q_")}, comments="电话回访")
    response = _client().post(url, _answers(visit, satisfaction=1))
    assert response.status_code == 410 and 'data-reason="revoked"' in response.content.decode()
    visit.refresh_from_db()
    assert (visit.method, visit.satisfaction) == ("phone", 5)


def test_an_order_visits_page_shows_the_order_summary_without_prices_or_people(sales_user, customer):
    from orders.models import Order
    from tests.builders.orders import order_in, priced_product

    order = order_in(Order.Status.ACCEPTED, actor=sales_user, customer=customer, installation=True,
                     product=priced_product("SRV-9", price="123456.78"))
    visit = visit_build(actor=sales_user, subject=order, reason="accepted")
    visit, url = visit_send_link(visit=visit, actor=sales_user)
    html = _client().get(url).content.decode()
    product = order.lines.first().product
    assert order.number in html and product.name in html
    for internal in ("123456", "123,456", sales_user.username, str(sales_user), order.department.name):
        assert internal not in html, internal
