"""ORG-1/ORG-2 through the API: customers (search, type-ahead, quick create, history), products, departments."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qsm.org.models import Contact, Customer, Department
from tests.builders.inquiries import new_inquiry
from tests.factories import CustomerFactory, DepartmentFactory, ProductFactory, UserFactory


@pytest.fixture
def customers(customer):
    other = CustomerFactory(name="西北重工集团", phone="029-1234567", email="buy@xbzg.example.com")
    Contact.objects.create(customer=other, name="李经理", phone="13900001111")
    return customer, other


@pytest.mark.spec("API-1", "ORG-2", "SEARCH-1")
def test_customers_are_listed_by_name_and_searched(api, staff_user, customers):
    east, west = customers
    client = api(staff_user)

    def names(query=""):
        r = client.get(f"/api/org/customers/{query}")
        assert r.status_code == 200
        return [c["name"] for c in r.data["results"]]

    assert names() == sorted([east.name, west.name])
    assert names("?q=华东") == [east.name]
    assert names("?q=029-12") == [west.name]
    assert names("?q=xbzg") == [west.name]
    assert names("?q=没有这个") == []


@pytest.mark.spec("API-1", "ORG-2", "PRE-1")
def test_lookup_suggests_customers_by_name_or_any_phone(api, staff_user, customers):
    east, west = customers
    client = api(staff_user)
    r = client.get("/api/org/customers/lookup/?q=13900001111")  # the contact's mobile
    assert r.status_code == 200 and [c["id"] for c in r.data] == [west.pk]
    assert r.data[0]["label"] == f"{west.name} · {west.phone}"
    for n in range(5):  # one customer per name (issue 7): five branches, five names
        CustomerFactory(name=f"华东分公司 {n}")
    assert len(client.get("/api/org/customers/lookup/?q=华东&limit=3").data) == 3
    assert client.get("/api/org/customers/lookup/?q=").data == []


@pytest.mark.spec("API-1", "ORG-2")
def test_a_customer_is_created_and_read_back_with_its_contact(api, staff_user):
    r = api(staff_user).post("/api/org/customers/", {"name": "苏州精工", "phone": "0512-6666", "kind": "company",
                                                     "contact_name": "张工", "email": "zg@example.com"}, format="json")
    assert r.status_code == 201, r.data
    assert r.data["contacts"][0]["name"] == "张工" and r.data["kind"] == "company"
    r = api(staff_user).get(f"/api/org/customers/{r.data['id']}/")
    assert r.status_code == 200 and r.data["name"] == "苏州精工"
    assert api(staff_user).get("/api/org/customers/999999/").status_code == 404


@pytest.mark.spec("API-1", "ORG-2")
@pytest.mark.parametrize(("payload", "field"), [
    ({"phone": "123"}, "name"),
    ({"name": "  "}, "name"),
    ({"name": "新客户", "kind": "alien"}, "kind"),
    ({"name": "新客户", "email": "not-an-email"}, "email"),
    ({"name": "新客户", "credit_code": "91320500-ABC"}, "credit_code"),  # not 18 letters and digits
])
def test_bad_customer_input_is_400_with_the_field_named(api, staff_user, customer, payload, field):
    before = Customer.objects.count()
    r = api(staff_user).post("/api/org/customers/", payload, format="json")
    assert r.status_code == 400 and field in r.data, r.data
    assert Customer.objects.count() == before


@pytest.mark.spec("API-1", "ORG-2")
def test_creating_a_customer_on_file_returns_it(api, staff_user, customer):
    # issue 7: the normalised name (full-width, spacing, case) and the credit code identify a customer
    client = api(staff_user)
    r = client.post("/api/org/customers/", {"name": "  " + customer.name.replace("有限", "有限 ") + " "}, format="json")
    same = client.post("/api/org/customers/", {"name": customer.name}, format="json")
    assert r.status_code == 201 and same.status_code == 200 and same.data["id"] == customer.pk
    coded = client.post("/api/org/customers/", {"name": "ＡＢＣ　Machinery", "credit_code": "91320500mA1abcde2x"},
                        format="json")
    assert coded.status_code == 201 and coded.data["credit_code"] == "91320500MA1ABCDE2X"
    by_name = client.post("/api/org/customers/", {"name": "abc machinery"}, format="json")
    by_code = client.post("/api/org/customers/", {"name": "另一个名字", "credit_code": "91320500MA1ABCDE2X"},
                          format="json")
    assert by_name.status_code == by_code.status_code == 200
    assert by_name.data["id"] == by_code.data["id"] == coded.data["id"]
    conflict = client.post("/api/org/customers/", {"name": "ABC machinery", "credit_code": "91320500MA1ABCDE3Y"},
                           format="json")
    assert conflict.status_code == 400 and "credit_code" in conflict.data
    assert Customer.objects.count() == 3


@pytest.mark.spec("API-1", "ORG-1", "ORG-2")
def test_creating_a_customer_without_a_role_is_403(api, business_department):
    nobody = UserFactory(username="no_role", department=business_department, roles=[])
    r = api(nobody).post("/api/org/customers/", {"name": "无权客户"}, format="json")
    assert r.status_code == 403
    assert not Customer.objects.filter(name="无权客户").exists()


@pytest.mark.spec("API-1", "ORG-1", "ORG-2")
def test_customer_history_is_scoped_to_the_user(api, staff_user, other_department_staff, quality_officer, customer):
    mine = new_inquiry(actor=staff_user, customer=customer)
    theirs = new_inquiry(actor=other_department_staff, customer=customer)

    def numbers(user):
        r = api(user).get(f"/api/org/customers/{customer.pk}/history/")
        assert r.status_code == 200
        section = next(s for s in r.data if any(row["url"].startswith("/presales/") for row in s["rows"]))
        assert len(section["columns"]) == len(section["rows"][0]["cells"])
        return {row["cells"][0] for row in section["rows"]}

    assert numbers(staff_user) == {mine.number}
    assert numbers(other_department_staff) == {theirs.number}
    assert numbers(quality_officer) == {mine.number, theirs.number}


@pytest.mark.spec("API-1", "ORG-2", "SEARCH-1")
def test_products_are_read_only_and_searchable(api, staff_user):
    ProductFactory(code="CNC-100", name="数控机床", kind="product")
    ProductFactory(code="SVC-1", name="安装调试服务", kind="service")
    ProductFactory(code="OLD-1", name="停产机床", is_active=False)
    client = api(staff_user)

    def codes(query=""):
        r = client.get(f"/api/org/products/{query}")
        assert r.status_code == 200
        return [p["code"] for p in r.data["results"]]

    assert codes() == ["CNC-100", "SVC-1"]
    assert codes("?include_inactive=true") == ["CNC-100", "OLD-1", "SVC-1"]
    assert codes("?kind=service") == ["SVC-1"]
    assert codes("?q=机床") == ["CNC-100"]
    assert client.post("/api/org/products/", {"code": "X", "name": "X"}, format="json").status_code == 405


@pytest.mark.spec("API-1", "ORG-1")
def test_departments_are_listed_with_their_kind(api, staff_user, business_department, production_department):
    DepartmentFactory(name="旧部门", code="old", is_active=False)
    client = api(staff_user)
    r = client.get("/api/org/departments/")
    assert r.status_code == 200
    assert {d["code"] for d in r.data} == {"service", "production"}
    assert [d["code"] for d in client.get("/api/org/departments/?kind=other").data] == ["production"]
    assert client.get("/api/org/departments/?kind=unknown").status_code == 400
    assert Department.objects.count() == 3


@pytest.mark.spec("API-1", "SEARCH-1")
@pytest.mark.parametrize("page_size", [10, 100])
def test_reference_lists_cost_the_same_queries_at_any_page_size(api, staff_user, django_assert_num_queries,
                                                                page_size):
    CustomerFactory.create_batch(110)
    ProductFactory.create_batch(110)
    client = api(staff_user)
    # the user (the session comes from the cache, PERF-1), the page (no count, no per-row queries)
    for url in ("/api/org/customers/", "/api/org/products/"):
        with django_assert_num_queries(2), CaptureQueriesContext(connection) as ctx:
            r = client.get(f"{url}?page_size={page_size}")
        assert len(r.data["results"]) == page_size
        assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
