"""SEC-2 lockout (django-axes): per account and per address, the address read from X-Forwarded-For
only behind a trusted proxy, and the API's token endpoint answering a lockout 429 like the page."""
from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from qsm.org.accounts import client_ip
from qsm.org.models import Role
from tests.factories import UserFactory

LIMIT = 3
LOAD_BALANCER = "10.0.0.1"


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.QSM_TRUSTED_PROXY_COUNT = 0
    return settings


@pytest.fixture
def victim(business_department):
    return UserFactory(username="victim", department=business_department, roles=[Role.STAFF])


def _login(username: str, password: str, *, remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password}, **meta)
    return response, client


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.spec("SEC-2")
def test_guessing_one_account_from_many_addresses_locks_the_account(lockout, victim):
    # given LIMIT wrong passwords for one account, each from another address
    for n in range(LIMIT):
        response, _client = _login("victim", f"guess-{n}", remote=f"198.51.100.{n + 1}")
        assert response.status_code in (200, 429)
    # when the right password comes from yet another address
    response, client = _login("victim", "pass-12345", remote="203.0.113.77")
    # then the account is locked: 429, in the app's page, and nobody is signed in
    assert response.status_code == 429
    assert not _signed_in(client)
    assert 'id="locked-out"' in response.content.decode()


@pytest.mark.spec("SEC-2")
def test_one_address_trying_many_accounts_is_locked(lockout, victim, colleague):
    # given one address that tried LIMIT different accounts
    for n in range(LIMIT):
        _login(f"nobody{n}", "guess", remote="198.51.100.9")
    # when a real user's right password comes from that address
    response, client = _login("colleague", "pass-12345", remote="198.51.100.9")
    # then the address is locked; the same user from elsewhere signs in
    assert response.status_code == 429 and not _signed_in(client)
    response, client = _login("colleague", "pass-12345", remote="198.51.100.10")
    assert response.status_code == 302 and _signed_in(client)


@pytest.mark.spec("SEC-2")
def test_behind_a_trusted_proxy_an_attacker_does_not_lock_out_the_office(lockout, victim, colleague):
    # given the load balancer in front is trusted: every request reaches Django from its address
    lockout.QSM_TRUSTED_PROXY_COUNT = 1
    for n in range(LIMIT + 2):
        # the attacker writes his own X-Forwarded-For entries; the balancer appends his real address
        _login(f"account{n}", "guess", remote=LOAD_BALANCER, forwarded=f"1.2.3.{n}, 203.0.113.5")
    # when a colleague signs in through the same balancer from her own address
    response, client = _login("colleague", "pass-12345", remote=LOAD_BALANCER, forwarded="198.51.100.20")
    # then she is in, and the attacker's address is locked
    assert response.status_code == 302 and _signed_in(client)
    response, client = _login("victim", "pass-12345", remote=LOAD_BALANCER, forwarded="9.9.9.9, 203.0.113.5")
    assert response.status_code == 429 and not _signed_in(client)


@pytest.mark.spec("SEC-2")
def test_without_a_trusted_proxy_a_forged_forwarded_for_gives_no_fresh_address(lockout, victim, colleague):
    # given no proxy is trusted, an attacker sends a new X-Forwarded-For with every guess
    for n in range(LIMIT):
        _login(f"account{n}", "guess", remote="203.0.113.5", forwarded=f"1.2.3.{n}")
    # then his guesses still count for his own address
    response, client = _login("colleague", "pass-12345", remote="203.0.113.5", forwarded="1.2.3.99")
    assert response.status_code == 429 and not _signed_in(client)


@pytest.mark.spec("SEC-2")
@pytest.mark.parametrize(("count", "forwarded", "expected"), [
    (0, "1.1.1.1, 2.2.2.2", "10.0.0.1"),  # not trusted: the header is ignored
    (1, "1.1.1.1, 2.2.2.2", "2.2.2.2"),  # the balancer appended the client's address
    (2, "1.1.1.1, 2.2.2.2, 10.9.9.9", "2.2.2.2"),  # two proxies: the second appended the first
    (3, "2.2.2.2", "2.2.2.2"),  # fewer entries than proxies: the left-most there is
    (1, "", "10.0.0.1"),
    (1, "1.1.1.1, not-an-address", "10.0.0.1"),  # a malformed entry is never used as an address
])
def test_the_client_address_is_read_from_the_proxy_header_only_when_trusted(settings, count, forwarded, expected):
    settings.QSM_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.spec("SEC-2", "API-1")
def test_a_locked_account_gets_429_from_the_token_endpoint_like_the_login_page(lockout, victim):
    client = APIClient(REMOTE_ADDR="198.51.100.1")
    # given wrong passwords are refused with 400 until the limit
    for _n in range(LIMIT - 1):
        r = client.post("/api/auth/token/", {"username": "victim", "password": "wrong"}, format="json")
        assert r.status_code == 400
    # when the limit is reached, and afterwards even with the right password from elsewhere
    r = client.post("/api/auth/token/", {"username": "victim", "password": "wrong"}, format="json")
    later = APIClient(REMOTE_ADDR="203.0.113.8").post(
        "/api/auth/token/", {"username": "victim", "password": "pass-12345"}, format="json")
    # then both are 429 with DRF's throttled code and when to try again, and no token is issued
    for response in (r, later):
        assert response.status_code == 429, response.content
        assert getattr(response.data["detail"], "code", response.data.get("code")) == "throttled"
        assert int(response["Retry-After"]) > 0
    assert "token" not in later.data
