"""QC-1 on other pages: "适用的服务标准" on the record pages staff work on (a complaint's, an inquiry's),
and "my work": reviews falling due for owners, revisions awaiting the quality manager, returned drafts."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.standards import services
from assessment.standards.models import Standard
from assessment.standards.sections import applicable_section, standards_inbox
from qsm import registry

pytestmark = pytest.mark.django_db


@pytest.mark.spec("QC-1", "PERF-1")
def test_complaint_page_lists_the_standards_in_force_for_complaints_of_its_department(
        login, standard_in, django_assert_num_queries):
    from tests.builders.complaints import cast, new_complaint

    people = cast()
    applies, _v = standard_in("effective", title="投诉受理规范", modules=["complaints"],
                              departments=[people.receiving_department])
    not_for_complaints, _v = standard_in("effective", title="回访规范", modules=["visits"])
    complaint = new_complaint(actor=people.receiver)
    receiver = type(people.receiver).objects.get(pk=people.receiver.pk)  # the builder set the password again
    response = login(receiver).get(reverse("complaints:complaint-detail", args=[complaint.pk]))
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert 'id="applicable-standards"' in html and applies.number in html
    assert not_for_complaints.number not in html
    assert applicable_section in registry._record_section_providers["complaints.complaint"]
    with django_assert_num_queries(1):  # one query whatever the number of standards (the other modules'
        section = applicable_section(complaint, receiver)  # sections on the page count their own)
    assert section.key == "applicable-standards"
    assert [r["cells"][0] for r in section.rows] == [applies.number]


@pytest.mark.spec("QC-1", "INBOX-1")
def test_my_work_shows_reviews_due_revisions_to_approve_and_returned_drafts(
        login, standard_in, quality_officer, quality_manager, staff_user):
    # a standard in force whose review is in a week (the owner is reminded)
    due, _v = standard_in("effective", title="到期评审规范")
    Standard.objects.filter(pk=due.pk).update(next_review_on=timezone.localdate() + dt.timedelta(days=7))
    far, _v = standard_in("effective", title="远期规范")  # a year away: not shown
    _s, in_review = standard_in("review", title="待批准规范")
    _s, returned = standard_in("review", title="被退回规范")
    services.version_fire(version=returned, actor=quality_manager, action="return", comment="请补充验收标准")

    officer = {i.number: i.waiting_for for i in standards_inbox(quality_officer)}
    assert due.number in officer and far.number not in officer
    assert returned.number in officer and in_review.number not in officer  # they wrote it: not theirs to approve
    manager = {i.number for i in standards_inbox(quality_manager)}
    assert in_review.number in manager and returned.number not in manager
    assert standards_inbox(staff_user) == []
    inbox = login(quality_manager).get(reverse("inbox")).content.decode()
    assert in_review.get_absolute_url() in inbox


@pytest.mark.spec("QC-1")
def test_inquiry_page_lists_the_inquiry_standards_but_not_a_retired_one(login, standard_in, staff_user):
    from tests.builders.inquiries import new_inquiry

    applies, _v = standard_in("effective", title="售前咨询应答规范", modules=["inquiries"])
    retired, _v = standard_in("effective", title="旧版咨询规范", modules=["inquiries"])
    Standard.objects.filter(pk=retired.pk).update(retired=True)
    inquiry = new_inquiry(actor=staff_user)
    html = login(staff_user).get(inquiry.get_absolute_url()).content.decode()
    assert 'id="applicable-standards"' in html and applies.number in html and retired.number not in html
