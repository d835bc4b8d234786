"""Orders through the API: scope (ORG-1), converting an inquiry (PRE-4), lists of orders,
deliveries and installations with their filters and exports (SEARCH-1), and query budgets that do
not grow with the page or the record."""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from orders import services
from orders.models import Delivery, Installation, Order
from qsm.sla import services as sla
from qsm.workflow import engine
from tests.api import test_orders_support as support
from tests.api.conftest import snapshot as inquiry_snapshot
from tests.api.test_orders_support import DELIVERIES, INSTALLATIONS, ORDERS, all_pass, order_url
from tests.builders.exports import xlsx_export
from tests.builders.orders import conversion_json
from tests.factories import CustomerFactory

FROM_INQUIRY = "/api/orders/orders/from-inquiry/"

world = support.world
fast_passwords = support.fast_passwords


def ids(response) -> list[int]:
    assert response.status_code == 200, response.data
    return [row["id"] for row in response.data["results"]]


# --- scope and conversion (PRE-4, ORG-1) ----------------------------------------------------------


@pytest.mark.spec("API-1", "PRE-4", "ORG-1")
def test_orders_are_scoped_to_the_department(api, inquiry_in, sales_user, staff_user, other_department_staff,
                                             quality_officer):
    inquiry = inquiry_in("acknowledged")
    order = api(sales_user).post(FROM_INQUIRY, conversion_json(inquiry), format="json").data

    def listed(user):
        return ids(api(user).get(ORDERS))

    assert listed(sales_user) == [order["id"]]
    assert listed(quality_officer) == [order["id"]]
    # issue 7: who handed the inquiry over reads the order it became; another department does not
    assert listed(staff_user) == [order["id"]]
    assert listed(other_department_staff) == []
    assert api(other_department_staff).get(order_url(order["id"])).status_code == 404
    detail = api(quality_officer).get(order_url(order["id"])).data
    assert detail["source_inquiry_number"] == inquiry.number and detail["status"] == "review"
    assert detail["available_actions"] == []  # the quality department reads, it does not review
    assert ids(api(sales_user).get(f"{ORDERS}?q={inquiry.number}")) == [order["id"]]
    assert ids(api(sales_user).get(f"{ORDERS}?status=review&created_from=2999-01-01")) == []


@pytest.mark.spec("API-1", "PRE-4", "WF-1")
@pytest.mark.parametrize("state", ["answered", "handed_over", "closed"])
def test_converting_an_inquiry_that_is_not_acknowledged_is_409(api, inquiry_in, sales_user, administrator, state):
    inquiry = inquiry_in(state)
    before = inquiry_snapshot(inquiry)
    who = sales_user if state == "handed_over" else administrator  # someone allowed to convert, wrong state
    r = api(who).post(FROM_INQUIRY, conversion_json(inquiry), format="json")
    assert r.status_code == 409, r.data
    assert inquiry_snapshot(inquiry) == before and not Order.objects.exists()


@pytest.mark.spec("API-1", "PRE-4", "WF-1")
def test_an_inquiry_is_converted_only_once(api, inquiry_in, sales_user):
    inquiry = inquiry_in("acknowledged")
    client = api(sales_user)
    assert client.post(FROM_INQUIRY, conversion_json(inquiry), format="json").status_code == 201
    before = inquiry_snapshot(inquiry)
    assert client.post(FROM_INQUIRY, conversion_json(inquiry), format="json").status_code == 409
    assert inquiry_snapshot(inquiry) == before and Order.objects.count() == 1


@pytest.mark.spec("API-1", "PRE-4", "ORG-1")
def test_the_owning_department_cannot_convert_its_hand_over(api, inquiry_in, staff_user):
    inquiry = inquiry_in("acknowledged")
    before = inquiry_snapshot(inquiry)
    r = api(staff_user).post(FROM_INQUIRY, conversion_json(inquiry), format="json")
    assert r.status_code == 403
    assert inquiry_snapshot(inquiry) == before and not Order.objects.exists()


