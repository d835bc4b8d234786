"""VIS-1/VIS-2/SEARCH-1 in the browser's pages: the visit list with its filters and exports, the
record page (call script, calls, link panel, answers, authenticity, re-check, low score) and bad
input."""
from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersales.models import Case, Question, Visit, VisitAnswer
from aftersales.services import visits as services
from qsm.links.models import SignedLink
from tests.builders.aftersales import visit_build
from tests.builders.exports import downloaded, xlsx_export
from tests.builders.visits import bulk_visits

V = Visit.Status


def _record_data(visit: Visit, *, satisfaction="2", drop=None) -> dict:
    data = {"satisfaction": satisfaction, "comments": "等了三天才有人来", "suggestions": "加快响应",
            "called_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "call_minutes": "6.5"}
    for q in visit.questionnaire_version.questions.all():
        if q.pk != drop:
            data[services.answer_key(q)] = {"scale": "2", "choice": (q.choices or [""])[0], "text": "无"}[q.kind]
    return data


# --- the list -------------------------------------------------------------------------------------


@pytest.mark.spec("VIS-1", "SEARCH-1")
def test_the_list_filters_low_scores_status_and_search_and_hides_other_departments(
        login, staff_user, other_department_staff, quality_officer):
    low = visit_build(actor=staff_user, state="done", satisfaction=2)
    Visit.objects.filter(pk=low.pk).update(comments="噪音太大")
    good = visit_build(actor=staff_user, state="done", satisfaction=5)
    planned = visit_build(actor=staff_user)
    elsewhere = visit_build(actor=other_department_staff)
    client = login(quality_officer)

    def numbers(**params):
        response = client.get(reverse("aftersales:visit-list"), params)
        assert response.status_code == 200
        return {v.number for v in response.context["visits"]}

    assert {low.number, good.number, planned.number, elsewhere.number} <= numbers()
    assert numbers(low_score="true") == {low.number}
    assert numbers(satisfaction="5") == {good.number}
    assert numbers(status="planned") == {planned.number, elsewhere.number}
    assert numbers(q="噪音") == {low.number}
    assert numbers(q=low.number) == {low.number}
    assert numbers(method="phone") == {low.number, good.number}
    assert numbers(department=str(staff_user.department_id)) == {low.number, good.number, planned.number}
    # a department sees its own visits only
    mine = {v.number for v in login(staff_user).get(reverse("aftersales:visit-list")).context["visits"]}
    assert elsewhere.number not in mine and low.number in mine
    html = client.get(reverse("aftersales:visit-list"), {"low_score": "true"}).content.decode()
    assert "table-cards" in html and "low-score" in html


@pytest.mark.spec("VIS-1", "SEARCH-1")
def test_overdue_and_recheck_filters(login, staff_user, quality_officer):
    late = visit_build(actor=staff_user, planned_for=timezone.localdate() - timezone.timedelta(days=3))
    visit_build(actor=staff_user)
    checked = visit_build(actor=staff_user, state="done")
    services.visit_recheck_request(visit=checked, actor=quality_officer)
    client = login(quality_officer)
    overdue = client.get(reverse("aftersales:visit-list"), {"overdue": "true"}).context["visits"]
    assert [v.number for v in overdue] == [late.number]
    requested = client.get(reverse("aftersales:visit-list"), {"recheck_status": "requested"}).context["visits"]
    assert [v.number for v in requested] == [checked.number]
    bad = client.get(reverse("aftersales:visit-list"), {"satisfaction": "9"})
    assert bad.status_code == 200 and bad.context["form"].errors


@pytest.mark.spec("SEARCH-1", "PERF-1")
def test_the_list_costs_the_same_queries_at_10_and_100_rows(login, staff_user, django_assert_num_queries):
    bulk_visits(10, department=staff_user.department, owner=staff_user)
    client = login(staff_user)
    client.get(reverse("aftersales:visit-list"))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("aftersales:visit-list"), {"per_page": 100})
    assert len(response.context["visits"]) == 10
    at_10 = len(ctx.captured_queries)
    bulk_visits(90, department=staff_user.department, owner=staff_user, start=10)
    with django_assert_num_queries(at_10):
        response = client.get(reverse("aftersales:visit-list"), {"per_page": 100})
    assert len(response.context["visits"]) == 100
    print(f"visit list page: {at_10} queries at 10 and at 100 rows")


