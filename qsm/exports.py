"""SEARCH-1 exports: stream any list as CSV or .xlsx with the same columns as the page."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation

from qsm.parsing import printable

MAX_EXPORT_ROWS = 100_000  # beyond this, narrow the filters; an export is not a backup

Column = tuple[str, Callable[[Any], Any]]  # (header, value getter)


# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): ``=HYPERLINK(...)``,
# ``=cmd|' /C calc'!A0``, ``+``, ``-``, ``@``, and a leading tab or carriage return.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        try:
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        except (OverflowError, ValueError):
            return value.isoformat()
    # Stored text is written as it is, but never fails the file (openpyxl refuses control
    # characters; a whole department's export must not break on one subject).
    return value if isinstance(value, (int, float)) else printable(str(value))


def _is_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value):
    """A CSV cell: text that a spreadsheet would evaluate gets a leading apostrophe, Excel's own
    sign for "this is text", so ``=HYPERLINK(...)`` is shown as written and never runs."""
    value = _cell(value)
    return "'" + value if _is_formula(value) else value


class _Echo:
    def write(self, value):
        return value


def export_csv(rows: Iterable, columns: list[Column], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    # The body streams after the view has returned: keep the request's language for the labels.
    language = translation.get_language()
    header = [str(h) for h, _get in columns]

    def generate():
        with translation.override(language):
            yield "\ufeff"  # BOM: Excel opens UTF-8 Chinese text correctly
            yield writer.writerow(header)
            for n, row in enumerate(rows):
                if n >= MAX_EXPORT_ROWS:
                    break
                yield writer.writerow([csv_cell(get(row)) for _h, get in columns])

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


# --- .xlsx: typed cells, readable widths, the header frozen (SEARCH-1) ---------------------------
#
# A date is a date cell and an amount a number cell (Excel sorts, filters and sums them); text stays
# text. The workbook is written in openpyxl's write-only mode: each row goes to the file as it comes
# and is not kept; only the first WIDTH_SAMPLE rows wait a moment, to size the columns from what
# they hold (write-only sheets take column widths before the first row).

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
DECIMAL_FORMAT = "#,##0.00"
INTEGER_FORMAT = "0"
WIDTH_SAMPLE = 200
MIN_WIDTH, MAX_WIDTH = 8, 60


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK (wide) characters count twice."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _xlsx_value(value):
    """(value, number format) of one cell: dates, date-times and numbers keep their type."""
    import datetime as dt
    from decimal import Decimal

    if value is None:
        return None, None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            try:
                value = timezone.localtime(value)
            except (OverflowError, ValueError):
                return value.isoformat(), None
        return value.replace(tzinfo=None, microsecond=0), DATETIME_FORMAT  # Excel has no time zones
    if isinstance(value, dt.date):
        return value, DATE_FORMAT
    if isinstance(value, bool):
        return str(value), None
    if isinstance(value, Decimal):
        return (value, DECIMAL_FORMAT) if value.is_finite() else (str(value), None)
    if isinstance(value, int):
        return value, INTEGER_FORMAT
    if isinstance(value, float):
        return value, None
    return _cell(value), None


def _xlsx_cell(ws, value):
    """An .xlsx cell. Text that starts like a formula is stored as a text cell (openpyxl would write
    it as a formula) with Excel's quote prefix, so it reads exactly as typed and stays text when
    someone edits the cell; dates and numbers are typed cells with a number format."""
    from openpyxl.cell import WriteOnlyCell

    value, number_format = _xlsx_value(value)
    if number_format:
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = number_format
        return cell
    if not _is_formula(value):
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _cell_width(value) -> int:
    value, number_format = _xlsx_value(value)
    if number_format == DATETIME_FORMAT:
        return 16
    if number_format == DATE_FORMAT:
        return 10
    if number_format == DECIMAL_FORMAT:
        return len(f"{value:,.2f}")
    return _display_width(str(value)) if value is not None else 0


def export_xlsx(rows: Iterable, columns: list[Column], filename: str, title: str = "Sheet1") -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(title)[:31])
    headers = [str(h) for h, _get in columns]
    rows = iter(rows)
    sample = []
    for row in rows:
        sample.append([get(row) for _h, get in columns])
        if len(sample) >= min(WIDTH_SAMPLE, MAX_EXPORT_ROWS):
            break
    for n, header in enumerate(headers, start=1):
        widest = max([_display_width(header) + 2, *(_cell_width(values[n - 1]) + 2 for values in sample)])
        ws.column_dimensions[get_column_letter(n)].width = max(MIN_WIDTH, min(MAX_WIDTH, widest))
    ws.freeze_panes = "A2"  # the header row stays in view while scrolling
    ws.print_title_rows = "1:1"  # and is repeated on every printed page
    header_cells = []
    for header in headers:
        c = WriteOnlyCell(ws, value=header)
        c.font = Font(bold=True)
        header_cells.append(c)
    ws.append(header_cells)
    written = 0
    for values in sample:
        ws.append([_xlsx_cell(ws, v) for v in values])
        written += 1
    for row in rows:
        if written >= MAX_EXPORT_ROWS:
            break
        ws.append([_xlsx_cell(ws, get(row)) for _h, get in columns])
        written += 1
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(rows: Iterable, columns: list[Column], *, fmt: str, filename: str, title: str = "Sheet1"):
    if fmt == "xlsx":
        return export_xlsx(rows, columns, filename, title)
    return export_csv(rows, columns, filename)
