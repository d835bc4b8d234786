"""API-1/API-2: the read-only user directory a client uses to find invitee and engineer ids."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qsm.org.models import Role
from tests.api.openapi import response_errors
from tests.factories import UserFactory

USERS = "/api/org/users/"


def usernames(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [u["username"] for u in response.json()["results"]]


@pytest.fixture
def people(staff_user, manager, sales_user, production_user, quality_officer):
    UserFactory(username="retired", department=production_user.department, roles=[Role.STAFF], is_active=False)
    UserFactory(username="root", display_name="系统管理员", department=None, roles=[], is_superuser=True)
    return {"staff": staff_user, "manager": manager, "sales": sales_user, "production": production_user,
            "quality": quality_officer}


@pytest.mark.spec("API-1", "API-2")
def test_the_directory_lists_active_people_with_minimal_fields(api, people):
    client = api(people["staff"])
    r = client.get(USERS)
    assert usernames(r) == sorted(["staff", "manager", "sales", "producer", "quality", "root"])  # not "retired"
    assert response_errors("GET", USERS, 200, r.json()) == []
    row = next(u for u in r.json()["results"] if u["username"] == "producer")
    assert set(row) == {"id", "username", "name", "department", "department_name", "roles"}  # no e-mail, no phone
    assert (row["department"], row["roles"]) == (people["production"].department_id, ["staff"])
    root = next(u for u in r.json()["results"] if u["username"] == "root")
    assert (root["department"], root["department_name"], root["roles"]) == (None, None, ["administrator"])
    one = client.get(f"{USERS}{people['manager'].pk}/")
    assert one.status_code == 200 and one.json()["roles"] == ["manager"] and "email" not in one.json()


@pytest.mark.spec("API-1")
def test_the_directory_filters_by_department_role_and_search(api, people):
    client = api(people["staff"])
    assert usernames(client.get(USERS, {"department": people["production"].department_id})) == ["producer"]
    assert usernames(client.get(USERS, {"role": "manager"})) == ["manager"]
    assert usernames(client.get(USERS, {"role": "administrator"})) == ["root"]  # a superuser is one
    assert usernames(client.get(USERS, {"q": "系统管理"})) == ["root"]
    assert usernames(client.get(USERS, {"q": "PROD"})) == ["producer"]
    for bad in ({"role": "boss"}, {"department": "x"}, {"department": "999999"}, {"q": "a\x00b"}):
        r = client.get(USERS, bad)
        assert r.status_code == 400 and r.json()["code"] == "invalid", bad
        assert response_errors("GET", USERS, 400, r.json()) == []


@pytest.mark.spec("API-1", "ORG-1")
def test_only_qsm_people_may_read_the_directory(api, people):
    nobody = UserFactory(username="machine", department=None, roles=[])
    r = api(nobody).get(USERS)
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert api().get(USERS).status_code in (401, 403)
    assert api(people["staff"]).get(f"{USERS}{UserFactory(username='gone', is_active=False).pk}/").status_code == 404


@pytest.mark.spec("API-1")
def test_the_directory_is_keyset_paginated_with_a_query_count_independent_of_the_page(api, people):
    for n in range(12):
        UserFactory(username=f"u{n:02d}", department=people["production"].department, roles=[Role.STAFF,
                                                                                              Role.MANAGER])
    client = api(people["staff"])
    seen, url = [], f"{USERS}?page_size=5"
    while url:
        body = client.get(url).json()
        assert "count" not in body
        seen += [u["username"] for u in body["results"]]
        url = body["next"]
    assert len(seen) == 18 and seen == sorted(seen)

    def queries(page_size: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(USERS, {"page_size": page_size}).status_code == 200
        return len(ctx.captured_queries)

    assert queries(2) == queries(18)


@pytest.mark.spec("API-1")
def test_a_page_of_the_directory_costs_a_fixed_number_of_queries(api, people, django_assert_num_queries):
    client = api(people["staff"])
    client.get(USERS)  # warm the content-type cache
    # the user with department and roles (the session comes from the cache, PERF-1), the page, the page's roles
    with django_assert_num_queries(3):
        assert client.get(USERS).status_code == 200
