"""CMP-4: the customer answers through a signed, single-use, expiring link on a public, phone-sized
page that shows only the outcome summary; a forged, expired, used, revoked or spent link is refused
and records nothing."""
from __future__ import annotations

import datetime as dt
import secrets

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from complaints.models import CustomerAnswer, HandlingPlan, Measure
from complaints.services.confirmation import complaint_answer_record, complaint_link_issue, complaint_link_revoke
from qsm.errors import PermissionDenied, TransitionNotAllowed
from qsm.links.models import SignedLink
from tests.complaints.h4_support import C, confirming, events, follow_ups, fresh

pytestmark = pytest.mark.spec("CMP-4")
UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0"


def _client() -> Client:
    return Client(REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT=UA)


@pytest.fixture
def issued(people):
    complaint = confirming()
    link, url = complaint_link_issue(complaint=complaint, actor=people.investigator, contact_name="王经理")
    return complaint, link, url


def _nothing_recorded(complaint, before: int) -> None:
    assert fresh(complaint).status == C.CONFIRMING
    assert not CustomerAnswer.objects.filter(complaint=complaint).exists()
    assert events(complaint) == before


def test_the_public_page_shows_only_the_outcome_summary(issued):
    complaint, link, url = issued
    complaint = fresh(complaint)
    page = _client().get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="viewport"' in html and 'id="confirm-form"' in html
    assert complaint.number in html and complaint.subject in html
    plan = HandlingPlan.objects.get(complaint=complaint, version=complaint.plan_version)
    for measure in Measure.objects.filter(plan=plan):
        assert measure.description in html
    internal = [complaint.root_cause, complaint.facts, str(complaint.responsible_person),
                complaint.responsible_person.username, complaint.responsible_department.name,
                str(complaint.investigator), complaint.investigator.username, plan.summary,
                *[w for w in complaint.whys or []], *[m.done_note for m in Measure.objects.filter(plan=plan)],
                *[str(m.owner) for m in Measure.objects.filter(plan=plan)]]
    for text in internal:
        if text:
            assert text not in html, text
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"
    assert 'lang="en"' in _client().get(url + "?lang=en").content.decode()
    assert SignedLink.objects.get(pk=link.pk).used_at is None  # opening the page uses nothing up


@pytest.mark.spec("CMP-5")
def test_a_satisfied_answer_through_the_link_closes_and_uses_the_link(issued):
    complaint, link, url = issued
    response = _client().post(url, {"satisfied": "yes", "objections": ""})
    assert response.status_code == 200 and 'id="confirm-done-satisfied"' in response.content.decode()
    done = fresh(complaint)
    assert done.status == C.CLOSED and done.closed_satisfied is True and done.closed_by is None
    answer = CustomerAnswer.objects.get(complaint=complaint)
    assert answer.method == CustomerAnswer.Method.LINK and answer.link_id == link.pk and answer.recorded_by is None
    assert answer.user_agent == UA and answer.ip == "198.51.100.23"
    assert SignedLink.objects.get(pk=link.pk).used_at is not None
    assert len(follow_ups(done)) == 1
    # used: a second submission is refused
    again = _client().post(url, {"satisfied": "no", "objections": "再试"})
    assert again.status_code == 410 and CustomerAnswer.objects.filter(complaint=complaint).count() == 1


def test_not_satisfied_through_the_link_replans_with_the_objections(issued):
    complaint, link, url = issued
    response = _client().post(url, {"satisfied": "no", "objections": "噪音依旧，希望整机更换"})
    assert response.status_code == 200 and 'id="confirm-done-not-satisfied"' in response.content.decode()
    replanned = fresh(complaint)
    assert replanned.status == C.PLANNING and replanned.round == 2
    answer = CustomerAnswer.objects.get(complaint=complaint)
    assert answer.method == CustomerAnswer.Method.LINK and answer.objections == "噪音依旧，希望整机更换"
    old = HandlingPlan.objects.get(complaint=complaint, version=replanned.plan_version)
    assert old.status == HandlingPlan.Status.SUPERSEDED


def test_bad_input_is_a_400_and_the_link_stays_usable(issued):
    complaint, link, url = issued
    before = events(complaint)
    for data in ({"satisfied": "no", "objections": ""}, {"satisfied": "maybe"}, {},
                 {"satisfied": "no", "objections": "x\x00y"}, {"satisfied": "no", "objections": "长" * 10_000}):
        response = _client().post(url, data)
        assert response.status_code == 400, data
    _nothing_recorded(complaint, before)
    assert SignedLink.objects.get(pk=link.pk).used_at is None


def test_forged_expired_revoked_and_reissued_links_are_refused(issued, people):
    complaint, link, url = issued
    before = events(complaint)
    # forged
    forged = _client().post(f"/l/{secrets.token_urlsafe(32)}/", {"satisfied": "yes"})
    assert forged.status_code == 404
    # expired
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        assert _client().post(url, {"satisfied": "yes"}).status_code == 410
    _nothing_recorded(complaint, before)
    # issuing a new link withdraws the previous one
    _new, new_url = complaint_link_issue(complaint=complaint, actor=people.investigator)
    assert _client().get(url).status_code == 410
    assert _client().get(new_url).status_code == 200
    # withdrawn
    assert complaint_link_revoke(complaint=complaint, actor=people.investigator) == 1
    assert _client().post(new_url, {"satisfied": "yes"}).status_code == 410
    assert fresh(complaint).status == C.CONFIRMING and not CustomerAnswer.objects.filter(complaint=complaint).exists()


def test_a_link_stops_working_once_answered_by_phone(issued, people):
    complaint, link, url = issued
    complaint_answer_record(complaint=complaint, actor=people.investigator, satisfied=False, objections="电话里说不满意")
    assert _client().get(url).status_code == 410  # revoked with the phone answer
    assert _client().post(url, {"satisfied": "yes"}).status_code == 410
    assert CustomerAnswer.objects.filter(complaint=complaint).count() == 1


def test_links_are_issued_only_while_confirming_and_by_those_who_may(people):
    complaint = confirming()
    with pytest.raises(PermissionDenied):
        complaint_link_issue(complaint=complaint, actor=people.outsider)
    complaint_answer_record(complaint=complaint, actor=people.investigator, satisfied=True)
    with pytest.raises(TransitionNotAllowed):
        complaint_link_issue(complaint=complaint, actor=people.investigator)
    assert not SignedLink.objects.filter(object_id=complaint.pk, purpose="complaint_confirm").exists()
