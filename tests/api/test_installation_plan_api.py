"""ORD-3 through the API (issue 7): the installation date and engineers are validated (400 with field
errors), a scheduled installation is rescheduled and its engineers changed with a reason (403 for who
may not plan it, 404 outside the department, 409 once it is too late), and every commissioning round
is kept."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.api import test_orders_support as support
from tests.api.test_orders_support import installation_url, order_url, snapshot
from tests.factories import UserFactory

fast_passwords = support.fast_passwords
world = support.world


def today() -> dt.date:
    return timezone.localdate()


def refused(response, code: int, field: str | None = None) -> dict:
    assert response.status_code == code, (response.status_code, getattr(response, "data", None))
    if field is not None:
        assert list(response.data) == [field] or field in response.data, response.data
    return response.data


@pytest.mark.spec("API-1", "ORD-3", "SEC-1")
@pytest.mark.parametrize("day", ["2020-01-01", "yesterday", "far"])
def test_scheduling_on_an_impossible_date_is_400(api, world, day):
    day = {"yesterday": today() - dt.timedelta(days=1), "far": today() + dt.timedelta(days=400)}.get(day, day)
    order = world.order_in("delivered")
    before = snapshot(order)

    r = api(world.staff).post(order_url(order, "schedule-installation"),
                              {"scheduled_for": str(day), "engineers": [world.engineer.pk]}, format="json")

    refused(r, 400, "scheduled_for")
    assert snapshot(order) == before


@pytest.mark.spec("API-1", "ORD-3", "ORG-1")
def test_naming_someone_who_does_not_install_is_400(api, world, administrator):
    order = world.order_in("delivered")
    before = snapshot(order)
    for person in (world.staff, administrator, world.quality):
        r = api(world.staff).post(order_url(order, "schedule-installation"),
                                  {"scheduled_for": today().isoformat(), "engineers": [person.pk]}, format="json")
        refused(r, 400, "engineers")
    assert snapshot(order) == before


@pytest.mark.spec("API-1", "ORD-3", "WF-2")
def test_reschedule_through_the_api(api, world):
    installation = world.installation_in("scheduled")
    new = today() + dt.timedelta(days=6)
    client = api(world.staff)

    data = client.post(installation_url(installation, "reschedule"),
                       {"scheduled_for": new.isoformat(), "reason": "客户要求推迟"}, format="json")

    assert data.status_code == 200, data.data
    assert data.data["scheduled_for"] == new.isoformat()
    entries = client.get(order_url(installation.order, "timeline")).data
    moved = [e for e in entries if e["action"] == "reschedule"]
    assert len(moved) == 1 and moved[0]["comment"] == "客户要求推迟" and moved[0]["summary"]
    assert client.get(order_url(installation.order)).data["installation"]["scheduled_for"] == new.isoformat()


@pytest.mark.spec("API-1", "ORD-3")
@pytest.mark.parametrize("body, field", [
    ({"scheduled_for": "+6", "reason": ""}, "reason"),
    ({"scheduled_for": "2020-01-01", "reason": "客户要求"}, "scheduled_for"),
    ({"scheduled_for": None, "reason": "客户要求"}, "scheduled_for"),
    ({"reason": "客户要求"}, "scheduled_for"),
])
def test_reschedule_bad_input_is_400(api, world, body, field):
    installation = world.installation_in("scheduled")
    before = snapshot(installation.order)
    if body.get("scheduled_for") == "+6":
        body = {**body, "scheduled_for": (today() + dt.timedelta(days=6)).isoformat()}

    refused(api(world.staff).post(installation_url(installation, "reschedule"), body, format="json"), 400, field)

    assert snapshot(installation.order) == before


@pytest.mark.spec("API-1", "ORD-3", "ORG-1", "WF-1")
def test_reschedule_refusals_are_403_404_409(api, world):
    installation = world.installation_in("scheduled")
    body = {"scheduled_for": (today() + dt.timedelta(days=6)).isoformat(), "reason": "客户要求"}
    before = snapshot(installation.order)

    refused(api(world.engineer).post(installation_url(installation, "reschedule"), body, format="json"), 403)
    refused(api(world.outsider).post(installation_url(installation, "reschedule"), body, format="json"), 404)
    assert snapshot(installation.order) == before
    on_site = world.installation_in("on_site")
    before = snapshot(on_site.order)
    refused(api(world.staff).post(installation_url(on_site, "reschedule"), body, format="json"), 409)
    assert snapshot(on_site.order) == before


@pytest.mark.spec("API-1", "ORD-3", "NTF-1")
def test_change_engineers_through_the_api(api, world, production_department):
    installation = world.installation_in("scheduled")
    other = UserFactory(username="ma", display_name="马军", department=production_department, roles=["manager"])
    client = api(world.staff)

    r = client.post(installation_url(installation, "change-engineers"),
                    {"engineers": [other.pk], "reason": "原工程师请假"}, format="json")

    assert r.status_code == 200, r.data
    assert [e["id"] for e in r.data["engineers"]] == [other.pk]
    refused(client.post(installation_url(installation, "change-engineers"),
                        {"engineers": [world.staff.pk], "reason": "换人"}, format="json"), 400, "engineers")
    refused(client.post(installation_url(installation, "change-engineers"),
                        {"engineers": [world.engineer.pk], "reason": ""}, format="json"), 400, "reason")
    refused(api(world.outsider).post(installation_url(installation, "change-engineers"),
                                     {"engineers": [world.engineer.pk], "reason": "换人"}, format="json"), 404)


@pytest.mark.spec("API-1", "ORD-3")
def test_every_commissioning_round_is_in_the_detail(api, world):
    installation = world.installation_in("rework")
    client = api(world.engineer)

    r = client.post(installation_url(installation, "commission"),
                    {"site_work": "更换主轴轴承", "checklist": [{"item": "噪音测试", "ok": True}]}, format="json")

    assert r.status_code == 200, r.data
    rounds = r.data["commissioning_rounds"]
    assert [(c["number"], c["site_work"]) for c in rounds] == [(1, support.COMMISSIONING["site_work"]),
                                                              (2, "更换主轴轴承")]
    assert rounds[1]["checklist"] == [{"item": "噪音测试", "ok": True}] and rounds[1]["measurements"] == []
    assert rounds[1]["recorded_by"] == world.engineer.pk
