"""Helpers for the page tests: signed-in clients per role."""
from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def login():
    """``login(user)`` -> a Client signed in as ``user`` (no password round trip)."""

    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login
