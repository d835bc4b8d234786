"""PERF-1 (issue 8): a record page or detail endpoint reads its record once and costs a fixed number of
queries, however many lines, deliveries, rounds, timeline events and contact entries the record has,
and whoever reads it (the department, the quality department, the installing engineer)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from orders import services
from orders.models import Delivery, Installation
from presales import services as presales_services
from tests.api import test_orders_support as support
from tests.api.test_orders import _detail_order
from tests.builders.inquiries import inquiry_in

pytestmark = [pytest.mark.django_db, pytest.mark.spec("PERF-1")]

world = support.world
fast_passwords = support.fast_passwords


def _main_table(sql: str) -> str | None:
    """The table a query reads: the first FROM outside parentheses (not a subquery's, not a join)."""
    depth = 0
    for i, char in enumerate(sql):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and sql.startswith(' FROM "', i):
            return sql[i + 7:sql.index('"', i + 7)]
    return None


def _reads(queries, table: str) -> int:
    """How many of the queries read ``table`` (a join or a scope's subquery is part of another read)."""
    return sum(_main_table(q["sql"]) == table for q in queries.captured_queries)


def _rule_lookups(queries) -> list[str]:
    """The one-row EXISTS lookups a rule makes when it does not use what the page loaded."""
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT 1 AS "a"')]


def _get(client, url: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response, queries


def _page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _orders(world):
    """A small order (1 line, 1 review round, 1 delivery, 1 progress note, 1 commissioning) and a big one
    (5 of each; the customer rejected the first 4 commissionings), both installing: every part shows."""
    small = _detail_order(world, lines=1, rounds=1, deliveries=1, notes=1, rejections=0)
    big = _detail_order(world, lines=5, rounds=5, deliveries=5, notes=5, rejections=4)
    return small, big


@pytest.mark.parametrize("role", ["staff", "quality", "engineer"])
def test_the_order_page_and_endpoint_read_the_order_once_and_cost_the_same_for_any_size(api, world, role):
    small, big = _orders(world)
    user = world.user(role)
    for client, url in ((_page_client(user), "/orders/{}/"), (api(user), "/api/orders/orders/{}/")):
        client.get(url.format(small.pk))  # warm the content-type cache
        _response, at_small = _get(client, url.format(small.pk))
        response, at_big = _get(client, url.format(big.pk))
        # the order (with its installation) is read once; nothing is re-read for the rules
        assert _reads(at_big, "orders_order") == 1, [q["sql"][:120] for q in at_big.captured_queries]
        assert _reads(at_big, "orders_installation") == 0  # it came with the order
        assert not _rule_lookups(at_big)  # the rules read the engineers loaded with it
        # and the big order costs what the small one does
        assert len(at_big) == len(at_small), (url, role, len(at_small), len(at_big))
        print(f"{url} as {role}: {len(at_big)} queries")
    data = response.json()
    assert (len(data["lines"]), len(data["deliveries"]), len(data["review_rounds"]), len(data["progress_notes"]),
            len(data["installation"]["acceptance_rounds"])) == (5, 5, 5, 5, 4)


@pytest.mark.parametrize("role", ["staff", "quality"])
def test_the_delivery_endpoint_reads_the_delivery_once(api, world, role):
    small, big = _orders(world)
    client = api(world.user(role))
    # a delivery of 1 line and one of 5 lines
    one, five = (Delivery.objects.filter(order=o).order_by("number").first() for o in (small, big))
    assert five.lines.count() == 5
    client.get(f"/api/orders/deliveries/{one.pk}/")
    _response, at_one = _get(client, f"/api/orders/deliveries/{one.pk}/")
    response, at_five = _get(client, f"/api/orders/deliveries/{five.pk}/")
    assert _reads(at_five, "orders_delivery") == 1
    assert len(at_five) == len(at_one) and len(response.json()["lines"]) == 5
    print(f"delivery endpoint as {role}: {len(at_five)} queries")


@pytest.mark.parametrize("role", ["staff", "quality", "engineer"])
def test_the_installation_endpoint_reads_the_installation_once(api, world, role):
    small, big = _orders(world)
    client = api(world.user(role))
    one, five = (Installation.objects.get(order=o) for o in (small, big))
    client.get(f"/api/orders/installations/{one.pk}/")
    _response, at_one = _get(client, f"/api/orders/installations/{one.pk}/")
    response, at_five = _get(client, f"/api/orders/installations/{five.pk}/")
    assert _reads(at_five, "orders_installation") == 1
    assert _reads(at_five, "orders_order") == 0  # the order came with it
    assert len(at_five) == len(at_one)
    assert len(response.json()["acceptance_rounds"]) == 4 and len(response.json()["commissioning_rounds"]) == 5
    print(f"installation endpoint as {role}: {len(at_five)} queries")


def _inquiry(staff_user, customer, production_department, sales_department, sales_user, *, entries: int):
    """An inquiry discussed with production and handed over, with ``entries`` contact-log entries,
    discussion notes and solutions (each also a timeline event)."""
    inquiry = inquiry_in("discussion", actor=staff_user, customer=customer, invited=[production_department],
                         solution=("方案 A", "配置说明"))
    for n in range(entries):
        presales_services.communication_add(inquiry=inquiry, actor=staff_user, channel="phone", direction="out",
                                            summary=f"第 {n} 次沟通")
        presales_services.discussion_note_add(inquiry=inquiry, actor=staff_user, body=f"讨论 {n}")
    if entries > 1:
        for n in range(entries - 1):
            presales_services.solution_add(inquiry=inquiry, actor=staff_user, title=f"方案 {n}", content="说明")
    return presales_services.inquiry_hand_over(inquiry=inquiry, actor=staff_user, department=sales_department)


@pytest.mark.parametrize("role", ["staff", "quality", "receiver"])
def test_the_inquiry_page_and_endpoint_read_the_inquiry_once(api, staff_user, customer, production_department,
                                                             sales_department, sales_user, quality_officer, role):
    small = _inquiry(staff_user, customer, production_department, sales_department, sales_user, entries=1)
    big = _inquiry(staff_user, customer, production_department, sales_department, sales_user, entries=5)
    user = {"staff": staff_user, "quality": quality_officer, "receiver": sales_user}[role]
    for client, url in ((_page_client(user), "/presales/{}/"), (api(user), "/api/presales/inquiries/{}/")):
        client.get(url.format(small.pk))
        _response, at_small = _get(client, url.format(small.pk))
        _response, at_big = _get(client, url.format(big.pk))
        assert _reads(at_big, "presales_inquiry") == 1, [q["sql"][:120] for q in at_big.captured_queries]
        assert _reads(at_big, "discussions_solution") == 1  # prefetched with the discussion, not re-read
        assert not _rule_lookups(at_big)  # the rules read the invitations loaded with it
        assert len(at_big) == len(at_small), (url, role, len(at_small), len(at_big))
        print(f"{url} as {role}: {len(at_big)} queries")


def test_a_write_answers_with_the_fresh_record(api, world):
    """The endpoints still read the record again after a write (the answer shows its new state)."""
    delivery = world.delivery_in("shipped")
    response = api(world.staff).post(f"/api/orders/deliveries/{delivery.pk}/confirm/", {"quality_note": "无误"},
                                     format="json")
    assert response.status_code == 200 and response.json()["status"] == "delivered"
    installation = world.installation_in("scheduled")
    response = api(world.engineer).post(f"/api/orders/installations/{installation.pk}/start/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "on_site"
    services.installation_commission(installation=Installation.objects.get(pk=installation.pk),
                                     actor=world.engineer, **support.COMMISSIONING)
    assert api(world.quality).get(f"/api/orders/installations/{installation.pk}/").json()["status"] == "commissioned"
