"""PERF-1: the case page and the case detail endpoint cost the same queries whatever the length of
the case's contact log and timeline."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.models import Case
from aftersales.services import cases as services
from tests.aftersales.cases_support import case_in

S = Case.Status
pytestmark = pytest.mark.django_db


def _grow(case: Case, actor, n: int) -> None:
    """``n`` more contacts and ``n`` more edits of the diagnosis on the timeline."""
    for i in range(n):
        services.case_contact_add(case=case, actor=actor, channel="phone", direction="out", summary=f"第 {i} 次沟通")
        services.case_diagnose(case=case, actor=actor, diagnosis=f"诊断 {i}")


def _queries(client, url: str) -> int:
    client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.spec("PERF-1", "AFS-2")
def test_the_case_page_and_detail_cost_the_same_at_1_and_12_entries(login, staff_user, customer):
    from rest_framework.test import APIClient

    def api(user):
        client = APIClient()
        client.force_login(user)
        return client

    case = case_in(S.IN_PROGRESS, actor=staff_user, customer=customer)
    _grow(case, staff_user, 1)
    page, detail = _queries(login(staff_user), case.get_absolute_url()), _queries(
        api(staff_user), f"/api/aftersales/cases/{case.pk}/")
    _grow(case, staff_user, 11)
    assert _queries(login(staff_user), case.get_absolute_url()) == page
    assert _queries(api(staff_user), f"/api/aftersales/cases/{case.pk}/") == detail
    print(f"case page: {page} queries; case detail endpoint: {detail} queries")