@pytest.mark.spec("SEARCH-1")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_has_the_lists_filters(login, staff_user, quality_officer, fmt):
    low = visit_build(actor=staff_user, state="done", satisfaction=1)
    visit_build(actor=staff_user, state="done", satisfaction=5)
    client = login(quality_officer)
    url = reverse("aftersales:visit-export")
    if fmt == "xlsx":
        from openpyxl import load_workbook

        response = xlsx_export(client, url, {"low_score": "true"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
    else:
        response = downloaded(client.get(url, {"low_score": "true", "fmt": "csv"}))
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == low.number


# --- the record page --------------------------------------------------------------------------------


@pytest.mark.spec("VIS-1")
def test_the_page_shows_the_call_script_in_order_and_records_a_phone_visit(login, staff_user):
    visit = visit_build(actor=staff_user)
    client = login(staff_user)
    page = client.get(visit.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    texts = list(visit.questionnaire_version.questions.order_by("position").values_list("text", flat=True))
    positions = [html.index(t) for t in texts]
    assert positions == sorted(positions) and 'id="record"' in html and 'id="send-link-form"' in html
    response = client.post(reverse("aftersales:visit-record", args=[visit.pk]), _record_data(visit))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.method, visit.satisfaction, visit.call_seconds, visit.done_by) == (
        V.DONE, "phone", 2, 390, staff_user)
    html = client.get(visit.get_absolute_url()).content.decode()
    # the answers with the question text of the visit's version, who recorded it, the low-score button
    assert all(t in html for t in texts) and 'id="done-by"' in html and 'id="open-case"' in html
    assert 'id="record"' not in html


@pytest.mark.spec("VIS-1")
def test_bad_input_re_renders_with_errors_and_changes_nothing(login, staff_user):
    visit = visit_build(actor=staff_user)
    required = Question.objects.filter(version=visit.questionnaire_version, required=True).first()
    client = login(staff_user)
    response = client.post(reverse("aftersales:visit-record", args=[visit.pk]), _record_data(visit, drop=required.pk))
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    response = client.post(reverse("aftersales:visit-record", args=[visit.pk]), _record_data(visit, satisfaction="7"))
    assert response.status_code == 400
    response = client.post(reverse("aftersales:visit-attempt", args=[visit.pk]), {"outcome": "asleep"})
    assert response.status_code == 400
    visit.refresh_from_db()
    assert visit.status == V.PLANNED and not VisitAnswer.objects.filter(visit=visit).exists()
    assert visit.phone_attempts == 0
    # an illegal step: recording a visit that is done
    done = visit_build(actor=staff_user, state="done")
    response = client.post(reverse("aftersales:visit-record", args=[done.pk]), _record_data(done))
    assert response.status_code == 409


@pytest.mark.spec("VIS-1")
def test_another_departments_visit_is_a_404_and_a_missing_right_a_403(login, staff_user, other_department_staff):
    visit = visit_build(actor=staff_user, state="done", satisfaction=4)
    outsider = login(other_department_staff)
    assert outsider.get(visit.get_absolute_url()).status_code == 404
    assert outsider.post(reverse("aftersales:visit-record", args=[visit.pk]), {}).status_code == 404
    # the visit's own department cannot re-check it (the quality department does)
    client = login(staff_user)
    assert client.post(reverse("aftersales:visit-recheck-request", args=[visit.pk]), {}).status_code == 403


@pytest.mark.spec("VIS-1")
def test_three_failed_calls_offer_the_link_and_the_link_panel_shows_text_and_qr(login, staff_user):
    visit = visit_build(actor=staff_user)
    client = login(staff_user)
    for outcome in ("no_answer", "busy", "no_answer"):
        assert client.post(reverse("aftersales:visit-attempt", args=[visit.pk]),
                           {"outcome": outcome, "note": "再试"}).status_code == 302
    html = client.get(visit.get_absolute_url()).content.decode()
    assert 'id="link-offered"' in html
    assert html.split('id="attempts"')[1].split("</ul>")[0].count("再试") == 3
    assert client.post(reverse("aftersales:visit-send-link", args=[visit.pk]),
                       {"contact_name": "王经理"}).status_code == 302
    visit.refresh_from_db()
    first_link = visit.link
    html = client.get(visit.get_absolute_url()).content.decode()
    assert visit.status == V.LINK_SENT and 'id="link-text"' in html and "http://testserver/l/" in html
    assert "<svg" in html and 'id="link-qr-png"' in html
    # the PNG for print answers for the issuer
    png_url = html.split('id="link-qr-png"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    png = client.get(png_url)
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    # issuing again withdraws the previous link
    client.post(reverse("aftersales:visit-send-link", args=[visit.pk]), {})
    visit.refresh_from_db()
    assert visit.link_id != first_link.pk and SignedLink.objects.get(pk=first_link.pk).revoked_at is not None


@pytest.mark.spec("VIS-2")
def test_the_quality_officer_marks_for_re_check_and_records_the_result_on_the_page(
        login, staff_user, quality_officer):
    visit = visit_build(actor=staff_user, state="done")
    client = login(quality_officer)
    assert 'id="recheck-request-form"' in client.get(visit.get_absolute_url()).content.decode()
    assert client.post(reverse("aftersales:visit-recheck-request", args=[visit.pk]), {"note": "抽查"}).status_code == 302
    response = client.post(reverse("aftersales:visit-recheck", args=[visit.pk]), {"result": "discrepancy"})
    assert response.status_code == 400  # a discrepancy says what differs
    assert client.post(reverse("aftersales:visit-recheck", args=[visit.pk]),
                       {"result": "confirmed", "note": "客户确认"}).status_code == 302
    visit.refresh_from_db()
    assert visit.recheck_status == "confirmed"
    html = client.get(visit.get_absolute_url()).content.decode()
    assert "客户确认" in html and 'id="timeline"' in html


@pytest.mark.spec("VIS-1")
def test_a_low_score_opens_a_case_in_one_click_and_twice_is_the_same_case(login, staff_user, quality_officer):
    visit = visit_build(actor=staff_user, state="done", satisfaction=2)
    client = login(quality_officer)
    first = client.post(reverse("aftersales:visit-open-case", args=[visit.pk]))
    assert first.status_code == 302
    case = Case.objects.get(source_visit=visit)
    assert first["Location"] in (case.get_absolute_url(), visit.get_absolute_url()) and first["Location"]
    second = client.post(reverse("aftersales:visit-open-case", args=[visit.pk]))
    assert second.status_code == 302 and Case.objects.filter(source_visit=visit).count() == 1
    html = client.get(visit.get_absolute_url()).content.decode()
    assert case.number in html and 'id="open-case"' not in html
