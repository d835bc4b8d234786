"""PERF-1: the inquiry detail endpoint reads the inquiry once (issue 8 found it read twice), and its
query count does not grow with the record's contact log."""
from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qsm.contacts.models import ContactEntry
from tests.builders.inquiries import new_inquiry

pytestmark = [pytest.mark.django_db, pytest.mark.spec("PERF-1", "API-1")]

_READS_THE_INQUIRY = re.compile(r'^SELECT .* FROM "presales_inquiry"', re.S)


def test_the_detail_reads_the_inquiry_once(api, staff_user):
    inquiry = new_inquiry(actor=staff_user)
    client = api(staff_user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/presales/inquiries/{inquiry.pk}/")
    assert response.status_code == 200 and response.json()["id"] == inquiry.pk
    reads = [q["sql"] for q in queries.captured_queries if _READS_THE_INQUIRY.match(q["sql"])]
    assert len(reads) == 1, reads


def test_the_detail_costs_the_same_with_a_longer_contact_log(api, staff_user, django_assert_num_queries):
    from presales import services

    inquiry = new_inquiry(actor=staff_user)
    services.communication_add(inquiry=inquiry, actor=staff_user, channel="phone",
                               direction=ContactEntry.Direction.OUTBOUND, summary="首次联系")
    client = api(staff_user)
    with CaptureQueriesContext(connection) as first:
        assert client.get(f"/api/presales/inquiries/{inquiry.pk}/").status_code == 200
    for n in range(3):
        services.communication_add(inquiry=inquiry, actor=staff_user, channel="phone",
                                   direction=ContactEntry.Direction.OUTBOUND, summary=f"回访 {n}")
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(f"/api/presales/inquiries/{inquiry.pk}/").status_code == 200
