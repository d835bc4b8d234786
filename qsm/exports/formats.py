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
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils import timezone, translation

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


# What ``qsm.parsing.printable`` replaces (control characters, lone surrogates), and the two
# characters XML has no place for, in one pattern: most cells have none, and one search answers that.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    return value if _UNPRINTABLE.search(value) is None else _UNPRINTABLE.sub("\ufffd", value)


def _local(value: dt.datetime, tz) -> dt.datetime:
    """An aware date-time in the export's time zone (looked up once per export, not per cell)."""
    return value.astimezone(tz if tz is not None else timezone.get_current_timezone())


def _local_text(value: dt.datetime, tz=None) -> str:
    try:
        return _local(value, tz).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, ValueError):
        return value.isoformat()


def _cell(value, tz=None):
    """A value as CSV text. The common types are tested first: this runs for every cell."""
    cls = type(value)
    if cls is str:
        # Stored text is written as it is, but never fails the file (openpyxl refuses control
        # characters; a whole department's export must not break on one subject).
        return _text(value)
    if value is None:
        return ""
    if cls is int or cls is float:
        return value
    if cls is bool:
        return str(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return _local_text(value, tz)
    return value if isinstance(value, (int, float)) else _text(str(value))


def _is_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value, tz=None):
    """A CSV cell: text that a spreadsheet would evaluate gets a leading apostrophe, Excel's own
    sign for "this is text", so ``=HYPERLINK(...)`` is shown as written and never runs."""
    value = _cell(value, tz)
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
    tz = timezone.get_current_timezone()
    yield "\ufeff"  # BOM: Excel opens UTF-8 Chinese text correctly
    yield writer.writerow(headers)
    with transaction.atomic():
        for n, row in enumerate(_rows(rows)):
            if n >= limit:
                break
            yield writer.writerow([csv_cell(get(row), tz) for get in getters])


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
# text. openpyxl (write-only) makes the package; each row goes into the zip as it comes and is not
# kept; only the first WIDTH_SAMPLE rows wait a moment, to size the columns from what they hold
# (a sheet's column widths come before its first row).

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


def _xlsx_value(value, tz=None):
    """(value, number format) of one cell: dates, date-times and numbers keep their type."""
    if value is None:
        return None, None
    cls = type(value)
    if cls is str:
        return _text(value), None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            try:
                value = _local(value, tz)
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
    return _cell(value, tz), None


def _cell_width(value) -> int:
    value, number_format = _xlsx_value(value)
    if number_format == DATETIME_FORMAT:
        return 16
    if number_format == DATE_FORMAT:
        return 10
    if number_format == DECIMAL_FORMAT:
        return len(f"{value:,.2f}")
    return _display_width(str(value)) if value is not None else 0


def _xml_text(text: str) -> str:
    # A carriage return is written as a character reference: XML parsers turn a literal one into \n.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


