"""CMP-1 / CMP-2 on the complaint's page: what it shows (the promise, clocks, timeline, contact
log), assigning the investigator, recording the reply (met / late against the promise), closing
unresolved by decision, cancelling; refusals are 400 / 403 / 409 and change nothing; another
department's complaint is a 404 on every page and form."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from qsm.contacts.models import ContactEntry
from qsm.workflow.models import Event
from tests.complaints.h2_support import log_complaint

pytestmark = pytest.mark.django_db
S = Complaint.Status


@pytest.fixture
def complaint(staff_user, customer):
    return log_complaint(actor=staff_user, customer=customer, subject="数控机床噪音大", severity="serious")


def _fire(client, complaint, action, **data):
    return client.post(reverse("complaints:complaint-fire", args=[complaint.pk]), {"action": action, **data})


def _events(complaint) -> int:
    return Event.objects.filter(object_id=complaint.pk, content_type__model="complaint").count()


@pytest.mark.spec("CMP-1")
def test_the_page_shows_the_complaint_its_promise_clocks_and_timeline(login, staff_user, complaint):
    response = login(staff_user).get(complaint.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    for fragment in (complaint.number, "数控机床噪音大", 'id="promise-text"', 'id="deadline-reply"', 'id="timeline"',
                     'id="contacts"', 'id="attachments"', 'id="reply"'):
        assert fragment in html, fragment
    assert 'id="assign"' not in html  # the receiver does not assign: the quality department does


@pytest.mark.spec("CMP-1", "CMP-2")
def test_the_quality_department_assigns_the_investigator(login, quality_officer, quality_manager, complaint):
    client = login(quality_officer)
    html = client.get(complaint.get_absolute_url()).content.decode()
    assert 'id="assign"' in html
    assert reverse("complaints:complaint-investigators", args=[complaint.pk]) in html  # a type-ahead, no select
    response = _fire(client, complaint, "assign", investigator=quality_manager.pk)
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.investigator) == (S.INVESTIGATING, quality_manager)
    html = client.get(complaint.get_absolute_url()).content.decode()
    assert str(quality_manager) in html  # the investigator, named; the form now changes them


@pytest.mark.spec("CMP-2", "ORG-1")
def test_the_investigator_type_ahead_offers_the_quality_department_only(login, quality_officer, quality_manager,
                                                                        colleague, other_department_staff,
                                                                        complaint):
    url = reverse("complaints:complaint-investigators", args=[complaint.pk])
    found = {row["value"] for row in login(quality_officer).get(url, {"q": "quality"}).json()["results"]}
    assert str(quality_manager.pk) in found and str(colleague.pk) not in found
    assert login(other_department_staff).get(url, {"q": "quality"}).status_code == 404
    response = _fire(login(quality_officer), complaint, "assign", investigator=colleague.pk)
    assert response.status_code == 400 and "investigator" in response.context["assign_form"].errors


@pytest.mark.spec("CMP-1", "CMP-2")
def test_assigning_without_an_investigator_is_400_and_by_the_receiver_403(login, staff_user, quality_officer,
                                                                          complaint):
    before = _events(complaint)
    response = _fire(login(quality_officer), complaint, "assign", investigator="")
    assert response.status_code == 400
    assert "investigator" in response.context["assign_form"].errors
    assert _fire(login(quality_officer), complaint, "assign", investigator="\x00").status_code == 400
    assert _fire(login(staff_user), complaint, "assign", investigator=quality_officer.pk).status_code == 403
    complaint.refresh_from_db()
    assert (complaint.status, complaint.investigator, _events(complaint)) == (S.RECEIVED, None, before)


@pytest.mark.spec("CMP-1")
def test_a_reply_in_time_is_met(login, staff_user, complaint):
    client = login(staff_user)
    response = _fire(client, complaint, "reply", reply="已安排工程师明天上门检查。")
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.replied_at is not None and complaint.reply == "已安排工程师明天上门检查。"
    html = client.get(complaint.get_absolute_url()).content.decode()
    assert 'id="reply-met"' in html and "已安排工程师明天上门检查。" in html
    assert 'name="action" value="reply"' not in html  # recorded once


@pytest.mark.spec("CMP-1", "SLA-1")
def test_a_reply_after_the_promise_is_late_and_shown_so(login, staff_user, complaint, time_machine):
    client = login(staff_user)
    time_machine.move_to(complaint.promised_reply_at + dt.timedelta(minutes=5), tick=False)
    assert 'id="reply-overdue"' in client.get(complaint.get_absolute_url()).content.decode()
    assert _fire(client, complaint, "reply", reply="抱歉回复晚了").status_code == 302
    assert 'id="reply-late"' in client.get(complaint.get_absolute_url()).content.decode()


@pytest.mark.spec("CMP-1")
def test_a_blank_reply_is_400_and_a_second_one_refused(login, staff_user, complaint):
    client = login(staff_user)
    assert _fire(client, complaint, "reply", reply="  ").status_code == 400
    assert _fire(client, complaint, "reply", reply="第一次答复").status_code == 302
    response = _fire(client, complaint, "reply", reply="第二次答复")
    assert response.status_code in (400, 409)
    complaint.refresh_from_db()
    assert complaint.reply == "第一次答复"


@pytest.mark.spec("CMP-1", "CMP-4")
def test_only_the_quality_manager_closes_unresolved_and_only_with_a_reason(login, quality_officer, quality_manager,
                                                                           complaint):
    assert _fire(login(quality_officer), complaint, "close_unresolved", comment="客户无理要求").status_code == 403
    response = _fire(login(quality_manager), complaint, "close_unresolved", comment=" ")
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED
    assert _fire(login(quality_manager), complaint, "close_unresolved", comment="客户要求超出合同范围，管理层决定关闭").status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED_UNRESOLVED
    assert complaint.close_decision_reason == "客户要求超出合同范围，管理层决定关闭"
    html = login(quality_manager).get(complaint.get_absolute_url()).content.decode()
    assert 'id="unresolved-badge"' in html and 'id="close-decision"' in html


@pytest.mark.spec("CMP-1")
def test_the_quality_manager_cancels_a_duplicate(login, quality_manager, staff_user, complaint):
    assert _fire(login(staff_user), complaint, "cancel", comment="重复").status_code == 403
    assert _fire(login(quality_manager), complaint, "cancel", comment="重复受理").status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.CANCELLED
    # Nothing more from a cancelled complaint: an illegal transition is a 409 with its reason.
    assert _fire(login(quality_manager), complaint, "close_unresolved", comment="再关").status_code == 409


@pytest.mark.spec("CMP-1", "CMP-3")
def test_contacts_and_evidence_are_logged_on_the_page(login, staff_user, complaint):
    client = login(staff_user)
    response = client.post(reverse("complaints:complaint-contact-add", args=[complaint.pk]),
                           {"kind": "update", "channel": "phone", "direction": "out", "summary": "告知客户调查进展"})
    assert response.status_code == 302
    assert ContactEntry.objects.filter(object_id=complaint.pk, summary="告知客户调查进展").exists()
    upload = SimpleUploadedFile("现场检测报告.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(reverse("complaints:complaint-attach", args=[complaint.pk]),
                           {"file": upload, "description": "现场检测报告"})
    assert response.status_code == 302
    html = client.get(complaint.get_absolute_url()).content.decode()
    assert "告知客户调查进展" in html and "现场检测报告" in html


@pytest.mark.spec("CMP-1", "ORG-1")
def test_another_departments_complaint_is_404_everywhere(login, other_department_staff, quality_officer, complaint):
    client = login(other_department_staff)
    before = _events(complaint)
    assert client.get(complaint.get_absolute_url()).status_code == 404
    assert _fire(client, complaint, "reply", reply="不是我的").status_code == 404
    assert client.post(reverse("complaints:complaint-contact-add", args=[complaint.pk]),
                       {"kind": "update", "channel": "phone", "summary": "x"}).status_code == 404
    assert client.post(reverse("complaints:complaint-attach", args=[complaint.pk]), {}).status_code == 404
    assert client.get(reverse("complaints:complaint-attachment", args=[complaint.pk, 1])).status_code == 404
    assert _events(complaint) == before
    assert login(quality_officer).get(complaint.get_absolute_url()).status_code == 200  # quality sees all


@pytest.mark.spec("CMP-1")
def test_the_logged_complaint_page_highlights_the_promise(login, staff_user, complaint):
    html = login(staff_user).get(complaint.get_absolute_url() + "?logged=1").content.decode()
    assert 'border-primary" id="promise"' in html
    assert timezone.localtime(complaint.promised_reply_at).strftime("%Y-%m-%d %H:%M") in html


@pytest.mark.spec("CMP-1", "PERF-1")
def test_the_page_reads_the_same_queries_for_few_and_many_contacts(login, staff_user, complaint,
                                                                    django_assert_num_queries):
    from complaints.services.record import complaint_contact_add

    def log(n: int) -> None:
        for i in range(n):
            complaint_contact_add(complaint=complaint, actor=staff_user, kind="update", channel="phone",
                                  summary=f"第 {i} 次告知进展")

    client = login(staff_user)
    log(2)
    client.get(complaint.get_absolute_url())  # warm the session and content-type caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(complaint.get_absolute_url()).status_code == 200
    log(10)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(complaint.get_absolute_url()).status_code == 200
    print(f"complaint page: {len(few.captured_queries)} queries for 3 and for 13 contact entries")


@pytest.mark.spec("CMP-1")
def test_the_page_renders_the_sections_other_parts_register(login, staff_user, complaint):
    from complaints import sections
    from qsm.registry import HistorySection

    def probe(c, user):
        if c.pk != complaint.pk:
            return None
        return {"section": HistorySection(title="调查探针", columns=[], rows=[], key="h2-probe")}

    sections.register_section("h2-probe", 99, "qsm/_record_section.html", probe)
    sections.register_section("h2-hidden", 98, "qsm/_record_section.html", lambda c, user: None)
    try:
        html = login(staff_user).get(complaint.get_absolute_url()).content.decode()
    finally:
        sections.unregister_section("h2-probe")
        sections.unregister_section("h2-hidden")
    assert 'id="h2-probe"' in html and "调查探针" in html
    assert html.count("history-section") == 1  # the hidden one is not rendered


@pytest.mark.spec("CMP-1", "CMP-4")
@pytest.mark.parametrize("state", [s.value for s in Complaint.Status])
def test_the_page_renders_in_every_state_with_the_other_parts_sections(login, state):
    from qsm.org.models import User
    from tests.builders.complaints import complaint_in

    complaint = complaint_in(state, round=2) if state in ("planning", "closed") else complaint_in(state)
    quality = User.objects.get(username="quality")
    response = login(quality).get(complaint.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert complaint.number in html and 'id="promise"' in html and 'id="timeline"' in html
    assert ('id="actions"' in html) == bool(response.context["actions"])


@pytest.mark.spec("CMP-1")
def test_a_closed_complaint_without_a_separate_reply_does_not_say_the_reply_is_still_owed(client):
    # A complaint closed on the customer's satisfaction without a reply recorded apart: its promise
    # box no longer reads "no reply recorded yet" beside a reply clock that stopped at closing.
    from django.utils import translation
    from django.utils.translation import gettext

    from tests.builders.complaints import cast, complaint_in

    complaint = complaint_in(Complaint.Status.CLOSED)
    assert complaint.replied_at is None
    client.force_login(cast().quality)
    page = client.get(complaint.get_absolute_url()).content.decode()
    with translation.override("zh-hans"):
        assert gettext("No separate reply was recorded before the complaint was closed.") in page
        assert gettext("No reply recorded yet.") not in page
