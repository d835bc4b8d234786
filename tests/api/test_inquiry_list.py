"""SEARCH-1 through the API: filters, export, keyset pagination, constant query count."""
from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from presales import services
from presales.models import Inquiry
from presales.selectors import inquiry_export_columns
from tests.builders.exports import xlsx_export
from tests.builders.inquiries import new_inquiry
from tests.factories import CustomerFactory

SH = ZoneInfo("Asia/Shanghai")


def sh(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.data
    return [row["number"] for row in response.data["results"]]


@pytest.fixture
def rows(time_machine, staff_user, colleague, other_department_staff, customer):
    """Four inquiries of the customer-service department, one of engineering; "now" is 2026-03-25 10:00."""
    time_machine.move_to(sh(2026, 3, 25, 10, 0), tick=False)
    other_customer = CustomerFactory(name="西北重工集团")
    a = new_inquiry(actor=staff_user, customer=customer, channel="phone", subject="主轴转速",
                     received_at=sh(2026, 3, 2, 9, 0))  # new; its 2-hour first response is long overdue
    b = new_inquiry(actor=colleague, customer=other_customer, channel="email", subject="交货期",
                     received_at=sh(2026, 3, 10, 9, 0), answer="四周")
    c = new_inquiry(actor=staff_user, customer=customer, channel="chat", subject="液压夹具",
                     received_at=sh(2026, 3, 20, 9, 0), answer="可以定制")
    c = services.inquiry_close(inquiry=c, actor=staff_user)
    d = new_inquiry(actor=staff_user, customer=other_customer, channel="phone", subject="报价单",
                     received_at=sh(2026, 3, 25, 9, 30))  # new, due later today
    hidden = new_inquiry(actor=other_department_staff, customer=customer, channel="phone", subject="主轴转速",
                          received_at=sh(2026, 3, 21, 9, 0))
    return {"a": a, "b": b, "c": c, "d": d, "hidden": hidden, "customer": customer, "other_customer": other_customer}


@pytest.mark.spec("API-1", "SEARCH-1", "ORG-1")
def test_filters_return_the_right_rows(api, staff_user, colleague, rows):
    client = api(staff_user)
    a, b, c, d = (rows[k].number for k in "abcd")

    def get(query: str = "") -> list[str]:
        return numbers(client.get(f"/api/presales/inquiries/?{query}"))

    # newest first, scoped to the department (the engineering inquiry never shows)
    assert get() == [d, c, b, a]
    assert get("status=new") == [d, a]
    assert get("status=answered&status=closed") == [c, b]
    assert get("channel=phone") == [d, a]
    assert get(f"customer={rows['customer'].pk}") == [c, a]
    assert get(f"owner={colleague.pk}") == [b]
    assert get("overdue=true") == [a]
    assert get("overdue=false") == [d, c, b]
    assert get("received_from=2026-03-10&received_to=2026-03-20") == [c, b]
    assert get("received_from=2026-03-21") == [d]
    assert get("q=夹具") == [c]
    assert get("q=西北重工") == [d, b]
    assert get(f"q={a}") == [a]
    assert get("channel=phone&overdue=true&q=主轴") == [a]
    # the overdue flag is on each row too
    listed = {row["number"]: row["is_overdue"] for row in client.get("/api/presales/inquiries/").data["results"]}
    assert listed == {a: True, b: False, c: False, d: False}


@pytest.mark.spec("API-1", "SEARCH-1")
@pytest.mark.parametrize(("query", "field"), [("status=lost", "status"), ("channel=fax", "channel"),
                                              ("received_from=yesterday", "received_from"), ("customer=abc", "customer")])
def test_a_bad_filter_is_400_naming_it(api, staff_user, query, field):
    r = api(staff_user).get(f"/api/presales/inquiries/?{query}")
    assert r.status_code == 400 and field in r.data


@pytest.mark.spec("API-1", "SEARCH-1", "ORG-1")
def test_the_quality_department_sees_every_department(api, quality_officer, rows):
    assert rows["hidden"].number in numbers(api(quality_officer).get("/api/presales/inquiries/"))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(SH).strftime("%Y-%m-%d %H:%M")  # shown in Shanghai time
    return str(value)


def _shown(column, inquiry):
    """A column's value as read: a coded column's code looked up in its own labels."""
    value = column.get(inquiry)
    return dict(column.labels)[value] if column.labels is not None else value


def _expected_rows(inquiries, language):
    """The export's header and rows as the user reads them, built independently of the response."""
    with translation.override(language):
        columns = inquiry_export_columns()
        return [str(c.header) for c in columns], [[_text(_shown(c, i)) for c in columns] for i in inquiries]


@pytest.mark.spec("API-1", "SEARCH-1")
def test_export_csv_has_the_filtered_rows(api, staff_user, rows):
    r = api(staff_user).get("/api/presales/inquiries/export/?format=csv&channel=phone")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/csv")
    assert 'filename="inquiries.csv"' in r["Content-Disposition"]
    text = b"".join(r.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 Chinese only with the BOM
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    inquiries = [Inquiry.objects.get(pk=rows[k].pk) for k in ("d", "a")]
    header, expected = _expected_rows(inquiries, staff_user.language)
    assert table[0] == header
    assert [line[0] for line in table[1:]] == [rows["d"].number, rows["a"].number]
    assert table[1:] == expected


@pytest.mark.spec("API-1", "SEARCH-1")
def test_export_xlsx_has_the_filtered_rows(api, staff_user, rows):
    r = xlsx_export(api(staff_user), "/api/presales/inquiries/export/", {"status": ["new", "answered"]})
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).active
    cells = list(sheet.iter_rows(values_only=True))
    cells = [line + (None,) * (len(cells[0]) - len(line)) for line in cells]  # empty cells are empty, not ""
    # the times are date cells (issue 7), written as the CSV writes them when read back as text
    assert isinstance(cells[1][1], dt.datetime)
    table = [["" if v is None else v.strftime("%Y-%m-%d %H:%M") if isinstance(v, dt.datetime) else str(v)
              for v in line] for line in cells]
    header, expected = _expected_rows([Inquiry.objects.get(pk=rows[k].pk) for k in ("d", "b", "a")],
                                      staff_user.language)
    assert table[0] == header
    assert table[1:] == expected
    assert rows["hidden"].number not in {line[0] for line in table}


def _exported_numbers(client, fmt: str) -> set[str]:
    """The inquiry numbers in the first column of the unfiltered export, header left out."""
    r = (client.get(f"/api/presales/inquiries/export/?format={fmt}") if fmt == "csv"
         else xlsx_export(client, "/api/presales/inquiries/export/"))
    assert r.status_code == 200
    if fmt == "csv":
        table = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8").lstrip("\ufeff"))))
    else:
        table = list(load_workbook(io.BytesIO(r.content), read_only=True).active.iter_rows(values_only=True))
    assert table and table[0][0]  # a header row of labels, even when no row is visible
    return {line[0] for line in table[1:]}


@pytest.mark.spec("API-1", "SEARCH-1", "ORG-1")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_scoped_like_the_list(api, staff_user, other_department_staff, rows, fmt):
    mine = {rows[k].number for k in "abcd"}

    insider = _exported_numbers(api(staff_user), fmt)
    outsider = _exported_numbers(api(other_department_staff), fmt)

    assert insider == mine
    assert outsider == {rows["hidden"].number}
    assert not outsider & mine


@pytest.mark.spec("API-1", "SEARCH-1")
def test_export_refuses_an_unknown_format_with_400(api, staff_user, rows):
    r = api(staff_user).get("/api/presales/inquiries/export/?format=pdf")
    assert r.status_code == 400 and "format" in r.json()


# --- keyset pagination and the query budget ------------------------------------------------------

MANY = 120


@pytest.fixture
def many(staff_user, customer):
    """120 inquiries; three share each received time, so the cursor has ties to get past."""
    base = sh(2026, 1, 5, 9, 0)
    return [new_inquiry(actor=staff_user, customer=customer, received_at=base + dt.timedelta(minutes=i // 3))
            for i in range(MANY)]


@pytest.mark.spec("API-1", "SEARCH-1")
def test_the_cursor_walks_every_page_once_in_order(api, staff_user, many):
    client = api(staff_user)
    seen, pages, url = [], 0, "/api/presales/inquiries/?page_size=7"
    while url:
        r = client.get(url)
        assert r.status_code == 200
        assert "count" not in r.data  # keyset pagination never counts
        seen += [row["id"] for row in r.data["results"]]
        url, pages = r.data["next"], pages + 1
    expected = list(Inquiry.objects.order_by("-received_at", "-id").values_list("id", flat=True))
    assert seen == expected and len(set(seen)) == MANY
    assert pages == -(-MANY // 7)
    # and back: the previous link of page 2 is page 1
    first = client.get("/api/presales/inquiries/?page_size=7").data
    second = client.get(first["next"]).data
    assert [row["id"] for row in client.get(second["previous"]).data["results"]] == expected[:7]


# Measured: the user with department and groups (the session comes from the cache, PERF-1), the
# page (one query with its joins). A filter by customer, owner or department adds the one lookup
# that validates it.
LIST_QUERIES = 2


@pytest.mark.spec("API-1", "SEARCH-1")
@pytest.mark.parametrize("page_size", [10, 100])
def test_the_list_costs_the_same_queries_at_any_page_size(api, staff_user, many, django_assert_num_queries,
                                                          page_size):
    client = api(staff_user)
    with django_assert_num_queries(LIST_QUERIES):
        r = client.get(f"/api/presales/inquiries/?page_size={page_size}")
    assert len(r.data["results"]) == page_size
    with django_assert_num_queries(LIST_QUERIES):  # a later page costs the same
        r = client.get(r.data["next"])
    assert len(r.data["results"]) == min(page_size, MANY - page_size)
    with django_assert_num_queries(LIST_QUERIES + 1):
        client.get(f"/api/presales/inquiries/?page_size={page_size}&channel=phone&overdue=false&q=咨询"
                   f"&customer={many[0].customer_id}")


@pytest.mark.spec("API-1", "SEARCH-1")
def test_the_list_never_counts_rows(api, staff_user, quality_officer, many):
    for user in (staff_user, quality_officer):
        client = api(user)
        for query in ("", "?page_size=100", "?status=new&overdue=true", "?q=咨询"):
            with CaptureQueriesContext(connection) as ctx:
                r = client.get(f"/api/presales/inquiries/{query}")
            assert r.status_code == 200
            assert ctx.captured_queries, "the capture saw no queries"
            assert not [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