@pytest.mark.spec("API-1", "PRE-4")
def test_converting_needs_an_existing_inquiry(api, sales_user, inquiry_in):
    client = api(sales_user)
    r = client.post(FROM_INQUIRY, {}, format="json")
    assert r.status_code == 400 and "inquiry" in r.data
    assert client.post(FROM_INQUIRY, {"inquiry": "abc"}, format="json").status_code == 400
    # issue 7: the order body is required, so a missing inquiry is a 404 only with a complete body
    body = conversion_json(inquiry_in("acknowledged"), inquiry=999999)
    assert client.post(FROM_INQUIRY, body, format="json").status_code == 404


# --- entering an order directly (ORD-1) -----------------------------------------------------------


@pytest.mark.spec("API-1", "ORD-1", "SLA-1")
def test_an_order_entered_directly_goes_to_review_with_its_clock(api, world):
    # when
    r = api(world.staff).post(ORDERS, {
        "customer": world.customer.pk, "promised_date": "2031-06-30", "installation_required": True,
        "site_address": "苏州工业园区星湖街 1 号", "site_contact": "陈工 13800001111", "customer_reference": "PO-88",
        "needs": "两台，含安装", "lines": [{"product": world.product.pk, "quantity": "2", "unit_price": "95000"},
                                        {"product": world.product.pk, "quantity": "1", "unit_price": "130000"}],
    }, format="json")
    # then
    assert r.status_code == 201, r.data
    order = r.data
    assert (order["status"], order["owner"], order["customer_reference"]) == ("review", world.staff.pk, "PO-88")
    assert order["due_at"] and order["is_overdue"] is False and order["is_late"] is False
    assert [(line["quantity"], line["unit_price"], line["price_in_range"]) for line in order["lines"]] == [
        ("2.00", "95000.00", True), ("1.00", "130000.00", False)]
    assert (order["lines"][0]["price_min"], order["lines"][0]["price_max"]) == ("90000.00", "110000.00")
    assert [c["item"] for c in order["review_checklist"]] == ["customer", "items", "prices", "delivery_date",
                                                                 "installation"]
    assert [(r["number"], r["outcome"], r["findings"]) for r in order["review_rounds"]] == [(1, "open", [])]
    # four-eyes (ORG-1): the owner who entered it is offered no review decision; the manager is
    assert order["available_actions"] == []
    as_manager = api(world.manager).get(order_url(order["id"])).data
    assert {a["action"] for a in as_manager["available_actions"]} == {"approve", "return", "cancel"}
    assert all(a["url"].startswith(order_url(order["id"])) for a in as_manager["available_actions"])
    assert order["installation"] is None and order["deliveries"] == [] and order["visit_due"] is False
    timeline = api(world.staff).get(order_url(order["id"], "timeline")).data
    assert [e["kind"] for e in timeline] == ["created"]


@pytest.mark.spec("API-1", "ORD-1", "WF-2")
def test_amending_an_order_records_each_change(api, world):
    order = world.order_in("returned")
    r = api(world.staff).patch(order_url(order), {
        "promised_date": "2031-09-30", "customer_reference": "PO-99", "comment": "客户来函修改",
        "lines": [{"product": world.product.pk, "quantity": "4", "unit_price": "99000"}]}, format="json")
    assert r.status_code == 200, r.data
    assert (r.data["promised_date"], r.data["customer_reference"]) == ("2031-09-30", "PO-99")
    assert [(line["quantity"], line["unit_price"]) for line in r.data["lines"]] == [("4.00", "99000.00")]
    edits = [e for e in api(world.staff).get(order_url(order, "timeline")).data if e["kind"] == "edit"]
    assert {c["field"] for e in edits for c in e["changes"]} == {"promised_date", "customer_reference", "lines"}
    assert "客户来函修改" in [e["comment"] for e in edits]
    # the lines' change is on the timeline too, as a change of the lines rendered for the reader
    [lines] = [c for e in edits for c in e["changes"] if c["field"] == "lines"]
    assert "99000" in lines["new"] and "4" in lines["new"] and str(world.product) in lines["new"]
    assert "None" not in lines["old"] + lines["new"]


