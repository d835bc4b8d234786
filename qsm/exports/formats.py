"""SEARCH-1 / PERF-1 export formats: a list's rows as CSV (streamed from the first row) or as .xlsx
(written row by row to a file by an export job), with the same columns as the page.

A column is ``Column(header, get, labels=None)``: ``get(row)`` reads one value of a row. A column of
codes (a status, a channel, yes/no) declares ``labels``, a choices list or a mapping code -> label:
the labels are translated once per export, in the reader's language, and each row only looks its
code up in a dict. ``get_status_display()`` per row rebuilt the choices dict and translated the
label on every call, 1.4 million times in a 100,000-row export (issue 8). A plain
``(header, get)`` pair is a column without labels.
"""
from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils import timezone, translation

from qsm.parsing import printable

# A CSV is streamed inside the request (a gunicorn worker is busy for as long as it streams):
# beyond this, narrow the filters or take the Excel file, which a worker writes in the background.
MAX_EXPORT_ROWS = 100_000
# An Excel sheet holds at most 1,048,576 rows; the first is the header.
MAX_XLSX_ROWS = 1_048_575
CHUNK_ROWS = 2000  # rows fetched per round trip from the server-side cursor


class Column(NamedTuple):
    header: Any  # a lazy translatable text
    get: Callable[[Any], Any]  # row -> value (a code when ``labels`` is given)
    labels: Any = None  # choices [(code, label)] or {code: label}: translated once per export


def as_column(column) -> Column:
    return column if isinstance(column, Column) else Column(*column)


def bind_columns(columns: Iterable) -> tuple[list[str], list[Callable[[Any], Any]]]:
    """The headers and one getter per column, in the current language. A column's labels are
    translated here, once; its getter maps the row's code through a plain dict (an unknown code
    is written as it is)."""
    headers, getters = [], []
    for column in map(as_column, columns):
        headers.append(str(column.header))
        if column.labels is None:
            getters.append(column.get)
            continue
        labels = {code: str(label) for code, label in dict(column.labels).items()}

        def labelled(row, get=column.get, labels=labels):
            value = get(row)
            return labels.get(value, value)

        getters.append(labelled)
    return headers, getters


def yes_no(*, no: bool = True) -> dict:
    """The labels of a yes/no column: "yes" for True, "no" for False (nothing when ``no=False``)."""
    from django.utils.translation import gettext_lazy

    return {True: gettext_lazy("yes"), False: gettext_lazy("no") if no else ""}


# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): ``=HYPERLINK(...)``,
# ``=cmd|' /C calc'!A0``, ``+``, ``-``, ``@``, and a leading tab or carriage return.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _local_text(value: dt.datetime) -> str:
    try:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, ValueError):
        return value.isoformat()


def _cell(value):
    """A value as CSV text. The common types are tested first: this runs for every cell."""
    cls = type(value)
    if cls is str:
        # Stored text is written as it is, but never fails the file (openpyxl refuses control
        # characters; a whole department's export must not break on one subject).
        return printable(value)
    if value is None:
        return ""
    if cls is int or cls is float:
        return value
    if cls is bool:
        return str(value)
    if cls is dt.datetime and value.tzinfo is not None:
        return _local_text(value)
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:  # a datetime subclass
        return _local_text(value)
    return value if isinstance(value, (int, float)) else printable(str(value))


def _is_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value):
    """A CSV cell: text that a spreadsheet would evaluate gets a leading apostrophe, Excel's own
    sign for "this is text", so ``=HYPERLINK(...)`` is shown as written and never runs."""
    value = _cell(value)
    return "'" + value if value.__class__ is str and value.startswith(FORMULA_START) else value


class _Echo:
    def write(self, value):
        return value


def _rows(rows) -> Iterator:
    """The rows of a queryset through a server-side cursor, ``CHUNK_ROWS`` per round trip; any
    other iterable as it is."""
    iterator = getattr(rows, "iterator", None)
    return iterator(chunk_size=CHUNK_ROWS) if iterator is not None else iter(rows)


def csv_lines(rows, columns: list, *, limit: int = MAX_EXPORT_ROWS) -> Iterator[str]:
    """The CSV file line by line: the BOM and the header before the query runs, then each row as
    the cursor gives it. The rows are read inside a transaction: a cursor opened outside one is
    declared WITH HOLD, and PostgreSQL runs such a query to the end before the first row comes."""
    writer = csv.writer(_Echo())
    headers, getters = bind_columns(columns)
    yield "\ufeff"  # BOM: Excel opens UTF-8 Chinese text correctly
    yield writer.writerow(headers)
    with transaction.atomic():
        for n, row in enumerate(_rows(rows)):
            if n >= limit:
                break
            yield writer.writerow([csv_cell(get(row)) for get in getters])


