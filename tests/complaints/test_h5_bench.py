"""PERF-1 (issue 10): `manage.py bench` measures the complaint list and the measure list (every filter, the
searches, an old date range, a deep page, the record page and endpoint, CSV and Excel) once their pages
exist, and never declares a page that is not there."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from complaints import bench
from qsm.bench import declared_lists

pytestmark = pytest.mark.django_db


def _exists(name, *args) -> bool:
    try:
        reverse(name, args=args)
    except NoReverseMatch:
        return False
    return True


@pytest.mark.spec("PERF-1")
def test_a_list_is_declared_with_what_exists_of_it_and_only_then(monkeypatch):
    # a list whose page is missing is not declared; a missing export or record page is left out
    monkeypatch.setattr(bench, "COMPLAINTS", {**bench.COMPLAINTS, "page": "complaints:no-such-list"})
    assert "complaints" not in {bl.name for bl in bench.lists()}
    assert bench._declared({"page": "org:customer-list", "api": "api-customer-list", "export": "no-such-export",
                            "record_page": "org:customer-detail", "record_api": "no-such-detail"}) == {
        "page": "org:customer-list", "api": "api-customer-list", "export": None, "record_page": "org:customer-detail",
        "record_api": None}


@pytest.mark.spec("PERF-1", "CMP-1", "CMP-3")
def test_bench_measures_the_complaint_and_measure_lists_on_every_surface(tmp_path):
    lists = {"complaints": bench.COMPLAINTS, "complaint_measures": bench.MEASURES,
             "complaint_preventive": bench.PREVENTIVE}
    expected = {name for name, urls in lists.items() if _exists(urls["page"]) and _exists(urls["api"])}
    if not expected:
        pytest.skip("the complaint, measure and preventive measure list pages are not installed")
    declared = {bl.name: bl for bl in declared_lists()}
    assert expected <= set(declared)

    call_command("seed_scale", "--scale", "0.0002", stdout=io.StringIO())
    out = tmp_path / "results.json"
    only = [arg for name in sorted(expected) for arg in ("--only", f"{name}.")]
    call_command("bench", "--scale", "0.0002", "--repeat", "1", "--warmup", "0", "--no-wrk", "--out", str(out), *only,
                 stdout=io.StringIO())
    result = json.loads(out.read_text())

    assert result["failed"] == []
    measured = {m["name"] for m in result["measurements"]}
    for name in expected:
        for surface in ("page", "api"):
            for variant in ("default", "search.nomatch", "search.cjk2", "deep"):
                assert f"{name}.{surface}.{variant}.quality" in measured, (name, surface, variant)
        if declared[name].export:
            assert f"{name}.export.csv.quality" in measured and f"{name}.export.xlsx.quality" in measured
    if "complaints" in expected:
        assert "complaints.record.page.quality" in measured and "complaints.page.filter.status.quality" in measured
    assert all(m["ok"] and m["queries"] > 0 for m in result["measurements"])
