"""CMP-5: the case report of a closed complaint (prefilled, draft, final, Chinese PDF) and its
preventive measures tracked to completion (owner, department, due date, done with a note)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from complaints.models import CaseReport, PreventiveMeasure
from complaints.services.reports import case_report_initial, case_report_save
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from tests.complaints.h4_support import closed, confirming, fresh, login

REPORT = {"summary": "客户投诉设备异响", "cause_text": "轴承润滑不足", "responsibility_text": "生产部 / 张工",
          "measures_text": "更换轴承", "lessons_learned": "出厂检验增加噪声测试"}


@pytest.mark.spec("CMP-5")
def test_the_report_is_prefilled_from_the_complaint(db):
    complaint = fresh(closed())
    initial = case_report_initial(complaint)
    assert complaint.subject in initial["summary"]
    if complaint.root_cause:
        assert complaint.root_cause in initial["cause_text"]
    assert complaint.responsible_department.name in initial["responsibility_text"]
    assert initial["measures_text"]  # the measures done


@pytest.mark.spec("CMP-5")
def test_a_draft_is_saved_then_made_final_and_no_longer_changes(people):
    complaint = closed()
    report = case_report_save(complaint=complaint, actor=people.investigator, data={**REPORT, "lessons_learned": ""})
    assert report.status == CaseReport.Status.DRAFT
    with pytest.raises(ValidationError) as error:  # a final report needs its lessons
        case_report_save(complaint=complaint, actor=people.investigator, data={**REPORT, "lessons_learned": ""},
                         finalise=True)
    assert "lessons_learned" in error.value.message_dict
    report = case_report_save(complaint=complaint, actor=people.investigator, data=REPORT, finalise=True)
    assert report.status == CaseReport.Status.FINAL and report.lessons_learned == REPORT["lessons_learned"]
    with pytest.raises(TransitionNotAllowed):
        case_report_save(complaint=complaint, actor=people.investigator, data={**REPORT, "summary": "改"})
    assert CaseReport.objects.get(complaint=complaint).summary == REPORT["summary"]


@pytest.mark.spec("CMP-5")
def test_a_report_waits_for_the_closing_and_the_right_people(people):
    with pytest.raises(TransitionNotAllowed):
        case_report_save(complaint=confirming(), actor=people.investigator, data=REPORT)
    with pytest.raises(PermissionDenied):
        case_report_save(complaint=closed(), actor=people.outsider, data=REPORT)
    with pytest.raises(ValidationError):
        case_report_save(complaint=closed(), actor=people.investigator, data={**REPORT, "summary": "a\x00b"})
    assert not CaseReport.objects.exists()


@pytest.mark.spec("CMP-5")
def test_the_final_report_prints_as_a_chinese_pdf(client, people):
    complaint = closed()
    url = reverse("complaints:case-report-pdf", args=[complaint.pk])
    login(client, people.investigator)
    assert client.get(url).status_code == 404  # no final report yet
    case_report_save(complaint=complaint, actor=people.investigator, data=REPORT, finalise=True)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # in Chinese, with the report's own words
    assert "投诉案例报告" in text and REPORT["lessons_learned"] in text and fresh(complaint).number in text
    # the CJK font is embedded (prints the same anywhere), or the CID fallback STSong-Light is named
    for page in reader.pages:
        for font in (page["/Resources"].get_object().get("/Font") or {}).values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            assert "STSong-Light" in str(font.get("/BaseFont")) or (
                descriptor is not None and ("/FontFile2" in descriptor.get_object()
                                            or "/FontFile3" in descriptor.get_object()))
    # another department's complaint: 404, as its page
    login(client, people.outsider)
    assert client.get(url).status_code == 404


@pytest.mark.spec("CMP-5")
def test_the_report_page_prefills_saves_and_shows_similar_cases(client, people):
    complaint = closed()
    login(client, people.investigator)
    url = reverse("complaints:case-report", args=[complaint.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'id="similar-cases"' in page.content.decode()
    assert complaint.subject in page.content.decode()
    bad = client.post(url, {**REPORT, "summary": "x" * 10_001})
    assert bad.status_code == 400 and not CaseReport.objects.exists()
    assert client.post(url, {**REPORT, "finalise": "on"}).status_code == 302
    assert CaseReport.objects.get(complaint=complaint).status == CaseReport.Status.FINAL


@pytest.mark.spec("CMP-5")
def test_preventive_measures_from_the_page_to_done(client, people):
    complaint = closed()
    login(client, people.investigator)
    add = reverse("complaints:preventive-add", args=[complaint.pk])
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    # bad input: a form error (400), nothing stored
    for data in ({"description": "", "owner": [people.responsible.pk], "due_date": due},
                 {"description": "a\x00b", "owner": [people.responsible.pk], "due_date": due},
                 {"description": "措施", "owner": [people.responsible.pk], "due_date": "9999-12-31"},
                 {"description": "措施", "owner": [people.responsible.pk], "due_date": "0001-01-01"},
                 {"description": "措施", "owner": ["x"], "due_date": due}):
        assert client.post(add, data).status_code == 400, data
    assert not PreventiveMeasure.objects.exists()
    assert client.post(add, {"description": "出厂检验增加噪声测试", "owner": [people.responsible.pk],
                             "due_date": due}).status_code == 302
    measure = PreventiveMeasure.objects.get(complaint=complaint)
    assert measure.status == PreventiveMeasure.Status.OPEN and measure.department_id == people.responsible.department_id
    # the owner marks it done with what was done
    login(client, people.responsible)
    done = reverse("complaints:preventive-complete", args=[measure.pk])
    assert client.post(done, {"note": ""}).status_code == 400
    assert client.post(done, {"note": "检验规程已修订"}).status_code == 302
    measure.refresh_from_db()
    assert measure.status == PreventiveMeasure.Status.DONE and measure.done_note == "检验规程已修订"
    assert client.post(done, {"note": "再次"}).status_code == 409
    # another department: 404 on the page, the list and the add form
    login(client, people.outsider)
    assert client.post(done, {"note": "x"}).status_code == 404
    assert client.post(add, {"description": "x", "owner": [people.responsible.pk], "due_date": due}).status_code == 404
    listed = client.get(reverse("complaints:preventive-list"))
    assert listed.status_code == 200 and "出厂检验增加噪声测试" not in listed.content.decode()


@pytest.mark.spec("CMP-5", "SEARCH-1")
def test_the_preventive_list_filters_and_exports(client, people):
    from complaints.services.core import preventive_add

    complaint = closed()
    late = preventive_add(complaint=complaint, actor=people.investigator, description="逾期的措施", owner=people.responsible,
                          due_date=timezone.localdate() + dt.timedelta(days=1))
    preventive_add(complaint=complaint, actor=people.investigator, description="按期的措施", owner=people.responsible,
                   due_date=timezone.localdate() + dt.timedelta(days=60))
    login(client, people.investigator)
    url = reverse("complaints:preventive-list")
    import time_machine

    with time_machine.travel(timezone.now() + dt.timedelta(days=5)):
        page = client.get(url, {"overdue": "true"}).content.decode()
    assert "逾期的措施" in page and "按期的措施" not in page
    assert late.description in client.get(url, {"q": fresh(complaint).number}).content.decode()
    export = client.get(reverse("complaints:preventive-export"))
    csv = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "逾期的措施" in csv and "按期的措施" in csv
