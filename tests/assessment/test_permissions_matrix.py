"""SEC-1 / SEC-2 over HTTP for quality control: for a standard's draft version, an inspection, a finding,
a rectification notice, a rectification plan and a training session, every role gets on each
surface what PLAN11's visibility says:

- the record page: 200 to those who may see it, 404 to a signed-in user who may not (never 403:
  another department's record does not exist for them), a redirect to the login page when signed out;
- the API detail: 200 / 404, and 401/403 when signed out;
- the API list and the page export (CSV): the record is listed exactly for those who may see it.

Roles: the quality officer, the quality manager, the responsible (sales) department's staff and
its manager, another department's (engineering) staff and manager, and a signed-out visitor.
(``tests/assessment/test_visibility.py`` proves the selectors and predicates agree; this proves the
pages, endpoints and exports use them.)
"""
from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.builders.assessment import a_notice, a_plan, a_session, a_standard, an_inspection, judge

pytestmark = pytest.mark.django_db

ROLES = ("quality", "quality_manager", "member", "manager", "outsider", "outside_manager")


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8")


def _check(people, *, sees: set[str], page: str, api: str, api_list: str | None, export: str | None, number: str,
           page_goes_to: str | None = None):
    """Every role against every surface; a mismatch names the role and the surface. ``page_goes_to``: the
    page of a record shown on another one redirects there (for those who may see it)."""
    failures = []
    for role in ROLES:
        user = getattr(people, role)
        web, rest = Client(), APIClient()
        web.force_login(user)
        rest.force_authenticate(user)
        expected = 200 if role in sees else 404
        response = web.get(page)
        if page_goes_to and role in sees:
            if response.status_code != 302 or not response["Location"].startswith(page_goes_to):
                failures.append(f"{role}: page {response.status_code} (expected a redirect to {page_goes_to})")
        elif response.status_code != expected:
            failures.append(f"{role}: page {response.status_code} (expected {expected})")
        status = rest.get(api).status_code
        if status != expected:
            failures.append(f"{role}: api detail {status} (expected {expected})")
        if api_list:
            r = rest.get(api_list)
            if r.status_code != 200 or (number in _body(r)) != (role in sees):
                failures.append(f"{role}: api list {r.status_code}, listed={number in _body(r)}")
        if export:
            r = web.get(export)
            if r.status_code != 200 or (number in _body(r)) != (role in sees):
                failures.append(f"{role}: export {r.status_code}, listed={number in _body(r)}")
    anonymous = Client().get(page)
    if anonymous.status_code != 302 or "/login" not in anonymous["Location"]:
        failures.append(f"anonymous: page {anonymous.status_code}")
    status = APIClient().get(api).status_code
    if status not in (401, 403):
        failures.append(f"anonymous: api detail {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.spec("SEC-1", "SEC-2", "QC-1")
def test_a_standards_draft_is_seen_by_its_owner_and_quality_only(people):
    standard = a_standard(effective=False, people=people, owner=people.quality)
    version = standard.versions.get()
    _check(people, sees={"quality", "quality_manager"}, page=f"/quality/standard-versions/{version.pk}/",
           api=f"/api/quality/standard-versions/{version.pk}/", api_list="/api/quality/standards/",
           export="/quality/standards/export/", number=standard.number)


@pytest.mark.spec("SEC-1", "SEC-2", "QC-2")
def test_an_inspection_is_seen_by_quality_and_the_inspected_departments_manager(people):
    inspection = an_inspection(people=people, inspector=people.quality)
    _check(people, sees={"quality", "quality_manager", "manager"}, page=f"/quality/inspections/{inspection.pk}/",
           api=f"/api/quality/inspections/{inspection.pk}/", api_list="/api/quality/inspections/",
           export="/quality/inspections/export/", number=inspection.number)


@pytest.mark.spec("SEC-1", "SEC-2", "QC-2")
def test_a_finding_is_seen_by_quality_and_the_inspected_departments_manager(people):
    from assessment.inspections.models import Finding, Inspection

    inspection = an_inspection(people=people, inspector=people.quality, state=Inspection.Status.IN_PROGRESS)
    judge(inspection, ["fail"], actor=people.quality)
    finding = Finding.objects.filter(sample__inspection=inspection, result="fail").get()
    _check(people, sees={"quality", "quality_manager", "manager"}, page=f"/quality/findings/{finding.pk}/",
           api=f"/api/quality/findings/{finding.pk}/", api_list="/api/quality/findings/",
           export="/quality/findings/export/", number=inspection.number)


@pytest.mark.spec("SEC-1", "SEC-2", "QC-3")
def test_a_notice_is_seen_by_quality_and_the_responsible_department(people):
    notice = a_notice(people=people)
    _check(people, sees={"quality", "quality_manager", "member", "manager"},
           page=f"/quality/notices/{notice.pk}/", api=f"/api/quality/notices/{notice.pk}/",
           api_list="/api/quality/notices/", export="/quality/notices/export/", number=notice.number)


@pytest.mark.spec("SEC-1", "SEC-2", "QC-3")
def test_a_rectification_plan_is_seen_by_quality_and_the_responsible_department(people):
    notice = a_notice(people=people)
    plan = a_plan(notice, state="submitted", author=people.member, people=people)
    # The plans have no list of their own: they are shown on their notice's page (the plan's page redirects
    # there) and listed on their notice's endpoint.
    _check(people, sees={"quality", "quality_manager", "member", "manager"},
           page=f"/quality/rectification-plans/{plan.pk}/", api=f"/api/quality/rectification-plans/{plan.pk}/",
           api_list=None, export=None, number=plan.number, page_goes_to=notice.get_absolute_url())


@pytest.mark.spec("SEC-1", "SEC-2", "QC-5")
def test_a_training_session_is_seen_by_its_department_trainer_and_quality(people):
    session = a_session(people=people, trainer=people.quality)
    _check(people, sees={"quality", "quality_manager", "member", "manager"},
           page=f"/quality/training/sessions/{session.pk}/", api=f"/api/quality/training/sessions/{session.pk}/",
           api_list="/api/quality/training/sessions/", export="/quality/training/sessions/export/",
           number=session.number)
