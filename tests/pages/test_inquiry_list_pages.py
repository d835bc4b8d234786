"""SEARCH-1 on the inquiry list: filters, keyset pages, exports, and a query count that does not grow."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from presales.models import Inquiry
from tests.builders.exports import xlsx_export
from tests.builders.inquiries import new_inquiry
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def inquiries(staff_user, other_department_staff):
    """A small mix: phone and e-mail, answered and not, one overdue, one of another department."""
    a = CustomerFactory(name="华东机械有限公司")
    b = CustomerFactory(name="北方重工")
    return {
        "phone_new": new_inquiry(actor=staff_user, customer=a, channel="phone", subject="数控机床报价"),
        "email_answered": new_inquiry(actor=staff_user, customer=b, channel="email", subject="售后保养",
                                       answer="已回复"),
        "overdue": new_inquiry(actor=staff_user, customer=a, channel="chat", subject="逾期的咨询",
                                received_at=timezone.now() - dt.timedelta(days=10)),
        "other_department": new_inquiry(actor=other_department_staff, customer=a, subject="工程部咨询"),
    }


@pytest.mark.spec("ORG-1")
def test_list_shows_my_departments_inquiries_only(login, staff_user, inquiries):
    response = login(staff_user).get(reverse("presales:inquiry-list"))

    assert response.status_code == 200
    shown = {i.number for i in response.context["inquiries"]}
    assert shown == {inquiries[k].number for k in ("phone_new", "email_answered", "overdue")}


@pytest.mark.spec("ORG-1")
def test_quality_department_sees_every_departments_inquiries(login, quality_officer, inquiries):
    response = login(quality_officer).get(reverse("presales:inquiry-list"))

    assert {i.number for i in response.context["inquiries"]} == {i.number for i in inquiries.values()}


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "数控"}, {"phone_new"}),
    ({"q": "北方"}, {"email_answered"}),
    ({"channel": "email"}, {"email_answered"}),
    ({"status": ["answered"]}, {"email_answered"}),
    ({"status": ["new", "answered"]}, {"phone_new", "email_answered", "overdue"}),
    ({"overdue": "true"}, {"overdue"}),
])
@pytest.mark.spec("SEARCH-1")
def test_filters_narrow_the_list(login, staff_user, inquiries, params, expected):
    response = login(staff_user).get(reverse("presales:inquiry-list"), params)

    assert {i.number for i in response.context["inquiries"]} == {inquiries[k].number for k in expected}


@pytest.mark.spec("SEARCH-1")
def test_filter_by_customer_owner_department_and_dates(login, staff_user, colleague, business_department, inquiries):
    theirs = new_inquiry(actor=colleague, customer=inquiries["phone_new"].customer, subject="同事登记")
    client = login(staff_user)
    today = timezone.localdate().isoformat()

    by_customer = client.get(reverse("presales:inquiry-list"), {"customer": inquiries["email_answered"].customer_id})
    by_owner = client.get(reverse("presales:inquiry-list"), {"owner": colleague.pk})
    by_department = client.get(reverse("presales:inquiry-list"), {"department": business_department.pk})
    today_only = client.get(reverse("presales:inquiry-list"), {"received_from": today, "received_to": today})

    assert [i.pk for i in by_customer.context["inquiries"]] == [inquiries["email_answered"].pk]
    assert "北方重工" in by_customer.content.decode()  # the active customer filter is named
    assert [i.pk for i in by_owner.context["inquiries"]] == [theirs.pk]
    assert len(by_department.context["inquiries"]) == 4
    assert inquiries["overdue"] not in today_only.context["inquiries"]
    assert len(today_only.context["inquiries"]) == 3


@pytest.mark.spec("SEARCH-1")
def test_overdue_rows_are_red(login, staff_user, inquiries):
    html = login(staff_user).get(reverse("presales:inquiry-list")).content.decode()

    assert html.count('class="row-overdue"') == 1
    assert "due-overdue" in html


@pytest.mark.spec("SEARCH-1")
def test_keyset_pages_cover_every_row_once(login, staff_user, customer):
    # given 30 inquiries received one minute apart
    start = timezone.now() - dt.timedelta(hours=2)
    for n in range(30):
        new_inquiry(actor=staff_user, customer=customer, subject=f"咨询{n}", received_at=start + dt.timedelta(minutes=n))
    client = login(staff_user)

    # when paging forward
    first = client.get(reverse("presales:inquiry-list"))
    second = client.get(reverse("presales:inquiry-list"), {"after": first.context["page"].next_cursor})

    # then the two pages hold all 30, newest first, none twice, and the second one is the last
    rows = list(first.context["inquiries"]) + list(second.context["inquiries"])
    assert len(first.context["inquiries"]) == 25 and len(second.context["inquiries"]) == 5
    assert [r.pk for r in rows] == list(Inquiry.objects.order_by("-received_at", "-id").values_list("pk", flat=True))
    assert second.context["page"].next_cursor is None
    assert 'id="next-page"' in first.content.decode()
    # and "previous" leads back to the first page
    back = client.get(reverse("presales:inquiry-list"), {"before": second.context["page"].prev_cursor})
    assert list(back.context["inquiries"]) == list(first.context["inquiries"])


@pytest.mark.spec("SEC-1")
def test_a_broken_cursor_is_a_bad_request(login, staff_user, inquiries):
    # Changed on purpose (issue 6 §9): a forged cursor is a 400 page, not a silent first page.
    response = login(staff_user).get(reverse("presales:inquiry-list"), {"after": "not-a-cursor!"})

    assert response.status_code == 400
    assert "inquiries" not in response.context
    assert 'href="/"' in response.content.decode()


def _bulk_inquiries(n: int, *, user, customer_count: int) -> None:
    """n inquiries of ``user``'s department, each customer different when possible; bypasses the service
    (no deadlines, no events) because only the list is measured."""
    customers = [CustomerFactory() for _ in range(customer_count)]
    now = timezone.now()
    Inquiry.objects.bulk_create([
        Inquiry(number=f"INQ-T-{n}-{i:05d}", channel="phone", customer=customers[i % customer_count],
                subject=f"批量咨询{i}", question="问", department=user.department, owner=user,
                received_at=now - dt.timedelta(minutes=i), due_at=now + dt.timedelta(hours=(i % 5) - 2))
        for i in range(n)
    ])


def _list_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("presales:inquiry-list"), {"per_page": 100})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["inquiries"])


@pytest.mark.spec("SEARCH-1")
def test_list_query_count_does_not_grow_with_the_rows(login, staff_user, django_assert_num_queries):
    # given 10 inquiries of 10 customers
    _bulk_inquiries(10, user=staff_user, customer_count=10)
    client = login(staff_user)
    client.get(reverse("presales:inquiry-list"))  # warm the session and content-type caches
    queries_at_10, rows = _list_queries(client)
    assert rows == 10

    # when there are 100 of 100 customers, all on one page
    Inquiry.objects.all().delete()
    _bulk_inquiries(100, user=staff_user, customer_count=100)

    # then the page costs exactly as many queries
    with django_assert_num_queries(queries_at_10):
        response = client.get(reverse("presales:inquiry-list"), {"per_page": 100})
    assert len(response.context["inquiries"]) == 100
    print(f"inquiry list: {queries_at_10} queries at 10 rows and at 100 rows")


def _export(client, fmt, params):
    if fmt == "xlsx":  # an export job, run as the worker runs it, then its file (PERF-1)
        response = xlsx_export(client, reverse("presales:inquiry-export"), params)
    else:
        response = client.get(reverse("presales:inquiry-export"), {**params, "fmt": fmt})
    assert response.status_code == 200
    return response


@pytest.mark.spec("SEARCH-1")
def test_csv_export_holds_the_filtered_rows(login, staff_user, inquiries):
    response = _export(login(staff_user), "csv", {"channel": "phone"})

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2  # header + the one phone inquiry of my department
    assert rows[1][0] == inquiries["phone_new"].number
    assert "数控机床报价" in rows[1] and "华东机械有限公司" in rows[1]


@pytest.mark.spec("SEARCH-1")
def test_xlsx_export_holds_the_filtered_rows(login, staff_user, inquiries):
    response = _export(login(staff_user), "xlsx", {"status": ["new"]})

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    numbers = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert numbers == sorted([inquiries["phone_new"].number, inquiries["overdue"].number])


def _exported_numbers(client, fmt) -> set[str]:
    """The inquiry numbers in the first column of the unfiltered export, header left out."""
    response = _export(client, fmt, {})
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    else:
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows and rows[0][0]  # a header row of labels, even when no row is visible
    return {row[0] for row in rows[1:]}


@pytest.mark.spec("ORG-1", "SEARCH-1")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_scoped_like_the_list(login, staff_user, other_department_staff, inquiries, fmt):
    mine = {inquiries[k].number for k in ("phone_new", "email_answered", "overdue")}
    theirs = {inquiries["other_department"].number}

    insider = _exported_numbers(login(staff_user), fmt)
    outsider = _exported_numbers(login(other_department_staff), fmt)

    assert insider == mine  # every row the insider's list shows, and nothing else
    assert outsider == theirs
    assert not outsider & mine


@pytest.mark.spec("SEARCH-1")
def test_export_links_carry_the_current_filters(login, staff_user, inquiries):
    html = login(staff_user).get(reverse("presales:inquiry-list"), {"channel": "email", "q": "售后"}).content.decode()

    assert "channel=email" in html.split('id="export-csv"')[0].rsplit("<a", 1)[1]
    assert "fmt=xlsx" in html and "fmt=csv" in html
