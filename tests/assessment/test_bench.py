"""PERF-1 (issue 11): `manage.py bench` measures the quality-control lists (standards, inspections, findings,
notices, training sessions: every filter, the searches, a deep page, the record page and endpoint, CSV and
Excel) once their pages exist, and never declares a page that is not there."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from assessment import bench
from qsm.bench import declared_lists

pytestmark = pytest.mark.django_db
TINY = "0.0002"


@pytest.mark.spec("PERF-1")
def test_a_list_is_declared_with_what_exists_of_it_and_only_then(monkeypatch):
    missing = bench.Declared("qc_missing", "Notice", "assessment.no_such_module:notice_list",
                             page="org:customer-list", api="api-customer-list")
    no_page = bench.Declared("qc_no_page", "Standard", "assessment.bench:lists", page="assessment:no-such-list",
                             api="api-customer-list")
    monkeypatch.setattr(bench, "LISTS", [missing, no_page])
    assert bench.lists() == []  # a selector that does not import, a page that does not reverse
    partial = bench.Declared("x", "Standard", "assessment.bench:lists", page="org:customer-list",
                             api="api-customer-list", export="no-such-export", record_page="org:customer-detail",
                             record_api="no-such-detail")
    assert bench.urls_of(partial) == {"page": "org:customer-list", "api": "api-customer-list", "export": None,
                                      "record_page": "org:customer-detail", "record_api": None}


@pytest.mark.spec("PERF-1", "QC-1", "QC-2", "QC-3", "QC-5")
def test_bench_measures_the_quality_control_lists_on_every_surface(tmp_path):
    expected = {entry.name for entry in bench.LISTS if bench.urls_of(entry) and bench._selector(entry.selector)}
    if not expected:
        pytest.skip("no quality-control list page is installed yet")
    declared = {bl.name: bl for bl in declared_lists()}
    assert expected <= set(declared)

    call_command("seed_scale", "--scale", TINY, stdout=io.StringIO())
    out = tmp_path / "results.json"
    only = [arg for name in sorted(expected) for arg in ("--only", f"{name}.")]
    call_command("bench", "--scale", TINY, "--repeat", "1", "--warmup", "0", "--no-wrk", "--out", str(out), *only,
                 stdout=io.StringIO())
    result = json.loads(out.read_text())

    assert result["failed"] == [], result["failed"]
    measured = {m["name"] for m in result["measurements"]}
    for name in expected:
        roles = ("quality", "business") if declared[name].visibility_differs else ("quality",)
        for role in roles:
            for surface in ("page", "api"):
                for variant in ("default", "search.nomatch", "search.cjk2", "deep"):
                    assert f"{name}.{surface}.{variant}.{role}" in measured, (name, surface, variant, role)
            if declared[name].export:
                assert f"{name}.export.csv.{role}" in measured and f"{name}.export.xlsx.{role}" in measured
            if declared[name].record_page:
                assert f"{name}.record.page.{role}" in measured
    assert all(m["ok"] and m["queries"] > 0 for m in result["measurements"])
    assert result["data_unchanged"] is True