def export_csv(rows, columns: list, filename: str) -> StreamingHttpResponse:
    # The body streams after the view has returned: keep the request's language for the labels.
    language = translation.get_language()

    def generate():
        with translation.override(language):
            yield from csv_lines(rows, columns)

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


# --- .xlsx: typed cells, readable widths, the header frozen (SEARCH-1) ---------------------------
#
# A date is a date cell and an amount a number cell (Excel sorts, filters and sums them); text stays
# text. The workbook is written in openpyxl's write-only mode: each row goes to a temporary file as
# it comes and is not kept; only the first WIDTH_SAMPLE rows wait a moment, to size the columns from
# what they hold (write-only sheets take column widths before the first row).

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
DECIMAL_FORMAT = "#,##0.00"
INTEGER_FORMAT = "0"
WIDTH_SAMPLE = 200
MIN_WIDTH, MAX_WIDTH = 8, 60


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK (wide) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _xlsx_value(value):
    """(value, number format) of one cell: dates, date-times and numbers keep their type."""
    if value is None:
        return None, None
    cls = type(value)
    if cls is str:
        return printable(value), None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            try:
                value = timezone.localtime(value)
            except (OverflowError, ValueError):
                return value.isoformat(), None
        return value.replace(tzinfo=None, microsecond=0), DATETIME_FORMAT  # Excel has no time zones
    if isinstance(value, dt.date):
        return value, DATE_FORMAT
    if cls is bool:
        return str(value), None
    if isinstance(value, Decimal):
        return (value, DECIMAL_FORMAT) if value.is_finite() else (str(value), None)
    if isinstance(value, int):
        return value, INTEGER_FORMAT
    if isinstance(value, float):
        return value, None
    return _cell(value), None


class _RowWriter:
    """Turns a row's values into what a write-only sheet appends. A typed value (a date, a number)
    needs a styled cell: one per column is made once and reused for every row (the sheet writes
    each row out before the next is appended), instead of a new styled cell per value."""

    def __init__(self, ws, width: int):
        self.ws = ws
        self.styled: list[dict] = [{} for _n in range(width)]

    def _styled(self, n: int, number_format: str):
        from openpyxl.cell import WriteOnlyCell

        cell = self.styled[n].get(number_format)
        if cell is None:
            cell = WriteOnlyCell(self.ws)
            cell.number_format = number_format
            self.styled[n][number_format] = cell
        return cell

    def cells(self, values: list) -> list:
        from openpyxl.cell import WriteOnlyCell

        out = []
        for n, raw in enumerate(values):
            value, number_format = _xlsx_value(raw)
            if number_format:
                cell = self._styled(n, number_format)
                cell.value = value
                out.append(cell)
            elif value.__class__ is str and value.startswith(FORMULA_START):
                # Text that starts like a formula is stored as a text cell (openpyxl would write it
                # as a formula) with Excel's quote prefix: it reads exactly as typed and stays text
                # when someone edits the cell.
                cell = WriteOnlyCell(self.ws, value=value)
                cell.data_type = "s"
                cell.quotePrefix = True
                out.append(cell)
            else:
                out.append(value)
        return out


def _cell_width(value) -> int:
    value, number_format = _xlsx_value(value)
    if number_format == DATETIME_FORMAT:
        return 16
    if number_format == DATE_FORMAT:
        return 10
    if number_format == DECIMAL_FORMAT:
        return len(f"{value:,.2f}")
    return _display_width(str(value)) if value is not None else 0


def write_xlsx(rows, columns: list, target, *, title: str = "Sheet1", limit: int = MAX_XLSX_ROWS,
               progress: Callable[[int], None] | None = None, progress_every: int = 2000) -> int:
    """Write the rows as a workbook to ``target`` (a path or a binary file); returns how many rows
    were written. ``progress(rows_done)`` is called every ``progress_every`` rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    headers, getters = bind_columns(columns)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(title)[:31] or "Sheet1")
    rows = _rows(rows)
    sample = []
    for row in rows if limit > 0 else ():
        sample.append([get(row) for get in getters])
        if len(sample) >= min(WIDTH_SAMPLE, limit):
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
    writer = _RowWriter(ws, len(headers))
    written = 0

    def values():
        yield from sample
        if len(sample) < limit:
            for row in rows:
                yield [get(row) for get in getters]

    for row_values in values():
        ws.append(writer.cells(row_values))
        written += 1
        if progress is not None and written % progress_every == 0:
            progress(written)
        if written >= limit:
            break
    wb.save(target)
    return written
