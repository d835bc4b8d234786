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


def _xlsx_cell(ws, value):
    """An .xlsx cell: text that starts like a formula is stored as a text cell (openpyxl would
    write it as a formula) with Excel's quote prefix, so it reads exactly as typed and stays text
    when someone edits the cell."""
    value = _cell(value)
    if not _is_formula(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def export_xlsx(rows: Iterable, columns: list[Column], filename: str, title: str = "Sheet1") -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(title)[:31])
    header = []
    for h, _get in columns:
        from openpyxl.cell import WriteOnlyCell

        c = WriteOnlyCell(ws, value=str(h))
        c.font = Font(bold=True)
        header.append(c)
    ws.append(header)
    for n, row in enumerate(rows):
        if n >= MAX_EXPORT_ROWS:
            break
        ws.append([_xlsx_cell(ws, get(row)) for _h, get in columns])
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
