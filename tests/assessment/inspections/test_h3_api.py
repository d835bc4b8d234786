"""QC-2 API: inspections, findings, checklists, plans (API-1: 400 / 403 / 404 / 409; keyset pages;
the same query count at 10 and 100 rows)."""
from __future__ import annotations

import pytest

from assessment.inspections.models import Checklist, Finding, Inspection, InspectionPlan
from tests.builders.assessment import a_checklist, a_standard, an_inspection, evidence, fresh, judge

from .support import bulk_inspections

pytestmark = pytest.mark.django_db
BASE = "/api/quality/"
R = Finding.Result
S = Inspection.Status


@pytest.mark.spec("QC-2", "API-1")
def test_the_inspector_carries_an_inspection_out_through_the_api(api, people):
    inspection = an_inspection(people=people, sample_size=1)
    client = api(people.quality)
    r = client.get(f"{BASE}inspections/{inspection.pk}/")
    assert r.status_code == 200
    samples = r.data["samples"]
    assert len(samples) == 1 and len(samples[0]["findings"]) == 2
    first, second = (f["id"] for f in samples[0]["findings"])
    r = client.post(f"{BASE}findings/{first}/judge/", {"result": "fail", "comment": "未登记"}, format="json")
    assert r.status_code == 200 and r.data["result"] == "fail"
    r = client.post(f"{BASE}findings/{first}/attachments/", {"file": evidence(), "description": "截图"},
                    format="multipart")
    assert r.status_code == 201
    r = client.post(f"{BASE}inspections/{inspection.pk}/complete/", {}, format="json")
    assert r.status_code == 400 and "findings" in r.data
    client.post(f"{BASE}findings/{second}/judge/", {"result": "na"}, format="json")
    r = client.post(f"{BASE}inspections/{inspection.pk}/complete/", {"summary": "一项不通过"}, format="json")
    assert r.status_code == 200
    assert (r.data["status"], r.data["fail_count"], r.data["na_count"]) == ("completed", 1, 1)
    r = client.post(f"{BASE}inspections/{inspection.pk}/start/", {}, format="json")
    assert r.status_code == 409
    r = client.post(f"{BASE}findings/{second}/judge/", {"result": "pass"}, format="json")
    assert r.status_code == 409 and fresh(Finding.objects.get(pk=second)).result == R.NA


@pytest.mark.spec("QC-2", "API-1", "SEC-1")
@pytest.mark.parametrize("body", [{"result": "fail"}, {"result": "maybe"}, {}, {"result": "pass", "comment": "\x00"},
                                  {"result": "na", "comment": "长" * 10_001}])
def test_a_bad_judgement_is_a_400(api, people, body):
    inspection = an_inspection(people=people, sample_size=1)
    finding = inspection.findings.first()
    r = api(people.quality).post(f"{BASE}findings/{finding.pk}/judge/", body, format="json")
    assert r.status_code == 400
    assert fresh(finding).result == R.PENDING


@pytest.mark.spec("QC-2", "API-1", "SEC-1")
def test_other_departments_get_404_and_readers_403(api, people):
    inspection = an_inspection(people=people, state=S.IN_PROGRESS, results=("fail",), sample_size=1)
    finding = inspection.findings.get(result=R.FAIL)
    outsider = api(people.outsider)
    assert outsider.get(f"{BASE}inspections/{inspection.pk}/").status_code == 404
    assert outsider.get(f"{BASE}findings/{finding.pk}/").status_code == 404
    assert outsider.post(f"{BASE}findings/{finding.pk}/judge/", {"result": "pass"}, format="json").status_code == 404
    assert outsider.get(f"{BASE}inspections/").data["results"] == []
    manager = api(people.manager)  # the inspected department's manager reads, does not judge
    assert manager.get(f"{BASE}findings/{finding.pk}/").status_code == 200
    assert manager.post(f"{BASE}findings/{finding.pk}/judge/", {"result": "pass"}, format="json").status_code == 403
    assert manager.post(f"{BASE}inspections/{inspection.pk}/cancel/", {"comment": "x"},
                        format="json").status_code == 403
    assert fresh(finding).result == R.FAIL
    assert api(people.quality).post(f"{BASE}inspections/{inspection.pk}/cancel/", {"comment": "x"},
                                    format="json").status_code == 403  # the quality manager cancels
    r = api(people.quality_manager).post(f"{BASE}inspections/{inspection.pk}/cancel/", {"comment": "重复"},
                                         format="json")
    assert r.status_code == 200 and r.data["status"] == "cancelled"


@pytest.mark.spec("QC-2", "SEARCH-1", "API-1")
def test_the_lists_filter_like_the_pages(api, people):
    sales = an_inspection(people=people, state=S.COMPLETED, results=("fail",))
    service = an_inspection(people=people, department=people.service_department)
    client = api(people.quality)
    numbers = [r["number"] for r in client.get(f"{BASE}inspections/", {"department": people.department.pk}).data[
        "results"]]
    assert numbers == [sales.number]
    numbers = [r["number"] for r in client.get(f"{BASE}inspections/", {"q": "客户服务"}).data["results"]]
    assert numbers == [service.number]
    rows = client.get(f"{BASE}findings/", {"result": "fail"}).data["results"]
    assert [(r["inspection_number"], r["result"]) for r in rows] == [(sales.number, "fail")]
    assert client.get(f"{BASE}inspections/", {"status": "nonsense"}).status_code == 400
    r = client.get(f"{BASE}findings/export/", {"format": "csv", "kind": "process"})
    assert r.status_code == 200


