"""CMP-5: the case report of a closed complaint (prefilled, draft, final, Chinese PDF) and its
preventive measures tracked to completion (owner, department, due date, done with a note)."""
from __future__ import annotations

import datetime as dt

import pytest
from complaints.models import CaseReport, PreventiveMeasure
from django.urls import reverse
from django.utils import timezone

from complaints.services.prevention import (
    preventive_measure_add,
    preventive_measure_cancel,
    preventive_measure_complete,
)
from complaints.services.reports import case_report_initial, case_report_save
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from tests.complaints.h4_support import closed, confirming, fresh

REPORT = {"summary": "客户投诉设备异响", "cause_text": "轴承润滑不足", "responsibility_text": "生产部 / 张工",
          "measures_text": "更换轴承", "lessons_learned": "出厂检验增加噪声测试"}


@pytest.mark.spec("CMP-5")
def test_the_report_is_prefilled_from_the_complaint():
    complaint = fresh(closed())
    initial = case_report_initial(complaint)
    assert complaint.subject in initial["summary"]
    if complaint.root_cause:
        assert complaint.root_cause in initial["cause_text"]
    assert complaint.responsible_department.name in initial["responsibility_text"]
    assert initial["measures_text"]  # the measures done


@pytest.mark.spec("CMP-5")
def test_a_draft_is_saved_then_made_final_and_no_longer_changes(quality_officer):
    complaint = closed()
    report = case_report_save(complaint=complaint, actor=quality_officer, data={**REPORT, "lessons_learned": ""})
    assert report.status == CaseReport.Status.DRAFT
    with pytest.raises(ValidationError) as error:  # a final report needs its lessons
        case_report_save(complaint=complaint, actor=quality_officer, data={**REPORT, "lessons_learned": ""},
                         finalise=True)
    assert "lessons_learned" in error.value.message_dict
    report = case_report_save(complaint=complaint, actor=quality_officer, data=REPORT, finalise=True)
    assert report.status == CaseReport.Status.FINAL and report.lessons_learned == REPORT["lessons_learned"]
    with pytest.raises(TransitionNotAllowed):
        case_report_save(complaint=complaint, actor=quality_officer, data={**REPORT, "summary": "改"})
    assert CaseReport.objects.get(complaint=complaint).summary == REPORT["summary"]


@pytest.mark.spec("CMP-5")
def test_a_report_waits_for_the_closing_and_the_right_people(quality_officer, other_department_staff):
    with pytest.raises(TransitionNotAllowed):
        case_report_save(complaint=confirming(), actor=quality_officer, data=REPORT)
    with pytest.raises(PermissionDenied):
        case_report_save(complaint=closed(), actor=other_department_staff, data=REPORT)
    with pytest.raises(ValidationError):
        case_report_save(complaint=closed(), actor=quality_officer, data={**REPORT, "summary": "a\x00b"})
    assert not CaseReport.objects.exists()


@pytest.mark.spec("CMP-5")
def test_the_final_report_prints_as_a_chinese_pdf(client, quality_officer, other_department_staff):
    complaint = closed()
    url = reverse("complaints:case-report-pdf", args=[complaint.pk])
    client.force_login(quality_officer)
    assert client.get(url).status_code == 404  # no final report yet
    case_report_save(complaint=complaint, actor=quality_officer, data=REPORT, finalise=True)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF")
    assert b"QSM-CJK" in content or b"STSong-Light" in content  # the CJK font
    # another department's complaint: 404, as its page
    client.force_login(other_department_staff)
    assert client.get(url).status_code == 404


@pytest.mark.spec("CMP-5")
def test_the_report_page_prefills_saves_and_shows_similar_cases(client, quality_officer):
    complaint = closed()
    client.force_login(quality_officer)
    url = reverse("complaints:case-report", args=[complaint.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'id="similar-cases"' in page.content.decode()
    assert complaint.subject in page.content.decode()
    bad = client.post(url, {**REPORT, "summary": "x" * 10_001})
    assert bad.status_code == 400 and not CaseReport.objects.exists()
    assert client.post(url, {**REPORT, "finalise": "on"}).status_code == 302
    assert CaseReport.objects.get(complaint=complaint).status == CaseReport.Status.FINAL


@pytest.mark.spec("CMP-5")
def test_preventive_measures_are_tracked_to_completion(quality_officer, staff_user):
    complaint = closed()
    due = timezone.localdate() + dt.timedelta(days=30)
    measure = preventive_measure_add(complaint=complaint, actor=quality_officer, description="出厂检验增加噪声测试",
                                     owner=staff_user, due_date=due)
    assert measure.status == PreventiveMeasure.Status.OPEN and measure.department_id == staff_user.department_id
    with pytest.raises(ValidationError):
        preventive_measure_complete(measure=measure, actor=staff_user, done_note=" ")
    preventive_measure_complete(measure=measure, actor=staff_user, done_note="检验规程已修订")
    measure.refresh_from_db()
    assert measure.status == PreventiveMeasure.Status.DONE and measure.done_note == "检验规程已修订"
    assert measure.done_at is not None
    with pytest.raises(TransitionNotAllowed):
        preventive_measure_cancel(measure=measure, actor=quality_officer, reason="重复")


@pytest.mark.spec("CMP-5")
def test_preventive_measures_refuse_bad_input_and_open_complaints(quality_officer, staff_user,
                                                                  other_department_staff):
    due = timezone.localdate() + dt.timedelta(days=5)
    with pytest.raises(TransitionNotAllowed):
        preventive_measure_add(complaint=confirming(), actor=quality_officer, description="x", owner=staff_user,
                               due_date=due)
    complaint = closed()
    for kwargs in ({"description": ""}, {"description": "a\x00"}, {"due_date": dt.date(1, 1, 1)},
                   {"due_date": dt.date(9999, 12, 31)}, {"owner": None}):
        with pytest.raises(ValidationError):
            preventive_measure_add(complaint=complaint, actor=quality_officer,
                                   **{"description": "措施", "owner": staff_user, "due_date": due, **kwargs})
    with pytest.raises(PermissionDenied):
        preventive_measure_add(complaint=complaint, actor=other_department_staff, description="x",
                               owner=staff_user, due_date=due)
    assert not PreventiveMeasure.objects.exists()