class _SheetRows:
    """The rows of the sheet as SpreadsheetML, written here rather than by openpyxl's cell writer.

    openpyxl builds an XML element per cell (three quarters of the time of a 100,000-row export,
    issue 8); the rows here are plain strings in the same form openpyxl writes them (inline strings,
    serial dates with a number format, numbers), with the style numbers openpyxl registered in the
    same workbook (``style_id`` of a cell per number format, the bold header, the quote prefix)."""

    def __init__(self, ws, width: int):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        self.tz = timezone.get_current_timezone()
        self.letters = [get_column_letter(n) for n in range(1, width + 1)]
        self.prototypes = []

        def style(**attrs) -> int:
            cell = WriteOnlyCell(ws, value="")
            for name, value in attrs.items():
                setattr(cell, name, value)
            self.prototypes.append(cell)
            return cell.style_id

        self.bold = style(font=Font(bold=True))
        self.quoted = style(quotePrefix=True)
        self.formats = {fmt: style(number_format=fmt)
                        for fmt in (DATETIME_FORMAT, DATE_FORMAT, DECIMAL_FORMAT, INTEGER_FORMAT)}

    def header(self, headers: list[str]) -> str:
        cells = "".join(f'<c r="{letter}1" s="{self.bold}" t="inlineStr"><is><t xml:space="preserve">'
                        f'{_xml_text(_text(h))}</t></is></c>' for letter, h in zip(self.letters, headers, strict=True))
        return f'<row r="1">{cells}</row>'

    def row(self, n: int, values: list) -> str:
        from openpyxl.utils.datetime import to_excel

        out = [f'<row r="{n}">']
        for letter, raw in zip(self.letters, values, strict=True):
            value, number_format = _xlsx_value(raw, self.tz)
            if value is None or value == "":  # an empty cell is no cell
                continue
            if number_format is not None:
                number = to_excel(value) if number_format in (DATETIME_FORMAT, DATE_FORMAT) else value
                out.append(f'<c r="{letter}{n}" s="{self.formats[number_format]}" t="n"><v>{number}</v></c>')
            elif value.__class__ is float:
                if math.isfinite(value):
                    out.append(f'<c r="{letter}{n}" t="n"><v>{value!r}</v></c>')
                else:
                    out.append(f'<c r="{letter}{n}" t="inlineStr"><is><t>{value!r}</t></is></c>')
            else:
                # Text that starts like a formula is a text cell with Excel's quote prefix: it reads
                # exactly as typed and stays text when someone edits the cell (never a formula).
                style = f' s="{self.quoted}"' if value.startswith(FORMULA_START) else ""
                out.append(f'<c r="{letter}{n}"{style} t="inlineStr"><is><t xml:space="preserve">'
                           f'{_xml_text(value)}</t></is></c>')
        out.append("</row>")
        return "".join(out)


def write_xlsx(rows, columns: list, target, *, title: str = "Sheet1", limit: int = MAX_XLSX_ROWS,
               progress: Callable[[int], None] | None = None, progress_every: int = 2000) -> int:
    """Write the rows as a workbook to ``target`` (a path or a binary file); returns how many rows
    were written. ``progress(rows_done)`` is called every ``progress_every`` rows.

    openpyxl (write-only) makes the package: styles, column widths, the frozen and printed header;
    the sheet's rows are streamed into the zip as they come (``_SheetRows``), nothing is kept."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    headers, getters = bind_columns(columns)
    rows = _rows(rows)
    sample = []
    for row in rows if limit > 0 else ():
        sample.append([get(row) for get in getters])
        if len(sample) >= min(WIDTH_SAMPLE, limit):
            break
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(title)[:31] or "Sheet1")
    for n, header in enumerate(headers, start=1):
        widest = max([_display_width(header) + 2, *(_cell_width(values[n - 1]) + 2 for values in sample)])
        ws.column_dimensions[get_column_letter(n)].width = max(MIN_WIDTH, min(MAX_WIDTH, widest))
    ws.freeze_panes = "A2"  # the header row stays in view while scrolling
    ws.print_title_rows = "1:1"  # and is repeated on every printed page
    sheet_rows = _SheetRows(ws, len(headers))
    ws.append(sheet_rows.prototypes)  # registers the styles; this row is replaced by the real ones
    package = io.BytesIO()
    wb.save(package)

    def values():
        yield from sample
        if len(sample) < limit:
            for row in rows:
                yield [get(row) for get in getters]

    written = 0
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if not item.filename.startswith("xl/worksheets/sheet"):
                out.writestr(item, data)
                continue
            xml = data.decode("utf-8")
            head, tail = xml[:xml.index("<sheetData")], xml[xml.index("</sheetData>") + len("</sheetData>"):]
            with out.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write((head + "<sheetData>" + sheet_rows.header(headers)).encode("utf-8"))
                batch = []
                for row_values in values():
                    written += 1
                    batch.append(sheet_rows.row(written + 1, row_values))
                    if progress is not None and written % progress_every == 0:
                        progress(written)
                    if len(batch) >= 500:
                        sheet.write("".join(batch).encode("utf-8"))
                        batch = []
                    if written >= limit:
                        break
                sheet.write(("".join(batch) + "</sheetData>" + tail).encode("utf-8"))
    return written
