"""SEARCH-1 on the complaint list: filters (state, severity, channel, cause, responsible and
receiving department, overdue, rounds, closed unresolved, dates), Chinese search, cards at phone
width, CSV / Excel exports with the same filters and scope, and a query count that does not grow
with the rows."""
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

from complaints.models import Complaint
from tests.aftersales.cases_support import a_cause
from tests.builders.exports import xlsx_export
from tests.complaints.h2_support import bulk_complaints, log_complaint

pytestmark = pytest.mark.django_db
S = Complaint.Status


@pytest.fixture
def complaints(staff_user, colleague, other_department_staff, quality_manager, customer, other_department):
    noise = log_complaint(actor=staff_user, customer=customer, subject="主轴异响", severity="critical")
    attitude = log_complaint(actor=colleague, customer=customer, subject="服务人员态度差", channel="letter")
    theirs = log_complaint(actor=other_department_staff, customer=customer, subject="工程部的投诉")
    unresolved = log_complaint(actor=staff_user, customer=customer, subject="要求全额退款", channel="email")
    # Facts the filters read, written as the later stages would leave them.
    Complaint.objects.filter(pk=attitude.pk).update(cause=a_cause(), responsible_department=other_department,
                                                    round=2, status=S.PLANNING)
    Complaint.objects.filter(pk=unresolved.pk).update(status=S.CLOSED_UNRESOLVED, closed_at=timezone.now(),
                                                      close_decision_reason="管理决定")
    return {"noise": noise, "attitude": attitude, "theirs": theirs, "unresolved": unresolved}


def _numbers(client, **params) -> set[str]:
    response = client.get(reverse("complaints:complaint-list"), params)
    assert response.status_code == 200
    return {c.number for c in response.context["complaints"]}


@pytest.mark.spec("SEARCH-1", "ORG-1", "CMP-1")
def test_the_list_filters_and_searches_in_chinese(login, staff_user, other_department, business_department,
                                                  complaints, time_machine):
    client = login(staff_user)
    n = {k: v.number for k, v in complaints.items()}
    mine = {n["noise"], n["attitude"], n["unresolved"]}
    assert _numbers(client) == mine  # not another department's
    assert _numbers(client, q="异响") == {n["noise"]}
    assert _numbers(client, q="态度") == {n["attitude"]}
    assert _numbers(client, q=n["noise"]) == {n["noise"]}
    assert _numbers(client, q="华东机械") == mine  # the customer's name
    assert _numbers(client, status="planning") == {n["attitude"]}
    assert _numbers(client, severity="critical") == {n["noise"]}
    assert _numbers(client, channel="letter") == {n["attitude"]}
    assert _numbers(client, cause=a_cause().parent_id) == {n["attitude"]}
    assert _numbers(client, responsible_department=other_department.pk) == {n["attitude"]}
    assert _numbers(client, receiving_department=business_department.pk) == mine
    assert _numbers(client, rounds="true") == {n["attitude"]}
    assert _numbers(client, unresolved="true") == {n["unresolved"]}
    today = timezone.localdate()
    assert _numbers(client, received_from=today.isoformat(), received_to=today.isoformat()) == mine
    assert _numbers(client, received_to=(today - dt.timedelta(days=1)).isoformat()) == set()
    assert _numbers(client, overdue="true") == set()
    time_machine.move_to(timezone.now() + dt.timedelta(days=30), tick=False)  # every promise broken
    # (a session lasts two weeks: signed in again a month later; the one in the shared cache outlives it only
    # until another test clears the cache, then the expired row in the database signs the client out)
    client = login(staff_user)
    assert _numbers(client, overdue="true") == {n["noise"], n["attitude"]}  # open ones only
    html = client.get(reverse("complaints:complaint-list")).content.decode()
    assert 'class="table table-hover align-middle mb-0 table-cards"' in html  # cards at phone width
    for name in ("q", "severity", "channel", "responsible_department", "receiving_department", "status", "cause",
                 "received_from", "received_to", "overdue", "rounds", "unresolved"):
        assert f'name="{name}"' in html, name


