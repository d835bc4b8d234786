"""CMP-2 / CMP-3 on the complaint page: the investigation section (what is missing before a plan, the
structured root cause form, involving people, similar complaints) and the plan section (a plan
drafted with its first measure, measures added, submitted, rejected with a reason, revised,
approved by the manager who approves for the responsible department, measures done with evidence,
progress reports). Refused forms re-render the page with the errors on the fields (400) and change
nothing; the wrong state is a 409; another department's complaint is a 404; the measure list
filters and exports, with the same number of queries for 10 and 100 rows."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, HandlingPlan, Measure
from qsm.contacts.models import ContactEntry
from tests.builders.complaints import ROOT_CAUSE, any_cause, cast, complaint_in, plan_in
from tests.complaints.support import stored

S = Complaint.Status
P = HandlingPlan.Status
M = Measure.Status
pytestmark = [pytest.mark.django_db]


@pytest.fixture
def people(db):
    return cast()


@pytest.fixture
def as_(login):
    return lambda user: login(stored(user))


def url(name: str, complaint, *args) -> str:
    return reverse(f"complaints:{name}", args=[complaint.pk, *args])


def page(client, complaint) -> str:
    r = client.get(complaint.get_absolute_url())
    assert r.status_code == 200
    return r.content.decode()


def day(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def investigation_post(people, **changes) -> dict:
    data = {"facts": "现场确认主轴异响", "cause": any_cause().pk, "why_1": "主轴异响", "why_2": "轴承磨损",
            "root_cause": ROOT_CAUSE, "responsible_department": people.responsible_department.pk,
            "responsible_person": people.responsible.pk}
    data.update(changes)
    return data


@pytest.mark.spec("CMP-2")
def test_the_investigation_section_lists_what_is_missing_and_records_the_root_cause(as_, people):
    complaint = complaint_in(S.INVESTIGATING)
    client = as_(people.investigator)
    html = page(client, complaint)
    assert 'id="investigation-missing"' in html and 'id="investigation-form"' in html
    r = client.post(url("complaint-investigate", complaint), investigation_post(people))
    assert r.status_code == 302 and r["Location"].endswith("#investigation")
    complaint.refresh_from_db()
    assert complaint.whys == ["主轴异响", "轴承磨损"] and complaint.responsible_person == people.responsible
    assert 'id="investigation-missing"' not in page(client, complaint)


@pytest.mark.spec("CMP-2", "SEC-1")
@pytest.mark.parametrize("changes, field", [
    ({"why_1": "主轴\x00异响"}, "why_1"),
    ({"why_3": "x" * 501}, "why_3"),
    ({"responsible_person": "OUTSIDER"}, "responsible_person"),
    ({"responsible_person": "99999999999999999999"}, "responsible_person"),
    ({"cause": "abc"}, "cause"),
])
def test_bad_investigation_input_re_renders_with_the_field_error(as_, people, changes, field):
    complaint = complaint_in(S.INVESTIGATING)
    if changes.get("responsible_person") == "OUTSIDER":
        changes["responsible_person"] = people.outsider.pk
    r = as_(people.investigator).post(url("complaint-investigate", complaint), investigation_post(people, **changes))
    assert r.status_code == 400
    assert f'id="id_{field}"' in r.content.decode() and "invalid-feedback" in r.content.decode()
    complaint.refresh_from_db()
    assert complaint.whys == []


@pytest.mark.spec("CMP-2", "ORG-1")
def test_another_departments_complaint_is_a_404_on_every_form(as_, people):
    complaint = complaint_in(S.PLANNING)
    plan = complaint.plans.get()
    client = as_(people.outsider)
    assert client.get(complaint.get_absolute_url()).status_code == 404
    for name, args in [("complaint-investigate", ()), ("complaint-involve", ()), ("complaint-plan-create", ()),
                       ("complaint-plan-submit", (plan.pk,)), ("complaint-plan-approve", (plan.pk,)),
                       ("complaint-measure-add", (plan.pk,)), ("complaint-progress", ())]:
        assert client.post(url(name, complaint, *args), {}).status_code == 404, name
    plan.refresh_from_db()
    assert plan.status == P.DRAFT


@pytest.mark.spec("CMP-2", "CMP-3")
def test_a_plan_is_not_drafted_before_root_cause_and_responsibility(as_, people):
    complaint = complaint_in(S.INVESTIGATING)
    r = as_(people.investigator).post(url("complaint-plan-create", complaint), {
        "summary": "更换轴承", "description": "更换", "owner": people.responsible.pk, "due_date": day(7)})
    assert r.status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == S.INVESTIGATING and not complaint.plans.exists()


@pytest.mark.spec("CMP-3")
def test_the_plan_from_draft_to_approval_on_the_page(as_, people):
    complaint = complaint_in(S.INVESTIGATING)
    investigator = as_(people.investigator)
    investigator.post(url("complaint-investigate", complaint), investigation_post(people))
    r = investigator.post(url("complaint-plan-create", complaint), {
        "summary": "更换轴承并更新规程", "description": "更换主轴轴承", "owner": people.responsible.pk,
        "due_date": day(7)})
    assert r.status_code == 302, r.content.decode()[:2000]
    plan = complaint.plans.get()
    r = investigator.post(url("complaint-measure-add", complaint, plan.pk), {
        "description": "更新保养规程", "owner": people.approver.pk, "due_date": day(14)})
    assert r.status_code == 302 and plan.measures.count() == 2
    r = investigator.post(url("complaint-measure-add", complaint, plan.pk), {
        "description": "", "owner": "", "due_date": "9999-12-31"})
    assert r.status_code == 400 and plan.measures.count() == 2
    html = page(investigator, complaint)
    assert 'id="plan-submit-form"' in html and "更新保养规程" in html
    assert investigator.post(url("complaint-plan-submit", complaint, plan.pk), {}).status_code == 302
    # the author sees no decision buttons; the manager does
    assert 'id="plan-approve-form"' not in page(investigator, complaint)
    manager = as_(people.approver)
    assert 'id="plan-approve-form"' in page(manager, complaint)
    r = manager.post(url("complaint-plan-reject", complaint, plan.pk), {"reject-reason": ""})
    assert r.status_code == 400
    r = manager.post(url("complaint-plan-reject", complaint, plan.pk), {"reject-reason": "日期太晚"})
    assert r.status_code == 302
    r = manager.post(url("complaint-plan-approve", complaint, plan.pk), {})
    assert r.status_code == 409  # already decided
    assert 'id="plan-revise-form"' in page(investigator, complaint)
    assert investigator.post(url("complaint-plan-revise", complaint, plan.pk), {}).status_code == 302
    v2 = complaint.plans.get(version=2)
    investigator.post(url("complaint-plan-submit", complaint, v2.pk), {})
    assert manager.post(url("complaint-plan-approve", complaint, v2.pk), {"approve-comment": "同意"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.EXECUTING
    html = page(investigator, complaint)
    assert 'data-status="rejected"' in html and "日期太晚" in html and 'data-status="approved"' in html
    # the plans' and measures' lines are on the complaint's timeline, each naming its version (WF-2)
    assert "处理方案 v1" in html and "处理方案 v2" in html and "整改措施 v2 #1" in html


@pytest.mark.spec("CMP-3")
def test_measures_are_done_on_the_page_with_evidence(as_, people):
    plan = plan_in(P.APPROVED, measures=2)
    complaint = plan.complaint
    first, second = plan.measures.order_by("position")
    owner = as_(people.responsible)
    html = page(owner, complaint)
    assert html.count('data-action="complete_measure"') == 2
    r = owner.post(url("complaint-measure-done", complaint, plan.pk, first.pk), {f"done-{first.pk}-note": "已更换"})
    assert r.status_code == 400
    first.refresh_from_db()
    assert first.status == M.OPEN
    for measure in (first, second):
        photo = SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
        r = owner.post(url("complaint-measure-done", complaint, plan.pk, measure.pk),
                       {f"done-{measure.pk}-note": "已完成", f"done-{measure.pk}-evidence": photo})
        assert r.status_code == 302, r.content.decode()[:1000]
    complaint.refresh_from_db()
    assert complaint.status == S.CONFIRMING
    r = owner.post(url("complaint-measure-done", complaint, plan.pk, first.pk), {f"done-{first.pk}-note": "x"})
    assert r.status_code == 409


@pytest.mark.spec("CMP-3")
def test_a_progress_report_from_the_plan_section(as_, people):
    complaint = complaint_in(S.EXECUTING)
    client = as_(people.investigator)
    r = client.post(url("complaint-progress", complaint), {"progress-channel": "phone",
                                                           "progress-summary": "已告知客户：措施执行中"})
    assert r.status_code == 302
    assert ContactEntry.objects.filter(kind=ContactEntry.Kind.UPDATE, summary="已告知客户：措施执行中").exists()
    r = client.post(url("complaint-progress", complaint), {"progress-channel": "phone", "progress-summary": ""})
    assert r.status_code == 400


@pytest.mark.spec("CMP-3", "SEARCH-1", "PERF-1")
def test_the_measure_list_page_and_export(as_, people):
    plan_in(P.APPROVED, measures=10)
    client = as_(people.quality)
    with CaptureQueriesContext(connection) as ten:
        r = client.get(reverse("complaints:measure-list") + "?per_page=100")
    assert r.status_code == 200 and r.content.decode().count("data-measure=") == 10
    for _ in range(3):
        plan_in(P.APPROVED, measures=30)
    client = as_(people.quality)
    with CaptureQueriesContext(connection) as hundred:
        r = client.get(reverse("complaints:measure-list") + "?per_page=100")
    assert r.content.decode().count("data-measure=") == 100
    assert len(hundred.captured_queries) == len(ten.captured_queries)
    r = client.get(reverse("complaints:measure-list") + "?overdue=true")
    assert r.status_code == 200 and "data-measure=" not in r.content.decode()
    r = client.get(reverse("complaints:measure-export"))
    assert r.status_code == 200 and "text/csv" in r["Content-Type"]
    r = client.get(reverse("complaints:measure-export") + "?due_from=junk")
    assert r.status_code == 400
    assert "data-measure=" not in as_(people.outsider).get(reverse("complaints:measure-list")).content.decode()
    assert reverse("complaints:measure-list") in client.get(reverse("complaints:complaint-list")).content.decode()


@pytest.mark.spec("CMP-3", "PERF-1")
def test_the_complaint_page_reads_the_same_queries_for_2_and_10_measures(as_, people):
    small, large = plan_in(P.APPROVED, measures=2), plan_in(P.APPROVED, measures=10)
    client = as_(people.responsible)  # the owner: a "done" form on every measure
    counts = []
    for plan in (small, large):
        with CaptureQueriesContext(connection) as queries:
            html = page(client, plan.complaint)
        assert html.count('data-action="complete_measure"') == plan.measures.count()
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
