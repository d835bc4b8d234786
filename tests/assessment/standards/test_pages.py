"""QC-1 pages: the library (filters, Chinese search, CSV, cards), the standard page with its history,
each version readable and printable (a Chinese PDF), the forms and the action bar (400/403/404/409),
and the "applicable standards" section on a record page staff work on."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.standards.models import Standard, StandardVersion
from tests.assessment.standards.support import new_standard

pytestmark = pytest.mark.django_db
V = StandardVersion.Status


def _bulk(n: int, *, owner, start: int = 0) -> None:
    """``n`` standards written directly (the list's query count does not depend on how they came to be)."""
    for i in range(start, start + n):
        s = Standard.objects.create(number=f"STD-T{i:05d}", title=f"服务规范{i}", kind="process", owner=owner,
                                    modules=["cases"])
        v = StandardVersion.objects.create(standard=s, version=1, status=V.EFFECTIVE, title=s.title, author=owner,
                                           process="流程", effective_on=timezone.localdate(),
                                           review_on=timezone.localdate() + dt.timedelta(days=30 + i))
        Standard.objects.filter(pk=s.pk).update(current_version=v, next_review_on=v.review_on)


@pytest.mark.spec("SEARCH-1", "PERF-1")
def test_list_page_query_count_is_the_same_at_10_and_100_rows(login, staff_user, quality_officer,
                                                              django_assert_num_queries):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    _bulk(10, owner=quality_officer)
    client = login(staff_user)
    url = reverse("assessment:standard-list")
    client.get(url)
    reset_queries()  # a request empties the query log: count from an empty log
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"per_page": 100})
    assert len(response.context["standards"]) == 10
    _bulk(90, owner=quality_officer, start=10)
    at_10 = len(ctx.captured_queries)
    assert at_10 > 0
    reset_queries()
    with django_assert_num_queries(at_10):
        response = client.get(url, {"per_page": 100})
    assert len(response.context["standards"]) == 100
    print(f"standard list page: {at_10} queries at 10 and at 100 rows")


