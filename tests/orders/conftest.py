"""Fixtures of the orders tests."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The role fixtures create half a dozen users per test; Argon2 (deliberately slow) made
    their set-up most of these tests' run time. Nothing here checks a password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
