"""SEC-2 API authentication: 401 with a challenge for token clients, tokens that expire and can be
revoked, throttling per user and per address, and the browser's session (with CSRF) still working."""
from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

PASSWORD = "pass-12345"


def _obtain(username: str = "staff", **client_kwargs):
    return APIClient(**client_kwargs).post("/api/auth/token/", {"username": username, "password": PASSWORD},
                                           format="json")


def _token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _code(response) -> str | None:
    detail = response.data.get("detail")
    return getattr(detail, "code", None) or response.data.get("code")


@pytest.mark.spec("SEC-2", "API-1")
@pytest.mark.parametrize("authorization", [None, "Token not-a-token", "Token ", "Bearer abc"])
def test_missing_or_bad_credentials_get_401_with_a_challenge(db, staff_user, authorization):
    client = APIClient()
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    for response in (client.get("/api/me/"), client.post("/api/presales/inquiries/", {}, format="json")):
        assert response.status_code == 401, response.content
        assert response["WWW-Authenticate"].startswith("Token")
        assert _code(response) in ("not_authenticated", "authentication_failed")


@pytest.mark.spec("SEC-2", "ORG-1")
def test_a_signed_in_user_without_the_right_still_gets_403(api, staff_user, other_department):
    # 401 is for "who are you"; a known user refused an action stays 403 (or 404 outside the department)
    outsider = UserFactory(username="outsider", department=other_department, roles=[])
    response = api(outsider).post("/api/org/customers/", {"name": "无权限客户"}, format="json")
    assert response.status_code == 403


@pytest.mark.spec("SEC-2", "API-1")
def test_a_token_expires_after_its_lifetime_and_a_new_one_is_issued(db, staff_user, settings, time_machine):
    settings.QSM_API_TOKEN_TTL_HOURS = 8
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    # given a token obtained at 09:00 that says when it expires
    first = _obtain()
    assert first.status_code == 200
    key = first.data["token"]
    assert first.data["expires_at"] == dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)
    assert _token_client(key).get("/api/me/").status_code == 200
    # until it expires, asking again gives the same token
    time_machine.move_to(dt.datetime(2026, 3, 2, 16, 59, tzinfo=dt.UTC), tick=False)
    assert _obtain().data["token"] == key
    assert _token_client(key).get("/api/me/").status_code == 200
    # when its lifetime has passed
    time_machine.move_to(dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC), tick=False)
    expired = _token_client(key).get("/api/me/")
    # then it is refused 401, and sending it along does not stop obtaining a fresh one
    assert expired.status_code == 401 and expired["WWW-Authenticate"].startswith("Token")
    fresh = _token_client(key).post("/api/auth/token/", {"username": "staff", "password": PASSWORD}, format="json")
    assert fresh.status_code == 200 and fresh.data["token"] != key
    assert _token_client(fresh.data["token"]).get("/api/me/").status_code == 200
    assert list(Token.objects.filter(user=staff_user).values_list("key", flat=True)) == [fresh.data["token"]]


@pytest.mark.spec("SEC-2", "API-1")
def test_a_client_revokes_its_token(db, staff_user):
    key = _obtain().data["token"]
    client = _token_client(key)
    # when the client logs out of the API
    response = client.post("/api/auth/token/revoke/")
    # then the token stops working at once
    assert response.status_code == 204
    assert client.get("/api/me/").status_code == 401
    assert not Token.objects.filter(user=staff_user).exists()
    # and revoking needs to know who is asking
    assert APIClient().post("/api/auth/token/revoke/").status_code == 401


@pytest.mark.spec("SEC-2", "API-1")
def test_the_browser_session_keeps_working_with_its_csrf_check(db, staff_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff_user)
    assert client.get("/api/me/").status_code == 200
    # a write without the CSRF token is refused (a forged cross-site request), with it it works
    assert client.post("/api/notifications/mark-read/", {}, format="json").status_code == 403
    client.get("/")  # the page sets the CSRF cookie, as in the browser
    csrf = client.cookies["csrftoken"].value
    response = client.post("/api/notifications/mark-read/", {}, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code in (200, 204), response.content


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                                   "DEFAULT_THROTTLE_RATES": {"address": None, "user": None, "token": None, **rates}}
        from django.core.cache import cache

        cache.clear()

    return set_rates


@pytest.mark.spec("SEC-2", "API-1")
def test_each_user_is_throttled_on_their_own(db, staff_user, colleague, rates):
    rates(user="3/minute")
    mine, theirs = APIClient(), APIClient()
    mine.force_login(staff_user)
    theirs.force_login(colleague)
    assert [mine.get("/api/me/").status_code for _n in range(3)] == [200, 200, 200]
    refused = mine.get("/api/me/")
    assert refused.status_code == 429 and _code(refused) == "throttled" and int(refused["Retry-After"]) > 0
    # a colleague on the same address is not slowed down by it
    assert theirs.get("/api/me/").status_code == 200


@pytest.mark.spec("SEC-2", "API-1")
def test_one_address_is_throttled_whatever_the_users(db, business_department, rates):
    rates(address="4/minute")
    clients = []
    for n in range(5):
        user = UserFactory(username=f"office{n}", department=business_department)
        client = APIClient(REMOTE_ADDR="198.51.100.4")
        client.force_login(user)
        clients.append(client)
    assert [c.get("/api/me/").status_code for c in clients] == [200, 200, 200, 200, 429]
    other = APIClient(REMOTE_ADDR="198.51.100.5")
    other.force_login(UserFactory(username="elsewhere", department=business_department))
    assert other.get("/api/me/").status_code == 200


@pytest.mark.spec("SEC-2", "API-1")
def test_password_guessing_on_the_token_endpoint_is_throttled_per_address(db, staff_user, rates, settings):
    rates(token="2/minute")
    settings.QSM_TRUSTED_PROXY_COUNT = 1
    behind_balancer = {"REMOTE_ADDR": "10.0.0.1"}
    guesses = [APIClient(**behind_balancer).post(
        "/api/auth/token/", {"username": "staff", "password": "guess"}, format="json",
        HTTP_X_FORWARDED_FOR="203.0.113.5").status_code for _n in range(3)]
    assert guesses == [400, 400, 429]
    # another client behind the same balancer still gets its token
    assert _obtain(**behind_balancer, HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 200


@pytest.mark.spec("SEC-2")
def test_throttle_rates_and_token_lifetime_come_from_the_environment(monkeypatch):
    import importlib

    import qsm.settings as production

    monkeypatch.setenv("QSM_API_THROTTLE_USER", "7/minute")
    monkeypatch.setenv("QSM_API_THROTTLE_ADDRESS", "70/minute")
    monkeypatch.setenv("QSM_API_THROTTLE_TOKEN", "3/minute")
    monkeypatch.setenv("QSM_API_TOKEN_TTL_HOURS", "2")
    try:
        reloaded = importlib.reload(production)
        assert reloaded.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
            "address": "70/minute", "user": "7/minute", "token": "3/minute"}
        assert reloaded.QSM_API_TOKEN_TTL_HOURS == 2
        assert reloaded.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"][0] == (
            "qsm.api.authentication.ExpiringTokenAuthentication")
    finally:
        monkeypatch.undo()
        importlib.reload(production)
