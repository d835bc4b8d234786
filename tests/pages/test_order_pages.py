"""Order pages: who may open what (ORG-1), the lists with their filters and exports (SEARCH-1),
and the query count of the list at two sizes.

The helpers at the top (orders in each state, built through the services) are shared by the
other order page tests.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import Delivery, Order
from presales.models import Inquiry
from qsm.org.models import Role
from qsm.sla import services as sla
from qsm.sla.models import Deadline
from qsm.workflow import engine
from tests.builders.exports import xlsx_export
from tests.builders.inquiries import inquiry_in
from tests.builders.orders import S, new_order, order_in
from tests.factories import CustomerFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- shared helpers --------------------------------------------------------------------------------


def today():
    return timezone.localdate()


@pytest.fixture
def priced(db):
    """A product with a list price: the allowed unit price is 90 000 – 110 000 (±10 %)."""
    return ProductFactory(code="CNC-200", name="数控机床 CNC-200", list_price=Decimal("100000.00"))


@pytest.fixture
def order(sales_user, customer, priced):
    return new_order(actor=sales_user, customer=customer, lines=[(priced, 3, 100000)])


@pytest.fixture
def approved_order(order, sales_user):
    return order_in(S.APPROVED, order=order, actor=sales_user)


@pytest.fixture
def engineer(production_department):
    return UserFactory(username="engineer", display_name="赵工程师", department=production_department,
                       roles=[Role.STAFF])


@pytest.fixture
def delivered_installation_order(sales_user, customer, priced):
    """Approved, delivered in full, installation still to schedule."""
    order = new_order(actor=sales_user, customer=customer, lines=[(priced, 2, 100000)], installation=True)
    return order_in(S.DELIVERED, order=order, actor=sales_user, carrier="顺丰")


@pytest.fixture
def converted_order(staff_user, sales_user, sales_department, customer, product):
    return inquiry_in(Inquiry.Status.CONVERTED, actor=staff_user, customer=customer, products=[product],
                      hand_over_to=sales_department, receiver=sales_user).order


# --- who may open the pages (ORG-1) ----------------------------------------------------------------


@pytest.mark.spec("PRE-4", "ORG-1")
def test_order_list_and_page_for_the_owning_department(login, sales_user, converted_order, product):
    client = login(sales_user)

    listing = client.get(reverse("orders:order-list"))
    page = client.get(converted_order.get_absolute_url())

    assert listing.status_code == 200 and converted_order.number in listing.content.decode()
    html = page.content.decode()
    assert page.status_code == 200
    assert converted_order.number in html and product.name in html and converted_order.customer.name in html
    assert converted_order.source_inquiry.get_absolute_url() in html  # back to the inquiry it came from


@pytest.mark.spec("ORG-1")
@pytest.mark.parametrize("who", ["sales_user", "sales_manager", "quality_officer", "quality_manager", "administrator"])
def test_record_page_opens_for_the_department_quality_and_admin(login, request, order, who):
    response = login(request.getfixturevalue(who)).get(order.get_absolute_url())

    assert response.status_code == 200
    assert order.number in response.content.decode()


@pytest.mark.spec("ORG-1")
@pytest.mark.parametrize("who", ["other_department_staff", "staff_user", "production_user"])
def test_other_departments_get_404_on_the_page_and_every_form(login, request, approved_order, who):
    client = login(request.getfixturevalue(who))
    line = approved_order.lines.get()

    assert approved_order.number not in client.get(reverse("orders:order-list")).content.decode()
    assert client.get(approved_order.get_absolute_url()).status_code == 404
    assert client.post(reverse("orders:order-fire", args=[approved_order.pk]),
                       {"action": "start_production"}).status_code == 404
    assert client.post(reverse("orders:delivery-ship", args=[approved_order.pk]),
                       {f"qty_{line.pk}": "1"}).status_code == 404
    assert client.post(reverse("orders:progress-add", args=[approved_order.pk]),
                       {"kind": "update", "channel": "phone", "text": "越权"}).status_code == 404
    approved_order.refresh_from_db()
    assert approved_order.status == "approved" and not approved_order.deliveries.exists()
    assert not approved_order.progress_notes.exists()


@pytest.mark.spec("ORG-1")
def test_anonymous_is_sent_to_login(client, order):
    for url in (reverse("orders:order-list"), reverse("orders:delivery-list"), reverse("orders:installation-list"),
                reverse("orders:order-create"), order.get_absolute_url(), reverse("orders:order-export")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    response = client.post(reverse("orders:order-approve", args=[order.pk]))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "review"


@pytest.mark.spec("ORG-1", "WF-1")
def test_quality_officer_may_look_but_not_act(login, quality_officer, order):
    client = login(quality_officer)

    html = client.get(order.get_absolute_url()).content.decode()
    response = client.post(reverse("orders:review-findings", args=[order.pk]),
                           {"result_customer": "pass", "note_customer": ""})

    assert 'id="checklist-form"' not in html and 'data-action="approve"' not in html
    assert response.status_code == 403
    assert "bi-shield-lock" in response.content.decode()  # our 403 page, inside the layout
    assert not order.review_rounds.get().findings.exists()


@pytest.mark.spec("ORD-1", "ORG-1")
@pytest.mark.parametrize("who", ["quality_officer", "production_user", "staff_user"])
def test_new_order_form_only_for_staff_of_a_business_department(login, request, who, sales_user):
    user = request.getfixturevalue(who)
    expected = 200 if who == "staff_user" else 403  # 客户服务部 is a business department too
    assert login(user).get(reverse("orders:order-create")).status_code == expected
    listing = login(user).get(reverse("orders:order-list")).content.decode()
    assert ('id="new-order"' in listing) is (expected == 200)


@pytest.mark.spec("WF-2")
def test_order_page_shows_its_timeline(login, sales_user, converted_order):
    response = login(sales_user).get(converted_order.get_absolute_url())

    assert [e.kind for e in response.context["timeline"]] == ["created"]
    assert converted_order.source_inquiry.number in response.content.decode()


def test_convert_form_of_a_converted_inquiry_is_refused(login, sales_user, converted_order):
    # issue 7: "convert" is a form (GET shows it); for an inquiry converted already it is refused
    url = reverse("orders:order-from-inquiry", args=[converted_order.source_inquiry_id])
    assert login(sales_user).get(url).status_code == 409


# --- the order list (SEARCH-1) ---------------------------------------------------------------------


@pytest.fixture
def orders(sales_user, sales_manager, customer, priced, product):
    """Four orders of the sales department: in review, late, at risk, accepted with a visit due."""
    other_customer = CustomerFactory(name="江南精密制造")
    fresh = new_order(actor=sales_user, customer=customer, lines=[(priced, 1, 100000)], reference="PO-FRESH")
    late = new_order(actor=sales_user, customer=other_customer, lines=[(product, 2, None)], promised_in_days=10,
                     reference="PO-LATE")
    Order.objects.filter(pk=late.pk).update(promised_date=today() - dt.timedelta(days=2))
    engine.clock_dates_refresh(late)  # the delivery clock follows the date written behind the service's back
    risky = new_order(actor=sales_manager, customer=customer, lines=[(priced, 1, 100000)], promised_in_days=2,
                      installation=True)
    sla.deadlines_sweep()  # ORD-2: the SLA sweep flags both (the late one: past due; the risky one: reminded)
    visit = new_order(actor=sales_user, customer=customer, lines=[(product, 1, None)])
    # no installation: delivered makes the visit due (ORD-4)
    order_in(S.DELIVERED, order=visit, actor=sales_user, carrier="顺丰")
    return {"fresh": fresh, "late": late, "risky": risky, "visit": visit}


def _numbers(response) -> list[str]:
    return [o.number for o in response.context["orders"]]


@pytest.mark.spec("SEARCH-1", "ORD-2", "ORD-4")
def test_list_shows_late_orders_in_red_and_the_visit_due_badge(login, sales_user, orders):
    response = login(sales_user).get(reverse("orders:order-list"))

    html = response.content.decode()
    assert set(_numbers(response)) == {o.number for o in orders.values()}
    late_row = html.split(f'data-number="{orders["late"].number}"')[0].rsplit("<tr", 1)[1]
    assert "row-overdue" in late_row  # the whole row is red
    assert html.count("late-badge") == 1 and html.count("risk-badge") == 1 and html.count("visit-due-badge") == 1
    assert 'id="tab-deliveries"' in html and 'id="tab-installations"' in html


@pytest.mark.spec("SEARCH-1", "ORD-2", "ORD-4")
@pytest.mark.parametrize(("params", "expected"), [
    ({"late": "true"}, ["late"]),
    ({"at_risk": "true"}, ["late", "risky"]),  # flagged by the sweep; the late one too
    ({"visit_due": "true"}, ["visit"]),
    ({"installation_required": "true"}, ["risky"]),
    ({"q": "PO-FRESH"}, ["fresh"]),
    ({"q": "江南"}, ["late"]),
    ({"status": ["delivered"]}, ["visit"]),
    ({"status": ["review"], "owner": "manager"}, ["risky"]),
    ({"promised_from": "past", "promised_to": "past"}, ["late"]),
])
def test_list_filters(login, sales_user, sales_manager, orders, params, expected):
    params = dict(params)
    if params.get("owner") == "manager":
        params["owner"] = sales_manager.pk
    if params.get("promised_from") == "past":
        params["promised_from"] = params["promised_to"] = (today() - dt.timedelta(days=2)).isoformat()

    response = login(sales_user).get(reverse("orders:order-list"), params)

    assert response.status_code == 200
    assert sorted(_numbers(response)) == sorted(orders[k].number for k in expected)


@pytest.mark.spec("SEARCH-1")
def test_list_filters_by_customer_department_and_review_overdue(login, quality_officer, orders, customer,
                                                               sales_department):
    client = login(quality_officer)

    by_customer = client.get(reverse("orders:order-list"), {"customer": customer.pk})
    by_department = client.get(reverse("orders:order-list"), {"department": sales_department.pk})
    # the fresh order's review clock ran out (the late one is past its promised date: not a review matter)
    Deadline.objects.filter(object_id=orders["fresh"].pk, content_type__model="order", stage="review").update(
        due_at=timezone.now() - dt.timedelta(hours=1))
    overdue = client.get(reverse("orders:order-list"), {"overdue": "true"})

    assert sorted(_numbers(by_customer)) == sorted(orders[k].number for k in ("fresh", "risky", "visit"))
    assert customer.name in by_customer.content.decode()  # the picked customer is shown in the filter bar
    assert len(_numbers(by_department)) == 4
    assert _numbers(overdue) == [orders["fresh"].number]


def _list_queries(client, url_name, context_key):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(url_name), {"per_page": 100})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context[context_key])


def _bulk_orders(n: int, *, owner, department, late_every=3) -> list[Order]:
    customers = [CustomerFactory() for _ in range(n)]
    now = timezone.now()
    rows = [Order(number=f"ORD-T-{department.pk}-{Order.objects.count()}-{i:05d}", customer=customers[i],
                  department=department, owner=owner, received_at=now,
                  promised_date=today() - dt.timedelta(days=1) if i % late_every == 0 else today(),
                  follow_up_due_at=now if i % 4 == 0 else None, installation_required=i % 2 == 0)
            for i in range(n)]
    return Order.objects.bulk_create(rows)


@pytest.mark.spec("SEARCH-1")
def test_list_query_count_does_not_grow_with_the_rows(login, sales_user, sales_department, django_assert_num_queries):
    # given 10 orders of 10 customers, some late, some with a visit due
    _bulk_orders(10, owner=sales_user, department=sales_department)
    client = login(sales_user)
    client.get(reverse("orders:order-list"))  # warm the session and content-type caches
    queries_at_10, rows = _list_queries(client, "orders:order-list", "orders")
    assert rows == 10

    # when there are 100 of 100 customers, all on one page
    Order.objects.all().delete()
    _bulk_orders(100, owner=sales_user, department=sales_department)

    # then the page costs exactly as many queries
    with django_assert_num_queries(queries_at_10):
        response = client.get(reverse("orders:order-list"), {"per_page": 100})
    assert len(response.context["orders"]) == 100
    print(f"order list: {queries_at_10} queries at 10 rows and at 100 rows")


@pytest.mark.spec("SEARCH-1")
def test_keyset_pages_walk_every_order_once(login, sales_user, sales_department):
    _bulk_orders(30, owner=sales_user, department=sales_department)
    client = login(sales_user)

    first = client.get(reverse("orders:order-list"))
    second = client.get(reverse("orders:order-list"), {"after": first.context["page"].next_cursor})

    seen = _numbers(first) + _numbers(second)
    assert len(_numbers(first)) == 25 and len(_numbers(second)) == 5
    assert len(set(seen)) == 30


# --- exports (SEARCH-1) --------------------------------------------------------------------------


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(response) -> list[tuple]:
    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


@pytest.mark.spec("SEARCH-1")
def test_order_csv_and_xlsx_exports_hold_the_filtered_rows(login, sales_user, orders):
    client = login(sales_user)

    rows = _csv_rows(client.get(reverse("orders:order-export"), {"late": "true", "fmt": "csv"}))
    sheet = _xlsx_rows(xlsx_export(client, reverse("orders:order-export")))

    assert len(rows) == 2 and rows[1][0] == orders["late"].number and "江南精密制造" in rows[1]
    assert rows[0][0] and len(rows[0]) == len(rows[1])  # a header row of labels
    assert len(sheet) == 5
    assert {r[0] for r in sheet[1:]} == {o.number for o in orders.values()}


def _exported_numbers(client, url_name: str, fmt: str) -> set[str]:
    """The order numbers in the first column of the unfiltered export, header left out."""
    if fmt == "csv":
        rows = _csv_rows(client.get(reverse(url_name), {"fmt": fmt}))
    else:
        rows = _xlsx_rows(xlsx_export(client, reverse(url_name)))
    assert rows and rows[0][0]  # a header row of labels, even when no row is visible
    return {row[0] for row in rows[1:]}


@pytest.mark.spec("SEARCH-1", "ORG-1")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_keep_the_users_scope(login, sales_user, other_department_staff, orders, fmt):
    mine = {o.number for o in orders.values()}

    insider = _exported_numbers(login(sales_user), "orders:order-export", fmt)
    outsider = _exported_numbers(login(other_department_staff), "orders:order-export", fmt)

    assert insider == mine
    assert not outsider & mine and outsider == set()


# --- deliveries and installations lists (SEARCH-1) ----------------------------------------------


@pytest.fixture
def shipped(sales_user, customer, priced, product):
    """One order shipped twice (one received, one in transit) and one order installing."""
    first = new_order(actor=sales_user, customer=customer, lines=[(priced, 4, 100000)])
    order_in(S.APPROVED, order=first, actor=sales_user)
    line = first.lines.get()
    received = services.delivery_ship(order=first, actor=sales_user, quantities={line.pk: 1}, carrier="顺丰 SF1001")
    services.delivery_confirm(delivery=received, actor=sales_user, quality_note="良好")
    transit = services.delivery_ship(order=first, actor=sales_user, quantities={line.pk: 2}, carrier="德邦 DB2002")
    return {"order": first, "received": received, "transit": transit}


@pytest.mark.spec("SEARCH-1", "ORD-2")
def test_delivery_list_filters_and_exports(login, sales_user, shipped, other_department_staff):
    client = login(sales_user)

    everything = client.get(reverse("orders:delivery-list"))
    in_transit = client.get(reverse("orders:delivery-list"), {"status": ["shipped"]})
    by_carrier = client.get(reverse("orders:delivery-list"), {"q": "顺丰"})
    rows = _csv_rows(client.get(reverse("orders:delivery-export"), {"fmt": "csv", "status": ["delivered"]}))
    sheet = _xlsx_rows(xlsx_export(client, reverse("orders:delivery-export")))

    assert everything.status_code == 200 and len(everything.context["deliveries"]) == 2
    assert 'id="tab-deliveries"' in everything.content.decode()
    assert [d.pk for d in in_transit.context["deliveries"]] == [shipped["transit"].pk]
    assert [d.pk for d in by_carrier.context["deliveries"]] == [shipped["received"].pk]
    assert len(rows) == 2 and rows[1][0] == shipped["order"].number and "顺丰 SF1001" in rows[1] and "良好" in rows[1]
    assert len(sheet) == 3
    assert login(other_department_staff).get(reverse("orders:delivery-list")).context["deliveries"] == []


@pytest.mark.spec("SEARCH-1", "ORD-3")
def test_installation_list_filters_and_exports(login, sales_user, delivered_installation_order, engineer,
                                               other_department_staff):
    installation = services.installation_schedule(order=delivered_installation_order, actor=sales_user,
                                                  scheduled_for=today() + dt.timedelta(days=3), engineers=[engineer])
    client = login(sales_user)

    listing = client.get(reverse("orders:installation-list"))
    by_engineer = client.get(reverse("orders:installation-list"), {"engineer": engineer.pk})
    none_on_site = client.get(reverse("orders:installation-list"), {"status": ["on_site"]})
    rows = _csv_rows(client.get(reverse("orders:installation-export"), {"fmt": "csv"}))
    sheet = _xlsx_rows(xlsx_export(client, reverse("orders:installation-export")))

    assert [i.pk for i in listing.context["installations"]] == [installation.pk]
    assert "赵工程师" in listing.content.decode()
    assert [i.pk for i in by_engineer.context["installations"]] == [installation.pk]
    assert none_on_site.context["installations"] == []
    assert len(rows) == 2 and rows[1][0] == delivered_installation_order.number
    assert len(sheet) == 2 and sheet[1][0] == delivered_installation_order.number
    # the engineer of another department sees the installation (and its order) they are named on
    assert [i.pk for i in login(engineer).get(reverse("orders:installation-list")).context["installations"]] == [
        installation.pk]
    assert login(engineer).get(delivered_installation_order.get_absolute_url()).status_code == 200
    assert login(other_department_staff).get(reverse("orders:installation-list")).context["installations"] == []


@pytest.mark.spec("SEARCH-1")
def test_delivery_list_query_count_does_not_grow(login, sales_user, sales_department, priced,
                                                 django_assert_num_queries):
    def ship(n):
        for _ in range(n):
            o = new_order(actor=sales_user, customer=CustomerFactory(), lines=[(priced, 1, 100000)])
            order_in(S.APPROVED, order=o, actor=sales_user)
            services.delivery_ship(order=o, actor=sales_user, quantities={o.lines.get().pk: 1})

    ship(2)
    client = login(sales_user)
    client.get(reverse("orders:delivery-list"))
    queries_at_2, rows = _list_queries(client, "orders:delivery-list", "deliveries")
    assert rows == 2
    ship(10)
    with django_assert_num_queries(queries_at_2):
        response = client.get(reverse("orders:delivery-list"), {"per_page": 100})
    assert len(response.context["deliveries"]) == 12 == Delivery.objects.count()


@pytest.mark.spec("SEARCH-1", "ORG-1")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_delivery_and_installation_exports_keep_the_users_scope(login, sales_user, shipped,
                                                                 delivered_installation_order, engineer,
                                                                 other_department_staff, fmt):
    services.installation_schedule(order=delivered_installation_order, actor=sales_user,
                                   scheduled_for=today() + dt.timedelta(days=3), engineers=[engineer])
    insider, outsider = login(sales_user), login(other_department_staff)

    # one row per delivery: the first order shipped twice, the installation order once
    delivery_rows = _csv_rows(insider.get(reverse("orders:delivery-export"), {"fmt": "csv"}))
    assert sorted(r[0] for r in delivery_rows[1:]) == sorted(
        [shipped["order"].number] * 2 + [delivered_installation_order.number])
    assert _exported_numbers(insider, "orders:delivery-export", fmt) == {
        shipped["order"].number, delivered_installation_order.number}
    assert _exported_numbers(insider, "orders:installation-export", fmt) == {delivered_installation_order.number}
    assert _exported_numbers(outsider, "orders:delivery-export", fmt) == set()
    assert _exported_numbers(outsider, "orders:installation-export", fmt) == set()
