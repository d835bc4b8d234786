"""PERF-1 / SEARCH-1 exports of any size (issue 8): the CSV streams from the first row with a query
count that does not grow with the rows and labels translated once per export; an Excel file is an
export job run by a worker as the person who asked (their filters, their scope), followed on a
progress page or through ``/api/exports/{id}/``, downloaded only by its owner, swept when expired.
Jobs are run through the service the Celery task calls (``export_job_run``), not a mock."""
from __future__ import annotations

import csv
import datetime as dt
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from presales.models import Inquiry
from presales.selectors import inquiry_export_columns
from qsm.exports import Column, csv_cell
from qsm.exports.formats import bind_columns, csv_lines
from qsm.exports.models import ExportJob
from qsm.exports.services import MAX_ACTIVE_JOBS, export_job_run, export_jobs_sweep
from qsm.notify.models import Notification
from tests.api.openapi import ContractClient
from tests.builders.exports import downloaded, requested_job, xlsx_export
from tests.builders.inquiries import new_inquiry
from tests.builders.orders import new_order
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

INQUIRY_EXPORT = "/presales/export/"
API_INQUIRY_EXPORT = "/api/presales/inquiries/export/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> ContractClient:
    client = ContractClient()  # every JSON answer is checked against the OpenAPI document
    client.force_login(user)
    return client


def inquiries(actor, n: int, **intake) -> list[Inquiry]:
    customer = CustomerFactory()
    return [new_inquiry(actor=actor, customer=customer, subject=f"咨询 {k}", **intake) for k in range(n)]


