"""PERF-1 for the quality lists the concerns' own tests do not measure: the checklists and the
inspection plans, page and API, read the same number of queries at 10 and 100 rows (each row with
its items / standards / department / inspector). The other lists are measured in their concern's
tests (standards, inspections, findings, notices, training plans and sessions)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from assessment.inspections.models import InspectionPlan
from tests.builders.assessment import a_checklist, a_standard, in_days

pytestmark = pytest.mark.django_db

LISTS = [("/quality/checklists/", "per_page"), ("/api/quality/checklists/", "page_size"),
         ("/quality/inspection-plans/", "per_page"), ("/api/quality/inspection-plans/", "page_size")]


def _add(people, n: int, standard) -> None:
    for i in range(n):
        checklist = a_checklist(module="cases", name=f"售后检查表{InspectionPlan.objects.count()}-{i}",
                                standard=standard, people=people)
        InspectionPlan.objects.create(
            title=f"售后定期检查{checklist.pk}", department=people.department, module="cases", checklist=checklist,
            frequency="monthly", sample_size=5, inspector=people.quality, next_run_on=in_days(i % 30),
            created_by=people.quality)


def _counts(people) -> dict[str, tuple[int, int]]:
    """For each list: (queries, rows shown) as the quality officer."""
    page, api = APIClient(), APIClient()
    page.force_login(people.quality)
    api.force_authenticate(people.quality)
    out = {}
    for url, size in LISTS:
        client = api if url.startswith("/api/") else page
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {size: 100})
        assert response.status_code == 200, url
        body = response.content.decode()
        out[url] = (len(queries.captured_queries), body.count("售后定期检查") if "plans" in url else body.count("售后检查表"))
    return out


@pytest.mark.spec("PERF-1", "QC-2")
def test_checklist_and_inspection_plan_lists_cost_the_same_at_10_and_100_rows(people):
    standard = a_standard(people=people)
    _add(people, 10, standard)
    ten = _counts(people)
    _add(people, 90, standard)
    hundred = _counts(people)
    assert {u: q for u, (q, _r) in ten.items()} == {u: q for u, (q, _r) in hundred.items()}
    # the bigger list really showed more rows
    assert all(hundred[u][1] > ten[u][1] for u in ten), (ten, hundred)
