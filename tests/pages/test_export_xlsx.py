"""SEARCH-1 Excel exports as a spreadsheet user needs them: dates and amounts are typed cells (they
sort, filter and sum), the order export has the order's amount, the columns are wide enough to
read, and the header row stays frozen; still formula-safe."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from qsm.exports.services import export_job_run
from tests.api.test_orders_support import ORDERS
from tests.builders.exports import downloaded, forget_file, requested_job, xlsx_export
from tests.builders.inquiries import new_inquiry
from tests.builders.orders import new_order, priced_product
from tests.factories import CustomerFactory

CUSTOMER = "江苏长江精密机械制造股份有限公司"


@pytest.fixture
def big_order(sales_user):
    robot, spare = priced_product("RB-20", "650000.00"), priced_product("SP-1", "26700.00")
    customer = CustomerFactory(name=CUSTOMER)
    return new_order(actor=sales_user, customer=customer, lines=[(robot, 2, "650000.00"), (spare, 1, "26700.00")],
                     promised_in_days=30)


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def _column(sheet, header: str) -> int:
    headers = [c.value for c in sheet[1]]
    assert header in headers, headers
    return headers.index(header) + 1


def _check_order_sheet(sheet, order):
    # the header row is frozen and every column has a width that fits its content
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(1, 1).font.b
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == order.number)
    # the amount: a number cell with thousands separators, 2 × 650,000 + 26,700
    amount = sheet.cell(row, _column(sheet, "金额"))
    assert amount.data_type == "n" and Decimal(str(amount.value)) == Decimal("1326700.00")
    assert amount.number_format == "#,##0.00"
    # dates are date cells (Excel sorts and filters them), in Shanghai time
    received = sheet.cell(row, _column(sheet, "受理时间"))
    assert received.is_date and isinstance(received.value, dt.datetime)
    local = order.received_at or order.created_at
    from django.utils import timezone

    assert received.value == timezone.localtime(local).replace(tzinfo=None, microsecond=0)
    promised = sheet.cell(row, _column(sheet, "承诺交货日期"))
    assert promised.is_date and promised.value.date() == order.promised_date
    assert promised.number_format == "yyyy-mm-dd"
    # text stays text
    assert sheet.cell(row, _column(sheet, "客户")).value == CUSTOMER
    # widths: the long Chinese customer name fits (CJK characters count twice), nothing is absurd
    letter = sheet.cell(1, _column(sheet, "客户")).column_letter
    assert sheet.column_dimensions[letter].width >= 2 * len(CUSTOMER)
    widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
    assert all(8 <= w <= 60 for w in widths), widths


@pytest.mark.spec("SEARCH-1")
def test_the_order_page_export_has_typed_cells_the_amount_widths_and_a_frozen_header(login, sales_user,
                                                                                     big_order):
    response = xlsx_export(login(sales_user), reverse("orders:order-export"))
    _check_order_sheet(_sheet(response), big_order)


@pytest.mark.spec("SEARCH-1", "API-1")
def test_the_order_api_export_is_the_same_spreadsheet(sales_user, big_order):
    client = APIClient()
    client.force_login(sales_user)
    _check_order_sheet(_sheet(xlsx_export(client, f"{ORDERS}export/")), big_order)


@pytest.mark.spec("SEARCH-1")
def test_the_amount_is_one_query_for_the_whole_export(login, sales_user, big_order, django_assert_max_num_queries):
    for _n in range(5):
        new_order(actor=sales_user, customer=big_order.customer)
    client = login(sales_user)
    job = requested_job(client.get(reverse("orders:order-export"), {"fmt": "xlsx"}))
    with django_assert_max_num_queries(12):  # the whole job: claim, count, the rows, progress, done, notify
        export_job_run(job_id=job.pk)
    sheet = _sheet(downloaded(client.get(reverse("exports:download", args=[job.pk]))))
    assert sheet.max_row == 7
    job.refresh_from_db()
    forget_file(job)


@pytest.mark.spec("SEARCH-1")
def test_the_inquiry_export_has_date_cells_and_stays_formula_safe(login, staff_user):
    inquiry = new_inquiry(actor=staff_user, customer=CustomerFactory(name="=HYPERLINK(\"http://x\")"))
    sheet = _sheet(xlsx_export(login(staff_user), reverse("presales:inquiry-export")))
    assert sheet.freeze_panes == "A2"
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == inquiry.number)
    received = sheet.cell(row, _column(sheet, "受理时间"))
    assert received.is_date and received.number_format == "yyyy-mm-dd hh:mm"
    customer = sheet.cell(row, _column(sheet, "客户"))
    assert customer.data_type == "s" and customer.value == "=HYPERLINK(\"http://x\")" and customer.quotePrefix
