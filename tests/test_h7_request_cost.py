"""PERF-1 (issue 8): what a signed-in request costs before its view runs. The session is read from the
shared cache and the user with department and roles in one query; signing out, a password change
and a cache that lost everything (a Redis restart) or cannot be reached still behave."""
from __future__ import annotations

import runpy
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import qsm.settings
from qsm.org.models import Role

pytestmark = pytest.mark.django_db

PASSWORD = "pass-12345"
ME = "/api/me/"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sql(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.spec("PERF-1")
def test_a_signed_in_request_costs_one_query_for_session_and_user(staff_user):
    # given a signed-in user (the view /api/me/ reads nothing of its own: it shows the user,
    # the department and the roles)
    client = _signed_in(staff_user)
    # when a request is made
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ME)
    # then the session came from the cache and the user with department and roles in one query
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["username"], body["department"]["name"], body["roles"]) == ("staff", "客户服务部", [Role.STAFF])
    sql = _sql(queries)
    assert not [q for q in sql if "django_session" in q], sql
    assert len(sql) == 1 and 'FROM "org_user"' in sql[0] and '"org_department"' in sql[0], sql


@pytest.mark.spec("PERF-1")
def test_sessions_outlive_an_empty_cache(staff_user):
    # given a signed-in user, and then the cache loses everything (Redis restarted: it keeps nothing on disk)
    client = _signed_in(staff_user)
    cache.clear()
    # when the next requests come, then the session is read from the database once and cached again
    with CaptureQueriesContext(connection) as first:
        assert client.get(ME).status_code == 200
    assert [q for q in _sql(first) if 'FROM "django_session"' in q]
    with CaptureQueriesContext(connection) as second:
        assert client.get(ME).status_code == 200
    assert len(second) == 1


@pytest.mark.spec("PERF-1", "SEC-2")
def test_signing_out_ends_the_cached_session(staff_user):
    # given one signed-in browser and a copy of its session cookie
    client = _signed_in(staff_user)
    copy = Client()
    copy.cookies = client.cookies.__class__(client.cookies)
    assert copy.get(ME).status_code == 200
    # when it signs out, then the cookie is worth nothing anywhere: the cached session is gone too
    assert client.post(reverse("logout")).status_code == 302
    assert copy.get(ME).status_code in (401, 403)
    assert copy.get(reverse("inbox")).status_code == 302


@pytest.mark.spec("PERF-1", "SEC-2")
def test_a_password_change_signs_out_the_other_sessions(staff_user):
    # given the user signed in on two browsers (both sessions cached)
    staff_user.set_password(PASSWORD)
    staff_user.save()
    here, elsewhere = _signed_in(staff_user), _signed_in(staff_user)
    assert elsewhere.get(ME).status_code == 200
    # when the password is changed on one
    response = here.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Lantern-Harbor-77", "new_password2": "Lantern-Harbor-77"})
    assert response.status_code == 302
    # then that one stays signed in and the other is signed out: the user is read fresh each request
    assert here.get(ME).status_code == 200
    assert elsewhere.get(ME).status_code in (401, 403)


@pytest.mark.spec("PERF-1")
def test_a_role_taken_away_counts_from_the_next_request(staff_user, manager):
    from django.contrib.auth.models import Group

    client = _signed_in(manager)
    assert client.get(ME).json()["roles"] == [Role.MANAGER]
    manager.groups.remove(Group.objects.get(name=Role.MANAGER))
    assert client.get(ME).json()["roles"] == []


