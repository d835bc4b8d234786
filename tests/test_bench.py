"""PERF-1: `manage.py bench` runs end to end at a tiny scale inside the suite (no timing asserts),
leaves the seeded data as it found them, fails on a broken page, and each list's default query
reads its order from an index."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.urls import reverse

from qsm.bench import declared_lists
from qsm.bench.plans import index_order_problems, main_query
from qsm.bench.runner import QueryLog, Session, data_fingerprint, find_users

TINY = "0.0002"


@pytest.fixture
def seeded(db):
    call_command("seed_scale", "--scale", TINY, stdout=io.StringIO())


def _run(tmp_path, *args):
    out = tmp_path / "results.json"
    stdout = io.StringIO()
    error = None
    try:
        call_command("bench", "--scale", TINY, "--repeat", "1", "--warmup", "0", "--no-wrk", "--out", str(out), *args, stdout=stdout)
    except CommandError as exc:
        error = exc
    return json.loads(out.read_text()), error


@pytest.mark.spec("PERF-1")
def test_bench_measures_everything_with_its_reference_and_changes_nothing(seeded, tmp_path):
    # given a seeded database and what it holds
    before = data_fingerprint()

    # when the benchmark runs once over everything
    result, error = _run(tmp_path)

    # then it succeeded, measured every declared list on each surface, and every measurement has
    # its numbers, its query count and its ratio to a reference measured in the same run
    assert error is None, result["failed"]
    assert result["failed"] == []
    assert result["machine"]["cores"] and result["machine"]["postgresql"].startswith("PostgreSQL")
    assert result["row_counts"]["presales_inquiry"] > 0 and len(result["load_average_start"]) == 3
    names = {m["name"] for m in result["measurements"]}
    lists = declared_lists()
    assert {bl.name for bl in lists} >= {"inquiries", "orders", "deliveries", "installations", "customers", "cases",
                                         "visits"}
    for bl in lists:
        for surface in ("page", "api"):
            for variant in ("default", "search.nomatch", "search.cjk2", "search.customer", "deep"):
                assert f"{bl.name}.{surface}.{variant}.quality" in names
                if bl.visibility_differs:
                    assert f"{bl.name}.{surface}.{variant}.business" in names
        if bl.export:
            assert {f"{bl.name}.export.csv.quality", f"{bl.name}.export.xlsx.quality"} <= names
    assert {"inquiries.page.filter.status.quality", "inquiries.page.filter.status_2.business",
            "inquiries.api.filter.department.quality", "inquiries.page.date.received.quality",
            "orders.page.filter.late.business", "orders.api.date.promised.quality", "inquiries.record.page.business",
            "orders.record.api.quality", "inbox.page.business", "inbox.api.quality", "bare.page.business",
            "sweep.due_0", "sweep.due_1000", "sweep.due_10000"} <= names
    # after-sales (issue 9): every filter of the case and visit lists, their records and exports
    assert {"cases.page.filter.status.quality", "cases.api.filter.severity.business", "cases.page.filter.overdue.quality",
            "cases.page.search.cjk2.business", "cases.page.deep.quality", "cases.record.page.quality",
            "cases.record.api.quality", "cases.export.xlsx.quality",
            "visits.page.filter.low_score.quality", "visits.api.filter.satisfaction.business",
            "visits.page.filter.reason.quality", "visits.page.date.planned.quality", "visits.api.deep.business",
            "visits.record.page.quality", "visits.record.api.quality", "visits.export.csv.business"} <= names
    for bl in lists:
        if bl.name in ("cases", "visits"):
            filterset = _filterset(bl)
            for name in filterset.base_filters:
                if name == bl.search_param:
                    continue
                prefix, _sep, bound = name.rpartition("_")
                wanted = (f"{bl.name}.page.date.{prefix}.quality" if bound in ("from", "to")
                          else f"{bl.name}.page.filter.{name}.quality")
                assert wanted in names, (bl.name, name)
    for m in result["measurements"]:
        assert m["ok"], m
        assert m["median_ms"] > 0 and m["p95_ms"] >= m["median_ms"] and m["repeats"] == 1, m
        assert isinstance(m["queries"], int) and m["queries"] > 0, m
        assert m["reference"]["median_ms"] > 0 and m["ratio"] is not None, m
    kinds = {m["name"]: m["reference"]["kind"] for m in result["measurements"]}
    assert kinds["inquiries.page.default.quality"] == "sql_floor"
    assert kinds["inquiries.page.deep.business"] == "page1"
    assert kinds["inbox.page.business"] == "sql_replay"
    assert kinds["sweep.due_1000"] == "due_0"
    xlsx = [m for m in result["measurements"] if ".export.xlsx." in m["name"]]
    assert xlsx and all(m["job"] and m["rows"] > 0 for m in xlsx)  # the request and the job that writes the file
    sweeps = {m["name"]: m for m in result["measurements"] if m["group"] == "sweep"}
    assert sweeps["sweep.due_0"]["due"] == 0 and sweeps["sweep.due_1000"]["due"] >= 1
    assert (tmp_path / "plans" / "inquiries.page.default.quality.txt").read_text().count("Planning Time") == 1

    # and the seeded data are as they were: the sweep's set-up was rolled back, the sessions deleted
    assert result["data_unchanged"] is True
    assert data_fingerprint() == before


@pytest.mark.spec("PERF-1")
def test_a_page_that_breaks_is_recorded_as_failed_and_the_command_exits_non_zero(seeded, tmp_path, monkeypatch):
    from presales.views import InquiryListView

    def broken(self, request):
        raise RuntimeError("broken at scale")

    monkeypatch.setattr(InquiryListView, "get", broken)
    result, error = _run(tmp_path, "--only", "inquiries.page.default", "--only", "orders.page.default")

    assert isinstance(error, CommandError)
    by_name = {m["name"]: m for m in result["measurements"]}
    assert by_name["inquiries.page.default.quality"]["ok"] is False
    assert "broken at scale" in by_name["inquiries.page.default.quality"]["error"]
    assert by_name["orders.page.default.quality"]["ok"] is True  # the others are still measured
    assert "inquiries.page.default.quality" in result["failed"]


def _filterset(bl):
    from qsm.bench.runner import _view_class

    view = _view_class(bl.page)
    return getattr(view, "filterset_class", None) or _view_class(bl.api).filterset_class


def _default_queries(user):
    """(list, surface, the main query of its default page) for every declared list."""
    session = Session(user)
    try:
        for bl in declared_lists():
            for surface, url_name in (("page", bl.page), ("api", bl.api)):
                log = QueryLog()
                with log.capture():
                    response = session.client.get(reverse(url_name))
                assert response.status_code == 200, (bl.name, surface)
                query = main_query(log.queries, bl.model._meta.db_table)
                assert query is not None, (bl.name, surface)
                yield bl, surface, query
    finally:
        session.close()


@pytest.mark.spec("PERF-1")
def test_each_lists_default_query_reads_its_order_from_an_index(seeded):
    users = find_users(declared_lists())
    checked = []
    for role, user in (("quality", users.quality), ("business", users.business)):
        for bl, surface, query in _default_queries(user):
            problems, indexes = index_order_problems(query, bl.model._meta.db_table)
            assert problems == [], (role, bl.name, surface, problems)
            checked.append((role, bl.name, surface, indexes))
    assert len(checked) >= 20


@pytest.mark.spec("PERF-1")
def test_the_index_check_fails_when_the_lists_index_is_dropped(seeded):
    users = find_users(declared_lists())
    bl, _surface, query = next(q for q in _default_queries(users.quality) if q[0].name == "inquiries")
    table = bl.model._meta.db_table
    problems, indexes = index_order_problems(query, table)
    assert problems == [] and indexes

    with transaction.atomic():
        with connection.cursor() as cursor:
            for name in set(indexes):
                cursor.execute(f'DROP INDEX "{name}"')
        problems, _indexes = index_order_problems(query, table)
        transaction.set_rollback(True)

    assert any(p.startswith("Sort") for p in problems), problems
