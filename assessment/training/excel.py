"""QC-5: a session's sign-in sheet (签到表, .xlsx) and the import of the filled sheet's attendance
and scores.

The sheet has one row per attendee with a blank signature column and a hidden key column
(``<session>:<person>``) by which the import matches rows, whatever the names were changed to.
The import validates every row and saves nothing when any row is wrong; the errors are listed per
row (the spreadsheet's row numbers). Text cells that a spreadsheet would evaluate are written as
text (a name starting with ``=`` never runs).
"""
from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side

from qsm.errors import ValidationError
from qsm.exports.formats import FORMULA_START

from .models import TrainingSession
from .services import AttendanceRow, attendance_record, check_score, ensure_can_run

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 600
KEY_HEADER = "key"
YES = {"✓", "√", "✔", "出席", "是", "到", "已到", "y", "yes", "true", "1", "attended"}
NO = {"✗", "×", "✘", "x", "缺席", "否", "未到", "n", "no", "false", "0", "absent"}
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _text_cell(cell, value: str) -> None:
    """A text cell that stays text: a leading ``=`` etc. would make openpyxl write a formula."""
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)  # control characters: never a corrupt file
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True


def _headers() -> list[str]:
    return [KEY_HEADER, _("No."), pgettext("sign-in sheet", "Name"), _("Username"), _("Department"), _("Signature"), _("Attended"),
            _("Score"), _("Comment")]


def sign_in_sheet(session: TrainingSession) -> bytes:
    """The sign-in sheet of ``session`` (attendees ordered by department and name)."""
    attendances = (session.attendances.select_related("person", "person__department")
                   .order_by("person__department__name", "person__username"))
    wb = Workbook()
    ws = wb.active
    ws.title = _("Sign-in sheet")[:31]
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    lines = [
        f"{_('Training sign-in sheet')} · {session.number}",
        f"{_('Title')}: {session.title}",
        f"{pgettext('training', 'Topic')}: {session.get_topic_display()}    {_('Trainer')}: {session.trainer_display}",
        f"{_('Time')}: {start:%Y-%m-%d %H:%M} – {end:%H:%M}    {_('Place')}: {session.place or '—'}"
        f"    {_('Hours')}: {session.hours}",
    ]
    for i, line in enumerate(lines, start=1):
        _text_cell(ws.cell(row=i, column=2), line)
        ws.cell(row=i, column=2).font = Font(bold=i == 1, size=14 if i == 1 else 11)
    header_row = len(lines) + 2
    for col, title in enumerate(_headers(), start=1):
        cell = ws.cell(row=header_row, column=col, value=title)
        cell.font, cell.border = Font(bold=True), _BOX
        cell.alignment = Alignment(horizontal="center")
    row = header_row
    for n, attendance in enumerate(attendances, start=1):
        row += 1
        person = attendance.person
        values = [f"{session.pk}:{person.pk}", str(n), person.get_full_name() or person.username, person.username,
                  person.department.name if person.department_id else "", "",
                  "" if attendance.attended is None else ("✓" if attendance.attended else "✗"),
                  "" if attendance.score is None else str(attendance.score), attendance.comment]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col)
            _text_cell(cell, value)
            cell.border = _BOX
        ws.row_dimensions[row].height = 28
    ws.column_dimensions["A"].hidden = True
    for letter, width in zip("BCDEFGHI", (6, 16, 14, 16, 20, 8, 8, 24), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)
    ws.print_title_rows = f"{header_row}:{header_row}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _attended(value) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(text)


def _read(upload) -> list[tuple]:
    name = (getattr(upload, "name", "") or "").lower()
    size = getattr(upload, "size", None) or 0
    if not name.endswith(".xlsx"):
        raise ValidationError({"file": ValidationError(_("Upload the sign-in sheet as an Excel file (.xlsx)."),
                                                       code="file_type")})
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": ValidationError(_("The file is too large (at most 2 MB)."), code="file_size")})
    data = upload.read()
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = list(wb.worksheets[0].iter_rows(values_only=True, max_row=MAX_ROWS + 20))
        wb.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError):
        raise ValidationError({"file": ValidationError(_("This is not an Excel sign-in sheet that can be read."),
                                                       code="file_type")}) from None
    return rows


def score_import(*, session: TrainingSession, actor, upload) -> int:
    """QC-5: read the filled sign-in sheet of ``session`` and record attendance and scores (all
    rows or none). Returns the rows recorded; raises ValidationError listing each bad row."""
    ensure_can_run(session, actor)
    rows = _read(upload)
    header_at = next((i for i, r in enumerate(rows) if r and str(r[0] or "").strip() == KEY_HEADER), None)
    if header_at is None:
        raise ValidationError({"file": ValidationError(
            _("The key column of the sign-in sheet is missing: download the sheet of this session again."),
            code="no_key")})
    attendees = set(session.attendances.values_list("person_id", flat=True))
    errors: list[str] = []
    parsed: list[AttendanceRow] = []
    seen: dict[int, int] = {}
    for index, raw in enumerate(rows[header_at + 1:], start=header_at + 2):
        cells = list(raw or ()) + [None] * 9
        key, attended, score, comment = cells[0], cells[6], cells[7], cells[8]
        if all(c is None or str(c).strip() == "" for c in cells[:9]):
            continue
        line = _("Row %(row)s") % {"row": index}
        key_text = str(key or "").strip()
        session_part, _sep, person_part = key_text.partition(":")
        if not key_text or not person_part.isdigit() or session_part != str(session.pk):
            errors.append(f"{line}: " + _("the row is not one of this session's attendees (its key is missing "
                                          "or belongs to another sheet)."))
            continue
        person_id = int(person_part)
        if person_id not in attendees:
            errors.append(f"{line}: " + _("this person is not an attendee of the session."))
            continue
        if person_id in seen:
            errors.append(f"{line}: " + _("the same person as row %(row)s.") % {"row": seen[person_id]})
            continue
        seen[person_id] = index
        try:
            present = _attended(attended)
        except ValueError:
            errors.append(f"{line}: " + _("“%(value)s” is not a mark of attendance (use ✓ / 出席 / 是, or ✗ / 缺席 / 否).")
                          % {"value": str(attended)[:20]})
            continue
        try:
            value = check_score(score if not isinstance(score, float) else Decimal(str(score)))
        except ValidationError as exc:
            errors.append(f"{line}: " + " ".join(exc.messages))
            continue
        if value is not None and present is None:
            present = True  # a score given is an attendance
        if value is not None and present is False:
            errors.append(f"{line}: " + _("an absent person has no score."))
            continue
        if present is None:
            continue  # nothing entered for this person yet
        parsed.append(AttendanceRow(person_id=person_id, attended=present, score=value,
                                    comment=str(comment or "").strip()[:500]))
    if errors:
        raise ValidationError({"file": errors})
    if not parsed:
        raise ValidationError({"file": ValidationError(_("The sheet has no attendance or score entered."),
                                                       code="empty")})
    return attendance_record(session=session, actor=actor, rows=parsed)