# --- lists and filters (SEARCH-1) -----------------------------------------------------------------


@pytest.fixture
def spread(world, time_machine):
    """Orders in several states; "now" is 2026-03-25 10:00 in Shanghai."""
    time_machine.move_to(dt.datetime(2026, 3, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    other_customer = CustomerFactory(name="西北重工集团")
    review = world.order_in("review")
    late = world.order_in("in_production")
    Order.objects.filter(pk=late.pk).update(promised_date=timezone.localdate() - dt.timedelta(days=2))
    at_risk = world.order_in("approved")
    Order.objects.filter(pk=at_risk.pk).update(promised_date=timezone.localdate() + dt.timedelta(days=1),
                                               customer=other_customer, customer_reference="PO-RISK")
    for order in (late, at_risk):  # the delivery clocks follow the dates written behind the services' back
        engine.clock_dates_refresh(order)
    sla.deadlines_sweep()  # ORD-2: the SLA sweep flags both (late: past due; at risk: within the lead time)
    accepted = world.order_in("accepted")
    no_install = world.order(installation=False)
    services.review_record_findings(order=no_install, actor=world.staff, findings=all_pass(no_install))
    return {"review": review, "late": late, "at_risk": at_risk, "accepted": accepted, "no_install": no_install,
            "other_customer": other_customer}


@pytest.mark.spec("API-1", "SEARCH-1", "ORD-2", "ORD-4")
def test_order_filters_return_the_right_rows(api, world, spread):
    client = api(world.staff)
    o = {k: v.pk for k, v in spread.items() if isinstance(v, Order)}

    def get(query: str = "") -> list[int]:
        return ids(client.get(f"{ORDERS}?{query}"))

    assert get() == [o["no_install"], o["accepted"], o["at_risk"], o["late"], o["review"]]  # newest first
    assert get("status=review") == [o["no_install"], o["review"]]
    assert get("status=approved&status=in_production") == [o["at_risk"], o["late"]]
    assert get("late=true") == [o["late"]]
    assert get("at_risk=true") == [o["at_risk"], o["late"]]
    assert get("visit_due=true") == [o["accepted"]]
    assert get("installation_required=false") == [o["no_install"]]
    assert get(f"customer={spread['other_customer'].pk}") == [o["at_risk"]]
    assert get("q=西北重工") == get("q=PO-RISK") == [o["at_risk"]]
    assert get(f"q={spread['late'].number}") == [o["late"]]
    assert get("overdue=true") == []
    # the flags are on each row too
    rows = {row["id"]: row for row in client.get(ORDERS).data["results"]}
    assert (rows[o["late"]]["is_late"], rows[o["late"]]["at_risk"]) == (True, True)
    assert (rows[o["at_risk"]]["is_late"], rows[o["at_risk"]]["at_risk"]) == (False, True)
    assert rows[o["accepted"]]["visit_due"] is True and rows[o["review"]]["visit_due"] is False
    # a bad filter is named
    for query, field in (("status=draft", "status"), ("promised_from=soon", "promised_from"),
                         ("customer=abc", "customer")):
        r = client.get(f"{ORDERS}?{query}")
        assert r.status_code == 400 and field in r.data


@pytest.mark.spec("API-1", "SEARCH-1", "ORD-2", "ORD-3", "ORG-1")
def test_delivery_and_installation_lists_are_scoped_and_filtered(api, world, spread):
    staff = api(world.staff)
    deliveries = ids(staff.get(DELIVERIES))
    accepted = spread["accepted"]
    assert len(deliveries) == 1 and staff.get(DELIVERIES).data["results"][0]["order_number"] == accepted.number
    assert ids(staff.get(f"{DELIVERIES}?status=delivered&q={accepted.number}")) == deliveries
    assert ids(staff.get(f"{DELIVERIES}?status=shipped")) == []
    installation = accepted.installation
    assert ids(staff.get(INSTALLATIONS)) == [installation.pk]
    assert ids(staff.get(f"{INSTALLATIONS}?engineer={world.engineer.pk}&status=accepted")) == [installation.pk]
    assert ids(staff.get(f"{INSTALLATIONS}?status=scheduled")) == []
    row = staff.get(INSTALLATIONS).data["results"][0]
    assert row["engineers"] == [{"id": world.engineer.pk, "name": str(world.engineer)}]
    # the named engineer sees the installation and its order, not the deliveries
    engineer = api(world.engineer)
    assert ids(engineer.get(INSTALLATIONS)) == [installation.pk]
    assert ids(engineer.get(ORDERS)) == [accepted.pk]
    assert ids(engineer.get(DELIVERIES)) == []
    assert engineer.get(f"{DELIVERIES}{deliveries[0]}/").status_code == 404
    # another department sees none of it; the quality department sees all of it
    for path in (ORDERS, DELIVERIES, INSTALLATIONS):
        assert ids(api(world.outsider).get(path)) == []
        assert ids(api(world.quality).get(path)) == ids(staff.get(path))
    assert api(world.outsider).get(f"{INSTALLATIONS}{installation.pk}/").status_code == 404


@pytest.mark.spec("API-1", "SEARCH-1")
def test_order_export_csv_and_xlsx_have_the_filtered_rows(api, world, spread):
    client = api(world.staff)
    r = client.get(f"{ORDERS}export/?format=csv&late=true")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert 'filename="orders.csv"' in r["Content-Disposition"]
    table = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8").lstrip("\ufeff"))))
    assert len(table) == 2 and table[1][0] == spread["late"].number
    r = xlsx_export(client, f"{ORDERS}export/", {"status": "review"})  # an export job, then its file
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).active
    numbers = [line[0] for line in sheet.iter_rows(values_only=True)][1:]
    assert numbers == [spread["no_install"].number, spread["review"].number]
    r = client.get(f"{ORDERS}export/?format=pdf")
    assert r.status_code == 400 and "format" in r.json()


def _exported_numbers(client, fmt: str) -> set[str]:
    """The order numbers in the first column of the unfiltered export, header left out."""
    r = client.get(f"{ORDERS}export/?format={fmt}") if fmt == "csv" else xlsx_export(client, f"{ORDERS}export/")
    assert r.status_code == 200
    if fmt == "csv":
        table = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8").lstrip("\ufeff"))))
    else:
        table = list(load_workbook(io.BytesIO(r.content), read_only=True).active.iter_rows(values_only=True))
    assert table and table[0][0]  # a header row of labels, even when no row is visible
    return {line[0] for line in table[1:]}


@pytest.mark.spec("API-1", "SEARCH-1", "ORG-1")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_order_export_is_scoped_like_the_list(api, world, spread, fmt):
    mine = {o.number for o in spread.values() if isinstance(o, Order)}

    insider = _exported_numbers(api(world.staff), fmt)
    outsider = _exported_numbers(api(world.outsider), fmt)

    assert insider == mine
    assert outsider == set()


# --- query budgets ---------------------------------------------------------------------------------

MANY = 120
# Measured: the user with department and groups (the session comes from the cache, PERF-1), the page
# (one query with its joins). No COUNT: keyset pagination.
ORDER_LIST_QUERIES = {"staff": 2, "quality": 2}


@pytest.mark.spec("API-1", "SEARCH-1")
@pytest.mark.parametrize("page_size", [10, 100])
def test_the_order_list_costs_the_same_queries_at_any_page_size(api, world, django_assert_num_queries, page_size):
    # plain rows suffice to measure the list (the services are tested above)
    base = timezone.now()
    Order.objects.bulk_create([
        Order(number=f"ORD-T-{n:04d}", customer=world.customer, department=world.staff.department,
              owner=world.staff, promised_date=base.date() + dt.timedelta(days=n % 7 - 3),
              risk_flagged_at=base if n % 5 == 0 else None, due_at=base + dt.timedelta(hours=n % 3 - 1))
        for n in range(MANY)
    ])
    Order.objects.update(created_at=base)  # one instant for all: the cursor has ties to get past
    for role in ("staff", "quality"):
        client = api(world.user(role))
        with django_assert_num_queries(ORDER_LIST_QUERIES[role]), CaptureQueriesContext(connection) as ctx:
            r = client.get(f"{ORDERS}?page_size={page_size}")
        assert len(r.data["results"]) == page_size
        with django_assert_num_queries(ORDER_LIST_QUERIES[role]):  # a later page costs the same
            r = client.get(r.data["next"])
        assert len(r.data["results"]) == min(page_size, MANY - page_size)
        assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    # and filtered: the customer filter validates its id with one lookup
    client = api(world.staff)
    # The search reads the grams statistics once per process (qsm.search, cached): read them first,
    # so the count is a request's, whichever test ran before in this process.
    client.get(f"{ORDERS}?page_size=1&q=ORD")
    with django_assert_num_queries(ORDER_LIST_QUERIES["staff"] + 1), CaptureQueriesContext(connection) as ctx:
        r = client.get(f"{ORDERS}?page_size={page_size}&late=false&at_risk=false&visit_due=false"
                                 f"&customer={world.customer.pk}&q=ORD")
    assert r.status_code == 200 and not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.spec("API-1", "SEARCH-1")
def test_the_cursor_walks_every_order_once(api, world):
    base = timezone.now()
    Order.objects.bulk_create([Order(number=f"ORD-C-{n:04d}", customer=world.customer,
                                     department=world.staff.department, owner=world.staff) for n in range(30)])
    Order.objects.update(created_at=base)
    seen, url = [], f"{ORDERS}?page_size=7"
    while url:
        r = api(world.staff).get(url)
        seen += ids(r)
        url = r.data["next"]
    assert seen == list(Order.objects.order_by("-created_at", "-id").values_list("id", flat=True))


# Measured (PERF-1): the user with department and groups (the session comes from the cache); the
# order with its customer / department / owner / inquiry / installation; lines with their products;
# review rounds (+reviewers), findings; deliveries (+recorders), their lines with order lines and
# products; progress notes (+people); production steps; the installation's engineers, commissioning
# rounds (+recorders), acceptance rounds (+recorders). The rules read the loaded engineers: the
# quality officer costs the same.
ORDER_DETAIL_QUERIES = {"staff": 12, "quality": 12}
# the user with department and groups (session cached, PERF-1), the order (scope), its deliveries and
# installation (ids), and all their events with their actors in one query (qsm.workflow.selectors.timeline)
ORDER_TIMELINE_QUERIES = 5


def _detail_order(world, *, lines: int, rounds: int, deliveries: int, notes: int, rejections: int) -> Order:
    """An order in installation, built through the services with that many of each."""
    staff = world.staff
    order = world.order(lines=lines, quantity=str(deliveries))
    for _n in range(rounds - 1):
        services.review_record_findings(order=order, actor=staff, findings={
            **all_pass(order), "customer": ("fail", "缺联系人")})
        services.order_return(order=order, actor=world.manager, problems="补充联系人")  # four-eyes
        services.order_resubmit(order=order, actor=staff)
    services.review_record_findings(order=order, actor=staff, findings=all_pass(order))
    services.order_approve(order=order, actor=world.manager)
    for _n in range(deliveries):
        delivery = services.delivery_ship(order=order, actor=staff, quantities={line.pk: "1" for line in
                                                                                 order.lines.all()})
        services.delivery_confirm(delivery=delivery, actor=staff, quality_note="无误")
    for n in range(notes):
        services.progress_note_add(order=order, actor=staff, kind="question" if n % 2 else "update",
                                   channel="phone", text=f"第 {n} 次沟通")
    installation = world.installation_in("commissioned", order=Order.objects.get(pk=order.pk))
    for _n in range(rejections):
        services.acceptance_record(installation=installation, actor=world.engineer, result="rejected", remarks="返工")
        services.installation_commission(installation=installation, actor=world.engineer, **support.COMMISSIONING)
    return order


@pytest.mark.spec("API-1", "ORD-1", "ORD-2", "ORD-3")
def test_the_order_detail_costs_the_same_queries_however_big_the_order(api, world, django_assert_num_queries):
    # given a small order and a big one, both in installation
    small = _detail_order(world, lines=2, rounds=1, deliveries=1, notes=1, rejections=0)
    big = _detail_order(world, lines=10, rounds=4, deliveries=4, notes=6, rejections=3)
    clients = {role: api(world.user(role)) for role in ORDER_DETAIL_QUERIES}
    # when each is read, then the cost is the same
    for (role, client), (order, shape) in itertools.product(clients.items(), ((small, (2, 1, 1, 1, 0)),
                                                                              (big, (10, 4, 4, 6, 3)))):
        with django_assert_num_queries(ORDER_DETAIL_QUERIES[role]):
            r = client.get(order_url(order))
        data = r.data
        assert (len(data["lines"]), len(data["review_rounds"]), len(data["deliveries"]), len(data["progress_notes"]),
                len(data["installation"]["acceptance_rounds"])) == shape
        assert all(len(d["lines"]) == shape[0] for d in data["deliveries"])
        assert all(len(rr["findings"]) == 5 for rr in data["review_rounds"])
    # and the timeline of the big one costs what the small one's does
    for order in (small, big):
        with django_assert_num_queries(ORDER_TIMELINE_QUERIES):
            r = clients["staff"].get(order_url(order, "timeline"))
        assert r.status_code == 200 and len(r.data) > 3


# Measured: the user with department and groups (the session comes from the cache, PERF-1), the
# page with its joins; installations add their engineers (one prefetch query for the page).
DELIVERY_LIST_QUERIES = 2
INSTALLATION_LIST_QUERIES = 3


@pytest.mark.spec("API-1", "SEARCH-1", "ORD-2", "ORD-3")
@pytest.mark.parametrize("page_size", [10, 100])
def test_delivery_and_installation_lists_cost_the_same_at_any_page_size(api, world, django_assert_num_queries,
                                                                        page_size):
    # given 120 orders, each with a shipment and an installation (plain rows: only the lists are measured)
    now = timezone.now()
    orders = Order.objects.bulk_create([
        Order(number=f"ORD-L-{n:04d}", customer=world.customer, department=world.staff.department, owner=world.staff,
              status="installing", installation_required=True) for n in range(MANY)])
    Delivery.objects.bulk_create([Delivery(order=o, number=1, shipped_at=now, recorded_by=world.staff, carrier="顺丰")
                                  for o in orders])
    installations = Installation.objects.bulk_create([Installation(order=o, scheduled_for=now.date())
                                                      for o in orders])
    Installation.engineers.through.objects.bulk_create([
        Installation.engineers.through(installation=i, user=u) for i in installations
        for u in (world.engineer, world.manager)])
    client = api(world.staff)
    for path, budget in ((DELIVERIES, DELIVERY_LIST_QUERIES), (INSTALLATIONS, INSTALLATION_LIST_QUERIES)):
        # when a page and the next are read, then each costs the same and nothing is counted
        with django_assert_num_queries(budget), CaptureQueriesContext(connection) as ctx:
            r = client.get(f"{path}?page_size={page_size}")
        assert len(r.data["results"]) == page_size
        with django_assert_num_queries(budget):
            r = client.get(r.data["next"])
        assert len(r.data["results"]) == min(page_size, MANY - page_size)
        assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(r.data["results"][0]["engineers"]) == 2


@pytest.mark.spec("API-1")
def test_the_browsable_api_renders_the_order_endpoints(api, world):
    # given an order in installation (every part of the detail is filled)
    order = world.order_in("installing")
    client = api(world.staff)
    pages = [ORDERS, order_url(order), order_url(order, "ship"), order_url(order, "findings"),
             order_url(order, "progress"), DELIVERIES, f"{DELIVERIES}{order.deliveries.get().pk}/",
             INSTALLATIONS, f"{INSTALLATIONS}{order.installation.pk}/commission/"]
    for path in pages:
        r = client.get(path, HTTP_ACCEPT="text/html")
        # the action pages answer GET with 405 but still render their input form
        assert r.status_code in (200, 405), (path, r.status_code)
        assert r["Content-Type"].startswith("text/html") and b"</html>" in r.content, path
