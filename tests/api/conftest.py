"""API test helpers: a client signed in as a given user (session auth, CSRF as in DRF tests)."""
from __future__ import annotations

import functools

import pytest
from rest_framework.test import APIClient

from presales.models import Inquiry
from qsm.workflow.models import Event
from tests.api.openapi import ContractClient


@pytest.fixture
def api():
    """``api(user)``: a client signed in as ``user`` whose every JSON answer is checked against the
    OpenAPI document (API-2, ``tests.api.openapi.ContractClient``)."""

    def make(user=None) -> APIClient:
        client = ContractClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


def inquiry_url(inquiry_or_pk, action: str = "") -> str:
    pk = getattr(inquiry_or_pk, "pk", inquiry_or_pk)
    return f"/api/presales/inquiries/{pk}/" + (f"{action}/" if action else "")


def snapshot(inquiry: Inquiry) -> tuple[str, int]:
    """What must not change when an action is refused: the status and the timeline length."""
    inquiry.refresh_from_db()
    return inquiry.status, Event.objects.filter(object_id=inquiry.pk, content_type__model="inquiry").count()


@pytest.fixture
def inquiry_in(staff_user, sales_user, production_department, sales_department, customer):
    """``inquiry_in(state)``: a fresh inquiry of ``staff_user``'s department brought to ``state`` by the
    lifecycle builder (answered at intake, discussed with production, handed over to sales)."""
    from tests.builders.inquiries import inquiry_in as build

    return functools.partial(build, actor=staff_user, customer=customer, invited=[production_department],
                             hand_over_to=sales_department, receiver=sales_user)
