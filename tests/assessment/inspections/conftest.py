"""``api(user)``: a client signed in as ``user`` whose JSON answers are checked against the published
OpenAPI document (API-2), as in tests/api."""
from __future__ import annotations

import pytest

from tests.api.openapi import ContractClient


@pytest.fixture
def api():
    def make(user=None) -> ContractClient:
        client = ContractClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


from tests.browser.conftest import browser, csp_violations  # noqa: E402,F401  (the browser tests' fixtures)
