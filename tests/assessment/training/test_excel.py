"""QC-5: the sign-in sheet (签到表) and the score import: every row validated, nothing saved when one
is bad, unknown people refused, names that look like formulas written as text."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from assessment.training.excel import KEY_HEADER, score_import, sign_in_sheet
from qsm.errors import PermissionDenied, ValidationError
from tests.builders.assessment import a_session

pytestmark = [pytest.mark.django_db, pytest.mark.spec("QC-5")]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _sheet(session):
    wb = load_workbook(io.BytesIO(sign_in_sheet(session)))
    ws = wb.active
    header = next(r[0].row for r in ws.iter_rows() if r[0].value == KEY_HEADER)
    return wb, ws, header


def _upload(wb, name="签到表.xlsx"):
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _row_of(ws, header, person):
    for r in range(header + 1, ws.max_row + 1):
        if ws.cell(r, 1).value == f"{ws.parent._session_pk}:{person.pk}":
            return r
    raise AssertionError("person not on the sheet")


@pytest.fixture
def held(people):
    session = a_session(people=people, state="held", attendees=[people.member, people.colleague])
    session.attendances.update(attended=None, score=None)
    return session


def _filled(session, marks):
    """The session's sheet with ``marks``: person -> (attended, score)."""
    wb, ws, header = _sheet(session)
    wb._session_pk = session.pk
    for person, (attended, score) in marks.items():
        r = _row_of(ws, header, person)
        ws.cell(r, 7).value, ws.cell(r, 8).value = attended, score
    return wb, ws, header


def test_sheet_has_chinese_headers_hidden_key_and_one_row_per_attendee(people, held):
    with translation.override("zh-hans"):
        wb, ws, header = _sheet(held)
    assert ws.column_dimensions["A"].hidden
    titles = [c.value for c in ws[header]]
    assert titles[0] == KEY_HEADER and "签名" in titles[5] and "成绩" in titles[7]
    keys = {ws.cell(r, 1).value for r in range(header + 1, ws.max_row + 1)}
    assert keys == {f"{held.pk}:{people.member.pk}", f"{held.pk}:{people.colleague.pk}"}
    assert all(ws.cell(r, 6).value in (None, "") for r in range(header + 1, ws.max_row + 1))  # blank signature
    assert held.number in ws.cell(1, 2).value


def test_names_that_look_like_formulas_are_text(people):
    people.member.first_name, people.member.last_name = "", "=HYPERLINK(\"http://evil\",\"x\")"
    people.member.save()
    session = a_session(people=people, state="held", attendees=[people.member])
    raw = sign_in_sheet(session)
    wb = load_workbook(io.BytesIO(raw))
    cells = [c for row in wb.active.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
    assert b"<f>" not in raw.replace(b" ", b"")  # no formula anywhere in the file


@pytest.mark.parametrize("mark", ["✓", "出席", "是", "√"])
def test_import_records_attendance_and_scores(people, held, mark):
    wb, _ws, _h = _filled(held, {people.member: (mark, 92.5), people.colleague: ("缺席", None)})
    assert score_import(session=held, actor=people.quality, upload=_upload(wb)) == 2
    rows = {a.person_id: a for a in held.attendances.all()}
    assert rows[people.member.pk].attended is True and rows[people.member.pk].score == Decimal("92.5")
    assert rows[people.colleague.pk].attended is False and rows[people.colleague.pk].score is None


def test_import_lists_every_bad_row_and_saves_nothing(people, held):
    wb, ws, header = _filled(held, {people.member: ("✓", 150), people.colleague: ("也许", 80)})
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        score_import(session=held, actor=people.quality, upload=_upload(wb))
    messages = err.value.messages
    assert len(messages) == 2 and all(m.startswith("第") for m in messages), messages
    assert not held.attendances.exclude(attended=None).exists()


def test_import_refuses_unknown_people_and_duplicates(people, held):
    wb, ws, header = _filled(held, {people.member: ("✓", 90)})
    r = ws.max_row + 1
    ws.cell(r, 1).value, ws.cell(r, 7).value, ws.cell(r, 8).value = f"{held.pk}:{people.outsider.pk}", "✓", 60
    ws.cell(r + 1, 1).value, ws.cell(r + 1, 7).value = f"{held.pk}:{people.member.pk}", "✓"
    ws.cell(r + 2, 1).value, ws.cell(r + 2, 3).value, ws.cell(r + 2, 7).value = "", "张三", "✓"
    with pytest.raises(ValidationError) as err:
        score_import(session=held, actor=people.quality, upload=_upload(wb))
    text = " | ".join(err.value.messages)
    assert f"Row {r}:" in text and f"Row {r + 1}:" in text and f"Row {r + 2}:" in text
    assert "not an attendee" in text and "same person" in text
    assert not held.attendances.exclude(attended=None).exists()


def test_import_refuses_another_sessions_sheet(people, held):
    other = a_session(people=people, state="held", attendees=[people.member], plan=held.plan)
    wb, _ws, _h = _filled(other, {})
    wb.active.cell(wb.active.max_row, 7).value = "✓"
    with pytest.raises(ValidationError) as err:
        score_import(session=held, actor=people.quality, upload=_upload(wb))
    assert "another sheet" in " ".join(err.value.messages)


@pytest.mark.parametrize("name, content", [
    ("scores.csv", b"key,score\n1:1,90\n"),
    ("scores.xlsx", b"not a zip at all"),
    ("scores.xlsx", b"PK\x03\x04broken"),
])
def test_import_wrong_file_type(people, held, name, content):
    with pytest.raises(ValidationError) as err:
        score_import(session=held, actor=people.quality, upload=SimpleUploadedFile(name, content))
    assert "file" in err.value.message_dict


def test_import_sheet_without_key_column_or_marks(people, held):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["姓名", "成绩"])
    wb.active.append(["张三", 90])
    with pytest.raises(ValidationError) as err:
        score_import(session=held, actor=people.quality, upload=_upload(wb))
    assert "key column" in " ".join(err.value.messages)
    empty, _ws, _h = _filled(held, {})
    with pytest.raises(ValidationError) as err:
        score_import(session=held, actor=people.quality, upload=_upload(empty))
    assert "no attendance" in " ".join(err.value.messages)


def test_import_needs_the_right_to_enter_scores(people, held):
    wb, _ws, _h = _filled(held, {people.member: ("✓", 90)})
    with pytest.raises(PermissionDenied):
        score_import(session=held, actor=people.member, upload=_upload(wb))


def test_import_cleans_hostile_comments_and_sheet_survives_control_characters(people, held):
    wb, ws, header = _filled(held, {people.member: ("✓", 90)})
    r = _row_of(ws, header, people.member)
    ws.cell(r, 9).value = "好\t评🎉" + "长" * 1000
    assert score_import(session=held, actor=people.quality, upload=_upload(wb)) == 1
    comment = held.attendances.get(person=people.member).comment
    assert comment.startswith("好") and "\t" not in comment and "🎉" in comment and len(comment) <= 500
    # A stored text with a control character (written around the validators) still makes a sheet.
    held.attendances.filter(person=people.member).update(comment="坏\x07字")
    people.member.last_name = "名\x1b字"
    people.member.save()
    ws = load_workbook(io.BytesIO(sign_in_sheet(held))).active
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "坏\ufffd字" in texts and not any("\x07" in t or "\x1b" in t for t in texts)