@pytest.mark.spec("PERF-1", "API-1")
@pytest.mark.parametrize("endpoint", ["inspections/", "findings/"])
def test_list_endpoints_cost_the_same_queries_at_10_and_100_rows(api, people, django_assert_num_queries, endpoint):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(people.manager)
    bulk_inspections(10, people=people)
    client.get(f"{BASE}{endpoint}", {"page_size": 100})
    with CaptureQueriesContext(connection) as small:
        r = client.get(f"{BASE}{endpoint}", {"page_size": 100})
    assert len(r.data["results"]) >= 10
    bulk_inspections(90, people=people)
    with django_assert_num_queries(len(small.captured_queries)):
        r = client.get(f"{BASE}{endpoint}", {"page_size": 100})
    assert len(r.data["results"]) == 100 and "count" not in r.data


@pytest.mark.spec("QC-2", "API-1")
def test_the_inspection_detail_reads_a_fixed_number_of_queries(api, people, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = an_inspection(people=people, sample_size=1)
    large = an_inspection(people=people, sample_size=6)
    client = api(people.quality)
    client.get(f"{BASE}inspections/{small.pk}/")
    with CaptureQueriesContext(connection) as first:
        client.get(f"{BASE}inspections/{small.pk}/")
    with django_assert_num_queries(len(first.captured_queries)):
        r = client.get(f"{BASE}inspections/{large.pk}/")
    assert len(r.data["samples"]) == 6


@pytest.mark.spec("QC-2", "API-1")
def test_checklists_and_plans_through_the_api(api, people):
    standard = a_standard(people=people)
    client = api(people.quality)
    r = client.post(f"{BASE}checklists/", {"name": "售后检查表", "module": "cases", "standards": [standard.pk]},
                    format="json")
    assert r.status_code == 201 and len(r.data["items"]) == 3
    checklist = Checklist.objects.get(pk=r.data["id"])
    r = client.post(f"{BASE}checklists/{checklist.pk}/items/", {"text": "回访有签字", "kind": "compliance"},
                    format="json")
    assert r.status_code == 201 and r.data["position"] == 4
    item = r.data["id"]
    r = client.patch(f"{BASE}checklists/{checklist.pk}/items/{item}/", {"kind": "process"}, format="json")
    assert r.status_code == 200 and r.data["kind"] == "process"
    assert client.post(f"{BASE}checklists/", {"name": "", "module": "cases"}, format="json").status_code == 400
    assert api(people.manager).post(f"{BASE}checklists/", {"name": "x", "module": "cases", "items": [
        {"text": "a", "kind": "process"}]}, format="json").status_code == 403

    inquiries = a_checklist(people=people)
    plan = {"title": "销售部月度检查", "department": people.department.pk, "module": "inquiries",
            "checklist": inquiries.pk, "frequency": "monthly", "sample_size": 5, "inspector": people.quality.pk,
            "next_run_on": "2026-12-01"}
    r = client.post(f"{BASE}inspection-plans/", plan, format="json")
    assert r.status_code == 201
    pk = r.data["id"]
    r = client.patch(f"{BASE}inspection-plans/{pk}/", {"sample_size": 9}, format="json")
    assert r.status_code == 200 and r.data["sample_size"] == 9
    r = client.post(f"{BASE}inspection-plans/", {**plan, "checklist": checklist.pk}, format="json")
    assert r.status_code == 400 and "checklist" in r.data  # a checklist of another module
    r = client.post(f"{BASE}inspection-plans/", {**plan, "sample_size": 500}, format="json")
    assert r.status_code == 400
    assert InspectionPlan.objects.count() == 1
    assert api(people.outsider).get(f"{BASE}inspection-plans/{pk}/").status_code == 404


@pytest.mark.spec("QC-2", "API-1")
def test_a_completed_inspection_counts_what_was_judged(api, people):
    inspection = an_inspection(people=people, state=S.IN_PROGRESS, sample_size=2)
    judge(inspection, ("pass", "fail", "na", "pass"), actor=people.quality)
    r = api(people.quality).post(f"{BASE}inspections/{inspection.pk}/complete/", {}, format="json")
    assert (r.data["pass_count"], r.data["fail_count"], r.data["na_count"]) == (2, 1, 1)


@pytest.mark.spec("PERF-1", "API-1")
@pytest.mark.parametrize("url", ["/quality/checklists/", "/quality/inspection-plans/", f"{BASE}checklists/",
                                 f"{BASE}inspection-plans/"])
def test_checklist_and_plan_lists_cost_the_same_queries_at_10_and_100_rows(api, people, django_assert_num_queries,
                                                                           url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .support import bulk_plans

    client = api(people.quality)
    bulk_plans(10, people=people)
    params = {"per_page": 100, "page_size": 100}
    client.get(url, params)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, params).status_code == 200
    bulk_plans(90, people=people)
    with django_assert_num_queries(len(small.captured_queries)):
        r = client.get(url, params)
    if url.startswith(BASE):
        assert len(r.data["results"]) == 100 and "count" not in r.data
    else:
        assert r.content.decode().count("<tr") == 101  # the head and a page of 100