def csv_table(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


# --- CSV: streamed, constant queries, labels once ------------------------------------------------


def _csv_queries(client, url, params) -> tuple[int, int]:
    """(queries, data rows) of a whole CSV export, the streamed body read to its end."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        assert response.status_code == 200 and response.streaming
        rows = len(csv_table(response)) - 1
    return len(queries), rows


@pytest.mark.spec("PERF-1", "SEARCH-1")
def test_the_csv_query_count_does_not_grow_with_the_rows(staff_user, sales_user, django_assert_num_queries):
    # given 3 inquiries and 3 orders
    inquiries(staff_user, 3)
    customer = CustomerFactory()
    for _n in range(3):
        new_order(actor=sales_user, customer=customer)
    staff, sales = page(staff_user), page(sales_user)
    staff.get(reverse("presales:inquiry-list"))  # the session and content types warmed
    sales.get(reverse("orders:order-list"))
    inquiry_queries, rows = _csv_queries(staff, INQUIRY_EXPORT, {"fmt": "csv"})
    assert rows == 3
    order_queries, rows = _csv_queries(sales, "/api/orders/orders/export/", {"format": "csv"})
    assert rows == 3
    # when there are ten times as many
    inquiries(staff_user, 27)
    for _n in range(27):
        new_order(actor=sales_user, customer=customer)
    # then each export costs the same queries (the customer, owner, department, the order's amount:
    # all read in the one streamed query, none per row)
    with django_assert_num_queries(inquiry_queries):
        assert _csv_queries(staff, INQUIRY_EXPORT, {"fmt": "csv"})[1] == 30
    with django_assert_num_queries(order_queries):
        assert _csv_queries(sales, "/api/orders/orders/export/", {"format": "csv"})[1] == 30


@pytest.mark.spec("PERF-1", "SEARCH-1")
def test_the_csv_sends_its_header_before_the_rows_are_read(staff_user):
    inquiries(staff_user, 2)
    client = page(staff_user)
    client.get(reverse("presales:inquiry-list"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INQUIRY_EXPORT)
        body = iter(response.streaming_content)
        first = next(body) + next(body)  # the BOM and the header line
        assert not [q for q in queries if "presales_inquiry" in q["sql"]]  # no row read yet
        rest = b"".join(body)
    assert first.decode("utf-8").startswith("\ufeff编号")
    assert len(rest.decode("utf-8").splitlines()) == 2


class _Label:
    """A label that counts how often it is turned into text."""

    def __init__(self, text: str):
        self.text, self.calls = text, 0

    def __str__(self) -> str:
        self.calls += 1
        return self.text


class _Row:
    def __init__(self, n: int):
        self.n, self.status = n, "new" if n % 2 else "closed"


@pytest.mark.spec("PERF-1")
def test_labels_are_translated_once_per_export_not_once_per_row():
    new, closed = _Label("新咨询"), _Label("已关闭")
    columns = [Column("编号", lambda r: r.n), Column("状态", lambda r: r.status, {"new": new, "closed": closed})]

    lines = list(csv_lines([_Row(n) for n in range(300)], columns))

    assert len(lines) == 2 + 300
    assert lines[2] == "0,已关闭\r\n" and lines[3] == "1,新咨询\r\n"
    assert new.calls == 1 and closed.calls == 1  # once per export, not 150 times each


@pytest.mark.spec("PERF-1", "SEARCH-1")
def test_the_coded_inquiry_columns_declare_their_labels_and_read_in_chinese(staff_user):
    inquiry = new_inquiry(actor=staff_user, customer=CustomerFactory(), channel="email")
    headers, getters = bind_columns(inquiry_export_columns())
    row = dict(zip(headers, (get(Inquiry.objects.get(pk=inquiry.pk)) for get in getters), strict=True))
    assert row["渠道"] == inquiry.get_channel_display() != "email" and row["状态"] == inquiry.get_status_display() and row["复杂需求"] in ("是", "否")
    coded = {str(c.header) for c in inquiry_export_columns() if c.labels is not None}
    assert {"渠道", "优先级", "状态", "复杂需求"} <= coded
    assert csv_cell("=1+1") == "'=1+1"


# --- Excel: a job run as the person who asked ----------------------------------------------------


@pytest.mark.spec("PERF-1", "SEARCH-1", "ORG-1")
def test_the_job_writes_the_filtered_rows_of_the_owners_scope_as_typed_cells(staff_user, other_department_staff):
    # given inquiries of two departments, by two channels
    mine = inquiries(staff_user, 3, )
    email = new_inquiry(actor=staff_user, customer=CustomerFactory(), channel="email")
    theirs = inquiries(other_department_staff, 2)
    client = page(staff_user)
    # when the business user asks for the phone inquiries as Excel
    csv_rows = csv_table(client.get(INQUIRY_EXPORT, {"channel": "phone"}))
    sheet = load_workbook(io.BytesIO(xlsx_export(client, INQUIRY_EXPORT, {"channel": "phone"}).content)).active
    cells = list(sheet.iter_rows(values_only=True))
    # then the workbook has the CSV's rows in the same order: theirs and the e-mail one are left out
    assert [r[0] for r in cells[1:]] == [r[0] for r in csv_rows[1:]]
    assert {r[0] for r in cells[1:]} == {i.number for i in mine}
    assert email.number not in {r[0] for r in cells} and not {i.number for i in theirs} & {r[0] for r in cells}
    assert list(cells[0]) == csv_rows[0]
    # with typed dates and the same labels as the CSV
    received = sheet.cell(2, 2)
    assert received.is_date and isinstance(received.value, dt.datetime) and received.number_format == "yyyy-mm-dd hh:mm"
    assert received.value.strftime("%Y-%m-%d %H:%M") == csv_rows[1][1]
    assert cells[1][2] == csv_rows[1][2] == "电话"


@pytest.mark.spec("PERF-1", "ORG-1")
def test_the_job_reads_the_scope_when_it_runs_as_its_owner(staff_user, other_department_staff):
    inquiries(staff_user, 2)
    theirs = inquiries(other_department_staff, 1)
    job = requested_job(page(other_department_staff).get(INQUIRY_EXPORT, {"fmt": "xlsx"}))
    assert job.owner == other_department_staff and job.query == ""
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    sheet = load_workbook(job.file.open("rb")).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [theirs[0].number]
    # an account deactivated before the worker took the job gets nothing
    again = requested_job(page(staff_user).get(INQUIRY_EXPORT, {"fmt": "xlsx"}))
    staff_user.is_active = False
    staff_user.save(update_fields=["is_active"])
    export_job_run(job_id=again.pk)
    again.refresh_from_db()
    assert again.state == ExportJob.State.FAILED and not again.file


@pytest.mark.spec("PERF-1")
def test_the_progress_page_polls_while_the_job_runs_and_offers_the_file_when_done(staff_user, monkeypatch):
    from qsm.exports import services

    inquiries(staff_user, 5)
    client = page(staff_user)
    asked = client.get(INQUIRY_EXPORT, {"fmt": "xlsx", "status": ["new"], "after": "x"})
    job = requested_job(asked)
    assert asked["Location"] == job.get_absolute_url()
    assert job.query == "status=new" and job.language == "zh-hans"  # the filters only, not the page cursor
    # queued: the page polls its progress part with htmx (no inline script), no download yet
    html = client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in html and f'hx-get="{job.get_absolute_url()}"' in html
    assert "<progress" in html and "export-download" not in html and "<script>" not in html
    part = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert part.status_code == 200 and part.content.decode().lstrip().startswith('<div id="export-job"')
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404  # nothing yet
    # the same request while it waits is the same job
    assert requested_job(client.get(INQUIRY_EXPORT, {"fmt": "xlsx", "status": ["new"]})).pk == job.pk
    # running: progress is written every PROGRESS_EVERY rows, in statements of their own
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    with CaptureQueriesContext(connection) as queries:
        export_job_run(job_id=job.pk)
    progress = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "exports_exportjob" SET "rows_done"')]
    assert len(progress) == 2  # after rows 2 and 4 of 5
    # done: the file is offered, the polling stops, the owner is told with a link to the job
    job.refresh_from_db()
    assert (job.state, job.rows_done, job.rows_total, job.percent) == (ExportJob.State.DONE, 5, 5, 100)
    part = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in part and reverse("exports:download", args=[job.pk]) in part
    note = Notification.objects.get(recipient=staff_user, kind="export_ready")
    assert note.url == job.get_absolute_url() and job.filename in note.title
    file = downloaded(client.get(reverse("exports:download", args=[job.pk])))
    assert file["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f'filename="{job.filename}"' in file["Content-Disposition"]
    assert load_workbook(io.BytesIO(file.content)).active.max_row == 6


@pytest.mark.spec("PERF-1", "API-1")
def test_the_api_answers_202_with_the_job_and_its_state_moves_to_done(staff_user):
    inquiries(staff_user, 3)
    client = api(staff_user)
    r = client.get(API_INQUIRY_EXPORT, {"format": "xlsx", "channel": "phone"})
    assert r.status_code == 202
    body = r.json()
    assert r["Location"] == body["url"] == f"/api/exports/{body['id']}/"
    assert (body["state"], body["progress"], body["download_url"], body["export"]) == (
        "queued", 0, None, "presales.inquiries")
    assert client.get(f"/api/exports/{body['id']}/download/").status_code == 404
    export_job_run(job_id=body["id"])
    done = client.get(body["url"]).json()
    assert (done["state"], done["rows_done"], done["rows_total"], done["progress"]) == ("done", 3, 3, 100)
    assert done["download_url"] == f"/api/exports/{body['id']}/download/"
    assert [j["id"] for j in client.get("/api/exports/").json()["results"]] == [body["id"]]
    file = downloaded(client.get(done["download_url"]))
    assert file.status_code == 200 and load_workbook(io.BytesIO(file.content)).active.max_row == 4


@pytest.mark.spec("PERF-1")
def test_the_job_is_handed_to_the_worker_after_commit_and_runs(staff_user, django_capture_on_commit_callbacks):
    # the tests' Celery runs tasks eagerly: the task sent on commit runs the job in place
    inquiries(staff_user, 2)
    client = page(staff_user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = requested_job(client.get(INQUIRY_EXPORT, {"fmt": "xlsx"}))
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE and job.rows_done == 2
    # a job already run is not run again (a message delivered twice)
    from qsm.exports.tasks import run_export_job

    assert run_export_job.apply(args=[job.pk]).get() == "done"
    assert Notification.objects.filter(recipient=staff_user, kind="export_ready").count() == 1


@pytest.mark.spec("PERF-1", "ORG-1")
def test_another_persons_job_is_a_404_everywhere(staff_user, colleague):
    inquiries(staff_user, 1)
    job = requested_job(page(staff_user).get(INQUIRY_EXPORT, {"fmt": "xlsx"}))
    export_job_run(job_id=job.pk)
    other_page, other_api = page(colleague), api(colleague)
    for response in (other_page.get(job.get_absolute_url()),
                     other_page.get(reverse("exports:download", args=[job.pk])),
                     other_api.get(f"/api/exports/{job.pk}/"), other_api.get(f"/api/exports/{job.pk}/download/")):
        assert response.status_code == 404
    assert other_api.get("/api/exports/").json()["results"] == []
    assert page(staff_user).get(reverse("exports:download", args=[job.pk])).status_code == 200


@pytest.mark.spec("PERF-1")
def test_the_sweep_deletes_expired_files_and_gives_up_abandoned_jobs(staff_user, media):
    inquiries(staff_user, 1)
    client = page(staff_user)
    done = requested_job(client.get(INQUIRY_EXPORT, {"fmt": "xlsx"}))
    export_job_run(job_id=done.pk)
    done.refresh_from_db()
    path = media / done.file.name
    assert path.exists()
    abandoned = requested_job(client.get(INQUIRY_EXPORT, {"fmt": "xlsx", "channel": "email"}))
    ExportJob.objects.filter(pk=abandoned.pk).update(created_at=timezone.now() - timedelta(hours=2))
    # before expiry nothing is deleted
    assert export_jobs_sweep() == {"given_up": 1, "expired": 0}
    assert path.exists()
    abandoned.refresh_from_db()
    assert abandoned.state == ExportJob.State.FAILED and abandoned.error
    # after it, the file and the job are gone; the link is a 404
    ExportJob.objects.filter(pk=done.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert export_jobs_sweep() == {"given_up": 0, "expired": 1}
    assert not path.exists() and not path.parent.exists() and not ExportJob.objects.filter(pk=done.pk).exists()
    assert client.get(reverse("exports:download", args=[done.pk])).status_code == 404


@pytest.mark.spec("PERF-1")
def test_beat_runs_the_export_sweep(settings):
    from qsm.exports.tasks import sweep_export_jobs

    assert settings.CELERY_BEAT_SCHEDULE["exports-sweep"]["task"] == sweep_export_jobs.name
    assert sweep_export_jobs.apply().get() == {"given_up": 0, "expired": 0}


@pytest.mark.spec("PERF-1", "SEC-1")
@pytest.mark.parametrize("params", [
    {"status": "bogus"}, {"customer": "99999999999999999999"}, {"owner": "x"}, {"received_from": "2026-13-45"},
    {"q": "长" * 5000},
])
def test_hostile_filters_are_a_400_and_start_no_job(staff_user, params):
    for fmt in ("xlsx", "csv"):
        response = page(staff_user).get(INQUIRY_EXPORT, {**params, "fmt": fmt})
        assert response.status_code in (400, 200), response.status_code
        if fmt == "xlsx" or "q" not in params:  # a long search term is cut, not refused, by the list
            assert response.status_code == 400
        r = api(staff_user).get(API_INQUIRY_EXPORT, {**params, "format": fmt})
        if fmt == "xlsx" or "q" not in params:
            assert r.status_code == 400, r.status_code
    assert not ExportJob.objects.exists()


@pytest.mark.spec("PERF-1", "SEC-1")
def test_control_characters_never_reach_a_stored_job(staff_user):
    from django.http import QueryDict

    from qsm.exports import export_spec

    assert page(staff_user).get(INQUIRY_EXPORT, {"fmt": "xlsx", "q": "华东\x00机械"}).status_code == 400
    assert api(staff_user).get(API_INQUIRY_EXPORT, {"format": "xlsx", "q": "华东\x00机械"}).status_code == 400
    assert not ExportJob.objects.exists()
    # what is stored is percent-encoded: no control character reaches the column
    query = QueryDict(mutable=True)
    query.setlist("q", ["a\x00b\ud800"])
    query.setlist("after", ["x"])
    stored = export_spec("presales.inquiries").stored_query(query)
    assert stored == "q=a%00b%EF%BF%BD"


@pytest.mark.spec("PERF-1")
def test_a_person_runs_a_few_jobs_at_once(staff_user):
    client = page(staff_user)
    for n in range(MAX_ACTIVE_JOBS):
        assert client.get(INQUIRY_EXPORT, {"fmt": "xlsx", "q": f"第{n}"}).status_code == 302
    refused = client.get(INQUIRY_EXPORT, {"fmt": "xlsx", "q": "再一个"})
    assert refused.status_code == 400
    assert ExportJob.objects.filter(owner=staff_user).count() == MAX_ACTIVE_JOBS
    r = api(staff_user).get(API_INQUIRY_EXPORT, {"format": "xlsx", "q": "再一个"})
    assert r.status_code == 400


@pytest.mark.spec("PERF-1", "SEC-1")
def test_any_stored_text_makes_a_readable_workbook():
    from decimal import Decimal

    from qsm.exports import write_xlsx

    texts = ["坏\x01字符\x1f", "non\ufffechar", "a & <b> \r\n c", "  leading", "=1+1", "-2", ""]
    columns = [Column("文本", lambda r: r[0]), Column("数", lambda r: r[1]), Column("日", lambda r: r[2])]
    rows = [(t, Decimal("1234.5") if n % 2 else float("nan"), dt.date(2026, 1, n + 1)) for n, t in enumerate(texts)]
    out = io.BytesIO()
    assert write_xlsx(rows, columns, out, title="测试") == len(texts)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    read = [sheet.cell(r, 1).value for r in range(2, len(texts) + 2)]
    assert read == ["坏\ufffd字符\ufffd", "non\ufffdchar", "a & <b> \r\n c", "  leading", "=1+1", "-2", None]
    assert sheet.cell(6, 1).data_type == "s" and sheet.cell(6, 1).quotePrefix  # a formula stays text
    assert sheet.cell(3, 2).value == 1234.5 and sheet.cell(3, 2).number_format == "#,##0.00"
    assert sheet.cell(2, 2).value == "nan"
    assert sheet.cell(2, 3).is_date and sheet.cell(2, 3).value.date() == dt.date(2026, 1, 1)
