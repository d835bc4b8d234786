"""QC-1 API: standards and versions (API-1), every error answered right (400/403/404/409 with a code),
keyset pages with a query count independent of the page size (PERF-1)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment.standards.models import StandardVersion
from tests.assessment.standards.test_pages import _bulk

pytestmark = pytest.mark.django_db
V = StandardVersion.Status
BASE = "/api/quality/standards/"
VERSIONS = "/api/quality/standard-versions/"


@pytest.mark.spec("QC-1", "API-1")
def test_create_revise_edit_submit_approve_through_the_api(api, quality_officer, quality_manager, business_department):
    officer = api(quality_officer)
    today = timezone.localdate()
    created = officer.post(BASE, {"title": "售后服务响应规范", "kind": "process", "modules": ["cases"],
                                  "departments": [business_department.pk], "owner": quality_officer.pk,
                                  "process": "2小时内响应", "effective_on": today.isoformat(),
                                  "review_on": (today + dt.timedelta(days=365)).isoformat()}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["number"].startswith("STD-") and body["current_version"] is None
    v1 = body["versions"][0]
    assert (v1["version"], v1["status"]) == (1, "draft")
    submitted = officer.post(f"{VERSIONS}{v1['id']}/submit/", {}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "review"
    approved = api(quality_manager).post(f"{VERSIONS}{v1['id']}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "effective"
    revised = officer.post(f"{BASE}{body['id']}/revise/", {}, format="json")
    assert revised.status_code == 201
    v2 = revised.json()
    assert (v2["version"], v2["status"], v2["process"]) == (2, "draft", "2小时内响应")
    patched = officer.patch(f"{VERSIONS}{v2['id']}/", {"process": "1小时内响应", "change_summary": "缩短响应时限"},
                            format="json")
    assert patched.status_code == 200 and patched.json()["process"] == "1小时内响应"
    versions = officer.get(f"{BASE}{body['id']}/versions/").json()
    assert [v["version"] for v in versions] == [2, 1]


@pytest.mark.spec("QC-1", "API-2", "WF-1")
def test_errors_400_403_404_409(api, standard_in, quality_officer, quality_manager, staff_user):
    _standard, draft = standard_in("draft")
    staff = api(staff_user)
    assert staff.get(f"{VERSIONS}{draft.pk}/").status_code == 404  # another's draft is not there
    assert staff.post(BASE, {"title": "x", "kind": "process", "owner": staff_user.pk}, format="json").status_code == 403
    officer = api(quality_officer)
    bad = officer.post(BASE, {"title": "\x00", "kind": "nope", "owner": 0, "modules": ["x"]}, format="json")
    assert bad.status_code == 400 and {"title", "kind", "owner", "modules"} <= set(bad.json())
    dates = officer.patch(f"{VERSIONS}{draft.pk}/", {"review_on": draft.effective_on.isoformat()}, format="json")
    assert dates.status_code == 400 and "review_on" in dates.json()
    unknown = officer.patch(f"{VERSIONS}{draft.pk}/", {"status": "effective"}, format="json")
    assert unknown.status_code == 400
    assert officer.post(f"{VERSIONS}{draft.pk}/approve/", {}, format="json").status_code in (403, 409)
    officer.post(f"{VERSIONS}{draft.pk}/submit/", {}, format="json")
    boss = api(quality_manager)
    no_reason = boss.post(f"{VERSIONS}{draft.pk}/return/", {"comment": ""}, format="json")
    assert no_reason.status_code == 400
    again = officer.post(f"{VERSIONS}{draft.pk}/submit/", {}, format="json")
    assert again.status_code == 409 and again.json().get("code")
    assert boss.post(f"{VERSIONS}{draft.pk}/return/", {"comment": "请补充"}, format="json").status_code == 200
    draft.refresh_from_db()
    assert (draft.status, draft.return_reason) == (V.DRAFT, "请补充")


@pytest.mark.spec("SEARCH-1", "PERF-1", "API-1")
def test_list_endpoint_query_count_is_the_same_at_10_and_100_rows(api, staff_user, quality_officer,
                                                                  django_assert_num_queries):
    _bulk(10, owner=quality_officer)
    client = api(staff_user)
    client.get(BASE)
    reset_queries()  # a request empties the query log: count from an empty log
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(BASE, {"page_size": 100})
    assert len(response.json()["results"]) == 10
    _bulk(90, owner=quality_officer, start=10)
    at_10 = len(ctx.captured_queries)
    assert at_10 > 0
    reset_queries()
    with django_assert_num_queries(at_10):
        response = client.get(BASE, {"page_size": 100})
    assert len(response.json()["results"]) == 100
    assert client.get(BASE, {"q": "服务规范1", "kind": "process", "review_due": "true"}).status_code == 200
    assert client.get(BASE, {"cursor": "garbage\x00"}).status_code in (400, 404)
    print(f"standard list endpoint: {at_10} queries at 10 and at 100 rows")


@pytest.mark.spec("QC-1", "PERF-1", "INBOX-1")
def test_version_list_filters_the_review_queue_with_a_fixed_query_count(api, standard_in, quality_manager,
                                                                        quality_officer, django_assert_num_queries):
    _s, in_review = standard_in("review")
    client = api(quality_manager)
    queue = client.get(VERSIONS, {"status": "review"}).json()["results"]
    assert [v["id"] for v in queue] == [in_review.pk]
    _bulk(10, owner=quality_officer)
    reset_queries()  # a request empties the query log: count from an empty log
    with CaptureQueriesContext(connection) as ctx:
        assert len(client.get(VERSIONS, {"page_size": 200}).json()["results"]) == 11
    _bulk(90, owner=quality_officer, start=10)
    at_10 = len(ctx.captured_queries)
    assert at_10 > 0
    reset_queries()
    with django_assert_num_queries(at_10):
        assert len(client.get(VERSIONS, {"page_size": 200}).json()["results"]) == 101


@pytest.mark.spec("QC-1", "API-1", "ORG-1")
def test_patch_changes_only_the_card_fields_given_and_only_for_its_owner(api, standard_in, quality_officer,
                                                                         staff_user, business_department):
    standard, _v = standard_in("effective")
    staff = api(staff_user)
    assert staff.patch(f"{BASE}{standard.pk}/", {"title": "篡改"}, format="json").status_code == 403
    changed = api(quality_officer).patch(f"{BASE}{standard.pk}/", {"departments": [business_department.pk]},
                                         format="json")
    assert changed.status_code == 200, changed.json()
    body = changed.json()
    assert body["title"] == "售后服务响应规范" and body["modules"] == ["cases"]
    assert [d["id"] for d in body["departments"]] == [business_department.pk]


@pytest.mark.spec("QC-1", "SEC-1")
def test_change_summary_is_bounded_a_megabyte_is_a_400_and_never_stored(api, standard_in, quality_officer):
    """What changed in a revision is a summary: 2,000 characters at most (a 1 MB string is refused)."""
    _standard, draft = standard_in("draft")
    client = api(quality_officer)
    client.credentials(HTTP_ACCEPT_LANGUAGE="zh-hans")
    megabyte = "x" * 1_000_000
    for value in ("改" * 2001, megabyte):
        refused = client.patch(f"{VERSIONS}{draft.pk}/", {"change_summary": value}, format="json")
        assert refused.status_code == 400, refused.status_code
        message = " ".join(refused.json()["change_summary"])
        assert "2000" in message and any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    created = client.post(BASE, {"title": "巨型说明", "kind": "process", "owner": quality_officer.pk,
                                 "change_summary": megabyte}, format="json")
    assert created.status_code == 400 and "change_summary" in created.json()
    draft.refresh_from_db()
    assert len(draft.change_summary) <= 2000
    ok = client.patch(f"{VERSIONS}{draft.pk}/", {"change_summary": "改" * 2000}, format="json")
    assert ok.status_code == 200 and ok.json()["change_summary"] == "改" * 2000


@pytest.mark.spec("QC-1")
def test_the_database_refuses_a_change_summary_over_2000_characters(standard_in):
    from django.db import IntegrityError, transaction

    _standard, draft = standard_in("draft")
    with pytest.raises(IntegrityError), transaction.atomic():
        StandardVersion.objects.filter(pk=draft.pk).update(change_summary="x" * 2001)