@pytest.mark.spec("PERF-1", "REL-1")
def test_an_unreachable_cache_is_a_miss_and_pages_keep_working(staff_user, settings):
    # given a signed-in user, and then the cache's Redis stops answering (nothing listens on port 1)
    client = _signed_in(staff_user)
    settings.CACHES = {"default": {"BACKEND": "qsm.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                                   "KEY_PREFIX": "qsm", "OPTIONS": {"socket_connect_timeout": 0.2}}}
    from django.core.cache import caches

    dead = caches["default"]
    # then reads are misses and writes are skipped (with a warning), not errors
    assert dead.get("anything", "default") == "default" and dead.get_many(["a"]) == {}
    dead.set("anything", 1)
    assert dead.add("anything", 1) is False
    # and the user is still served: the session comes from the database
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ME).status_code == 200
    assert [q for q in _sql(queries) if 'FROM "django_session"' in q]
    # but a delete (a sign-out removing its cached session) fails rather than leave the session alive
    from redis.exceptions import ConnectionError as RedisConnectionError

    with pytest.raises(RedisConnectionError):
        dead.delete("anything")


@pytest.mark.spec("PERF-1")
@pytest.mark.skipif(settings.CACHES["default"]["BACKEND"] != "qsm.cache.RedisCache",
                    reason="needs the broker's Redis (CELERY_BROKER_URL=redis://...)")
def test_clearing_the_cache_leaves_the_brokers_keys_alone():
    # given a key of the broker's (say a queue) in the same Redis database as the cache
    client = cache._cache.get_client(None, write=True)
    broker_key = f"h7-test-queue-{uuid.uuid4().hex}"
    client.set(broker_key, "message")
    cache.set("mine", "value")
    try:
        # when the cache is cleared, then its keys are gone and the broker's are not (FLUSHDB would)
        cache.clear()
        assert cache.get("mine") is None
        assert client.get(broker_key) == b"message"
    finally:
        client.delete(broker_key)


def _settings_with(monkeypatch, tmp_path, **environment) -> dict:
    """qsm/settings.py evaluated afresh with ``environment`` (None: unset)."""
    monkeypatch.setenv("QSM_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    for name in ("CACHE_URL", "CELERY_BROKER_URL", "SESSION_ENGINE", "CACHE_KEY_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(qsm.settings.__file__)


@pytest.mark.spec("PERF-1")
@pytest.mark.parametrize(("environment", "backend", "location", "sessions"), [
    # a Redis broker and no CACHE_URL: the cache on the broker's Redis, sessions cached and written through
    ({"CELERY_BROKER_URL": "redis://10.0.0.5:6379/3"}, "qsm.cache.RedisCache", "redis://10.0.0.5:6379/3",
     "cached_db"),
    # `make run` on a fresh machine: no Redis; a per-process cache, sessions in the database
    ({}, "django.core.cache.backends.locmem.LocMemCache", None, "db"),
    # CACHE_URL wins; a Redis one gets the safe clear too
    ({"CELERY_BROKER_URL": "redis://10.0.0.5:6379/3", "CACHE_URL": "redis://10.0.0.6:6379/1"},
     "qsm.cache.RedisCache", "redis://10.0.0.6:6379/1", "cached_db"),
    ({"CELERY_BROKER_URL": "redis://10.0.0.5:6379/3", "CACHE_URL": "locmemcache://"},
     "django.core.cache.backends.locmem.LocMemCache", None, "db"),
])
def test_the_cache_and_the_sessions_follow_the_environment(monkeypatch, tmp_path, environment, backend, location,
                                                          sessions):
    values = _settings_with(monkeypatch, tmp_path, **environment)
    default = values["CACHES"]["default"]
    assert default["BACKEND"] == backend
    assert values["SESSION_ENGINE"] == f"django.contrib.sessions.backends.{sessions}"
    if location:
        assert default["LOCATION"] == location and default["KEY_PREFIX"] == "qsm"
        assert default["OPTIONS"]["socket_connect_timeout"] == 1  # a dead Redis costs a second, not a worker



@pytest.mark.spec("PERF-1")
def test_a_token_request_reads_token_user_department_and_roles_in_one_query(staff_user):
    from rest_framework.test import APIClient

    from qsm.org.accounts import api_token_obtain

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_obtain(user=staff_user).key}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ME)
    assert response.status_code == 200 and response.json()["roles"] == [Role.STAFF]
    assert response.json()["department"]["name"] == "客户服务部"
    assert len(queries) == 1, _sql(queries)
    # an inactive user's token is refused as before
    staff_user.is_active = False
    staff_user.save()
    assert client.get(ME).status_code == 401
