"""Fixtures of the QC-1 tests: signed-in clients, and a standard brought to any state by the services."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.api.conftest import api  # noqa: F401  (a client checked against the OpenAPI document, API-2)
from tests.pages.conftest import login  # noqa: F401  (a client signed in as a user)


@pytest.fixture
def standard_in(quality_officer, quality_manager):
    """``standard_in(state)`` -> (standard, version): a standard whose newest version is in ``state``
    (written by the quality officer, decided by the quality manager), built through the services."""
    from tests.assessment.standards.support import standard_in as build

    def make(state: str, **kwargs):
        kwargs.setdefault("author", quality_officer)
        kwargs.setdefault("approver", quality_manager)
        return build(state, **kwargs)

    return make


def today() -> dt.date:
    return timezone.localdate()