@pytest.mark.spec("QC-1", "SEARCH-1")
def test_list_filters_search_and_csv(login, staff_user, quality_officer, quality_manager, business_department,
                                     other_department):
    ours = new_standard(author=quality_officer, title="售后服务响应规范", modules=["cases"],
                        departments=[business_department])
    theirs = new_standard(author=quality_officer, title="投诉处理质量要求", kind="quality", modules=["complaints"],
                          departments=[other_department])
    everyone = new_standard(author=quality_officer, title="回访话术规范", kind="content", modules=["visits"])
    for s in (ours, theirs, everyone):
        from assessment.standards import services

        v = services.version_fire(version=s.versions.get(), actor=quality_officer, action="submit")
        services.version_fire(version=v, actor=quality_manager, action="approve")
    client = login(staff_user)
    url = reverse("assessment:standard-list")

    def numbers(params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {s.number for s in response.context["standards"]}

    assert numbers({}) == {ours.number, theirs.number, everyone.number}
    assert numbers({"q": "响应"}) == {ours.number}
    assert numbers({"kind": "quality"}) == {theirs.number}
    assert numbers({"module": "visits"}) == {everyone.number}
    assert numbers({"department": business_department.pk}) == {ours.number, everyone.number}
    assert numbers({"owner": quality_officer.pk, "in_force": "true"}) == {ours.number, theirs.number, everyone.number}
    response = client.get(reverse("assessment:standard-export"), {"q": "质量要求"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [theirs.number]
    bad = client.get(url, {"department": "x\x00", "q": "a" * 5000})
    assert bad.status_code in (200, 400)


@pytest.mark.spec("QC-1", "ORG-1")
def test_drafts_are_hidden_from_staff_but_published_versions_are_readable(login, standard_in, staff_user):
    draft_standard, draft = standard_in("draft")
    standard, old = standard_in("superseded")
    client = login(staff_user)
    assert client.get(reverse("assessment:standard-detail", args=[draft_standard.pk])).status_code == 404
    assert client.get(reverse("assessment:standard-version-detail", args=[draft.pk])).status_code == 404
    page = client.get(reverse("assessment:standard-detail", args=[standard.pk]))
    assert page.status_code == 200
    assert "接到客户反馈后1小时内响应" in page.content.decode()
    old_page = client.get(reverse("assessment:standard-version-detail", args=[old.pk]))
    assert old_page.status_code == 200
    html = old_page.content.decode()
    assert "接到客户反馈后2小时内响应" in html and 'id="superseded-note"' in html
    pdf = client.get(reverse("assessment:standard-version-pdf", args=[old.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 2000
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace(" ", "")
    assert "接到客户反馈后2小时内响应" in text and "已被新版本取代" in text  # Chinese, the old text, marked


@pytest.mark.spec("QC-1", "WF-1")
def test_action_bar_submit_return_without_reason_and_approve(login, standard_in, quality_officer, quality_manager):
    _standard, version = standard_in("draft")
    fire = reverse("assessment:standard-version-fire", args=[version.pk])
    officer = login(quality_officer)
    page = officer.get(version.get_absolute_url())
    assert 'data-action="submit"' in page.content.decode()
    assert officer.post(fire, {"action": "submit"}).status_code == 302
    assert officer.post(fire, {"action": "approve"}).status_code == 403  # not the quality manager
    boss = login(quality_manager)
    refused = boss.post(fire, {"action": "return", "comment": ""})
    assert refused.status_code == 400
    assert officer.post(fire, {"action": "submit"}).status_code == 409  # in review already
    assert boss.post(fire, {"action": "approve"}).status_code == 302
    version.refresh_from_db()
    assert version.status == V.EFFECTIVE


@pytest.mark.spec("QC-1", "SEC-1")
def test_create_revise_and_edit_forms(login, quality_officer, staff_user):
    client = login(quality_officer)
    url = reverse("assessment:standard-create")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"title": "", "kind": "nope", "owner": quality_officer.pk})
    assert bad.status_code == 400
    assert "这个字段是必填项" in bad.content.decode() or "必填" in bad.content.decode()
    today = timezone.localdate()
    ok = client.post(url, {"title": "安装调试规范", "kind": "process", "modules": ["orders"], "owner": quality_officer.pk,
                           "process": "按图纸安装\n逐项调试", "effective_on": today.isoformat(),
                           "review_on": (today + dt.timedelta(days=365)).isoformat()})
    assert ok.status_code == 302
    standard = Standard.objects.get(title="安装调试规范")
    version = standard.versions.get()
    edit = reverse("assessment:standard-version-edit", args=[version.pk])
    hostile = client.post(edit, {"title": "安装调试规范", "process": "坏\x07字符", "effective_on": today.isoformat(),
                                 "review_on": today.isoformat()})
    assert hostile.status_code == 400
    saved = client.post(edit, {"title": "安装调试规范", "process": "按图纸安装 🛠", "change_summary": "首版",
                               "effective_on": today.isoformat(),
                               "review_on": (today + dt.timedelta(days=90)).isoformat()})
    assert saved.status_code == 302
    version.refresh_from_db()
    assert version.process == "按图纸安装 🛠"
    # a revision cannot start while version 1 is still a draft
    assert client.post(reverse("assessment:standard-revise", args=[standard.pk])).status_code == 409
    assert login(staff_user).get(url).status_code == 403


@pytest.mark.spec("QC-1")
def test_a_case_page_shows_the_standards_that_apply_to_its_module_and_department(
        login, standard_in, staff_user, business_department, other_department):
    from tests.builders.aftersales import new_case

    applies, _v = standard_in("effective", modules=["cases"], departments=[business_department])
    elsewhere, _v = standard_in("effective", title="工程部售后规范", modules=["cases"], departments=[other_department])
    draft, _v = standard_in("draft", title="草稿规范", modules=["cases"])
    case = new_case(actor=staff_user)
    assert case.department_id == business_department.pk
    html = login(staff_user).get(case.get_absolute_url()).content.decode()
    assert 'id="applicable-standards"' in html
    assert applies.number in html
    assert elsewhere.number not in html and draft.number not in html


@pytest.mark.spec("SEARCH-1", "SEC-1")
def test_excel_export_of_the_filtered_standards_neutralises_formulas(login, standard_in, staff_user):
    from openpyxl import load_workbook

    from tests.builders.exports import xlsx_export

    formula, _v = standard_in("effective", title="=HYPERLINK(\"http://x\")规范")
    other, _v = standard_in("effective", title="回访话术规范", kind="content", modules=["visits"])
    file = xlsx_export(login(staff_user), reverse("assessment:standard-export"), {"kind": "process"})
    sheet = load_workbook(io.BytesIO(file.content)).active
    rows = list(sheet.iter_rows())
    numbers = [r[0].value for r in rows[1:]]
    assert formula.number in numbers and other.number not in numbers
    title = next(r[1] for r in rows[1:] if r[0].value == formula.number)
    assert title.data_type == "s" and title.quotePrefix  # text, never run as a formula


@pytest.mark.spec("QC-1", "SEC-1")
def test_the_version_form_refuses_a_long_change_summary_with_a_chinese_error(login, standard_in, quality_officer):
    _standard, draft = standard_in("draft")
    client = login(quality_officer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    edit = reverse("assessment:standard-version-edit", args=[draft.pk])
    form = {"title": draft.title, "process": draft.process, "effective_on": "", "review_on": ""}
    for value in ("改" * 2001, "x" * 1_000_000):
        refused = client.post(edit, {**form, "change_summary": value})
        assert refused.status_code == 400
        assert "最多 2000 个字" in refused.content.decode()
    draft.refresh_from_db()
    assert len(draft.change_summary) <= 2000