@pytest.mark.spec("SEARCH-1", "ORG-1")
def test_the_quality_department_sees_every_departments_complaints(login, quality_officer, complaints):
    assert complaints["theirs"].number in _numbers(login(quality_officer))


@pytest.mark.spec("SEARCH-1", "SEC-1")
@pytest.mark.parametrize("params", [{"severity": "x"}, {"received_from": "0001-01-01x"}, {"cause": "\x00"},
                                    {"q": "x" * 10_000}])
def test_bad_filters_are_errors_not_everything(login, staff_user, complaints, params):
    response = login(staff_user).get(reverse("complaints:complaint-list"), params)
    assert response.status_code == 200
    assert response.context["form"].errors
    export = login(staff_user).get(reverse("complaints:complaint-export"), {**params, "fmt": "csv"})
    assert export.status_code == 400


def _list_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("complaints:complaint-list"), {"per_page": 100})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["complaints"])


@pytest.mark.spec("SEARCH-1", "PERF-1")
def test_list_query_count_does_not_grow_with_the_rows(login, staff_user, colleague, django_assert_num_queries):
    bulk_complaints(10, receiver=staff_user, investigator=colleague)
    client = login(staff_user)
    client.get(reverse("complaints:complaint-list"))  # warm the session and content-type caches
    queries_at_10, rows = _list_queries(client)
    assert rows == 10
    bulk_complaints(90, receiver=staff_user, investigator=colleague, start=10)
    with django_assert_num_queries(queries_at_10):
        response = client.get(reverse("complaints:complaint-list"), {"per_page": 100})
    assert len(response.context["complaints"]) == 100
    print(f"complaint list page: {queries_at_10} queries at 10 rows and at 100 rows")


@pytest.mark.spec("SEARCH-1", "PERF-1")
def test_keyset_pages_walk_the_list_without_repeats(login, staff_user):
    bulk_complaints(60, receiver=staff_user)
    client = login(staff_user)
    seen, url, params = [], reverse("complaints:complaint-list"), {"per_page": 25}
    for _ in range(4):
        response = client.get(url, params)
        page = response.context["page"]
        seen += [c.number for c in response.context["complaints"]]
        if not page.next_cursor:
            break
        params = {"per_page": 25, "after": page.next_cursor}
    assert len(seen) == len(set(seen)) == 60


@pytest.mark.spec("SEARCH-1", "ORG-1")
def test_csv_and_excel_exports_hold_the_filtered_rows_of_the_users_scope(login, staff_user, complaints):
    client = login(staff_user)
    response = client.get(reverse("complaints:complaint-export"), {"q": "异响", "fmt": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [complaints["noise"].number]
    everything = client.get(reverse("complaints:complaint-export"), {"fmt": "csv"})
    numbers = [r[0] for r in csv.reader(io.StringIO(b"".join(everything.streaming_content).decode("utf-8-sig")))]
    assert complaints["theirs"].number not in numbers  # another department's: never exported
    book = load_workbook(io.BytesIO(xlsx_export(client, reverse("complaints:complaint-export"),
                                                {"unresolved": "true"}).content)).active
    assert [c.value for c in book["A"]][1:] == [complaints["unresolved"].number]


@pytest.mark.spec("SEARCH-1", "SEC-1")
def test_the_export_neutralises_formulas(login, staff_user, customer):
    log_complaint(actor=staff_user, customer=customer, subject="=HYPERLINK(\"http://evil\")")
    response = login(staff_user).get(reverse("complaints:complaint-export"), {"fmt": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body


@pytest.mark.spec("SEARCH-1")
def test_export_links_carry_the_current_filters(login, staff_user, complaints):
    html = login(staff_user).get(reverse("complaints:complaint-list"), {"severity": "critical"}).content.decode()
    assert "severity=critical&amp;fmt=csv" in html and "severity=critical&amp;fmt=xlsx" in html
