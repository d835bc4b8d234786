"""SEC-2 transport: every `check --deploy` setting read from the environment (clean with production
settings), and `Cache-Control: private, no-store` on whatever a signed-in user is shown."""
from __future__ import annotations

import importlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "qsm.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://qsm.example.com",
    "SITE_URL": "https://qsm.example.com",
    "QSM_TRUSTED_PROXY_COUNT": "1",
    # these two reach beyond the site itself: README says to set them once the domain is ready for it
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "DJANGO_SECURE_HSTS_PRELOAD": "true",
}
# What the machine running the tests sets for the app; a deployment sets none of these to weaken it.
_KEEP = ("PATH", "HOME", "LANG", "DATABASE_URL", "CELERY_BROKER_URL", "QSM_VAR_DIR", "PYTHONPATH")


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in _KEEP}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.spec("SEC-2")
def test_check_deploy_is_clean_with_production_settings_from_the_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def _reload_settings(monkeypatch, **env):
    import qsm.settings as production

    for name in ("SITE_URL", "QSM_TRUSTED_PROXY_COUNT", "DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SECURE_HSTS_SECONDS",
                 "DJANGO_SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(production)


@pytest.fixture
def reload_settings(monkeypatch):
    yield lambda **env: _reload_settings(monkeypatch, **env)
    monkeypatch.undo()
    importlib.reload(importlib.import_module("qsm.settings"))


@pytest.mark.spec("SEC-2")
def test_an_https_site_gets_safe_defaults_and_a_local_run_none(reload_settings):
    https = reload_settings(SITE_URL="https://qsm.example.com")
    assert (https.SECURE_SSL_REDIRECT, https.SESSION_COOKIE_SECURE, https.CSRF_COOKIE_SECURE) == (True, True, True)
    assert https.SECURE_HSTS_SECONDS == 365 * 24 * 3600
    assert https.SECURE_PROXY_SSL_HEADER is None  # no proxy trusted: its header is not either
    local = reload_settings(SITE_URL="http://127.0.0.1:8000")
    assert (local.SECURE_SSL_REDIRECT, local.SECURE_HSTS_SECONDS, local.SESSION_COOKIE_SECURE) == (False, 0, False)


@pytest.mark.spec("SEC-2")
def test_each_transport_setting_is_read_from_the_environment(reload_settings):
    s = reload_settings(SITE_URL="https://qsm.example.com", DJANGO_SECURE_SSL_REDIRECT="false",
                        DJANGO_SECURE_HSTS_SECONDS="300", QSM_TRUSTED_PROXY_COUNT="1")
    assert s.SECURE_SSL_REDIRECT is False and s.SECURE_HSTS_SECONDS == 300
    assert s.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    s = reload_settings(QSM_TRUSTED_PROXY_COUNT="1", DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Ssl-Proto")
    assert s.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_SSL_PROTO", "https")


def _private(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


@pytest.mark.spec("SEC-2")
def test_signed_in_pages_exports_and_api_answers_are_private_and_not_stored(staff_user, customer):
    from tests.builders.inquiries import new_inquiry

    inquiry = new_inquiry(actor=staff_user, customer=customer)
    client = Client()
    client.force_login(staff_user)
    from tests.builders.exports import requested_job, xlsx_export

    for url in (reverse("inbox"), reverse("presales:inquiry-list"), inquiry.get_absolute_url(),
                reverse("presales:inquiry-export"), reverse("password_change"), "/api/me/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _private(response), (url, response.get("Cache-Control"))
    # the Excel file: the request that starts its job, the job's page, and the file itself
    asked = client.get(reverse("presales:inquiry-export"), {"fmt": "xlsx"})
    assert _private(asked) and _private(client.get(requested_job(asked).get_absolute_url()))
    assert _private(xlsx_export(client, reverse("presales:inquiry-export")))
    # a token client too
    api = APIClient()
    from qsm.org.accounts import api_token_obtain

    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_obtain(user=staff_user).key}")
    assert _private(api.get("/api/presales/inquiries/export/"))


@pytest.mark.spec("SEC-2")
def test_static_files_keep_their_own_caching(db, staff_user):
    client = Client()
    client.force_login(staff_user)
    static = client.get("/static/css/qsm.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
