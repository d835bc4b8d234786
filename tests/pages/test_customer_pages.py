"""ORG-2 customer pages: list and search, the customer's whole history, type-ahead lookup, quick create."""
from __future__ import annotations

import pytest
from django.urls import reverse

from qsm.org.models import Contact, Customer
from tests.builders.inquiries import new_inquiry
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.spec("ORG-2", "SEARCH-1")
def test_customer_list_searches_by_name_and_phone(login, staff_user):
    CustomerFactory(name="华东机械有限公司", phone="021-55550000")
    CustomerFactory(name="北方重工", phone="010-66660000")
    client = login(staff_user)

    by_name = client.get(reverse("org:customer-list"), {"q": "华东"}).content.decode()
    by_phone = client.get(reverse("org:customer-list"), {"q": "6666"}).content.decode()

    assert "华东机械有限公司" in by_name and "北方重工" not in by_name
    assert "北方重工" in by_phone and "华东机械有限公司" not in by_phone


@pytest.mark.spec("ORG-2", "SEARCH-1")
def test_customer_list_pages_by_keyset(login, staff_user):
    for n in range(30):
        CustomerFactory(name=f"客户{n:02d}")
    client = login(staff_user)

    first = client.get(reverse("org:customer-list"))
    assert first.status_code == 200
    names_first = [c.name for c in first.context["customers"]]
    assert len(names_first) == 25 and first.context["page"].next_cursor

    second = client.get(reverse("org:customer-list"), {"after": first.context["page"].next_cursor})
    names_second = [c.name for c in second.context["customers"]]

    assert len(names_second) == 5
    assert not set(names_first) & set(names_second)
    assert names_first + names_second == sorted(names_first + names_second)
    back = client.get(reverse("org:customer-list"), {"before": second.context["page"].prev_cursor})
    assert [c.name for c in back.context["customers"]] == names_first


@pytest.mark.spec("ORG-2", "ORG-1")
def test_customer_page_shows_data_contacts_and_only_the_history_i_may_see(login, staff_user, other_department_staff):
    # given a customer with a contact, one inquiry of my department and one of another department
    customer = CustomerFactory(name="华东机械有限公司", phone="021-55550000")
    Contact.objects.create(customer=customer, name="王经理", phone="13900001111", is_primary=True)
    mine = new_inquiry(actor=staff_user, customer=customer, subject="我们部门的咨询")
    theirs = new_inquiry(actor=other_department_staff, customer=customer, subject="工程部的咨询")

    # when
    response = login(staff_user).get(reverse("org:customer-detail", args=[customer.pk]))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "021-55550000" in html and "王经理" in html and "13900001111" in html
    assert mine.number in html and reverse("presales:inquiry-detail", args=[mine.pk]) in html
    assert theirs.number not in html


@pytest.mark.spec("ORG-2")
def test_unknown_customer_is_404(login, staff_user):
    assert login(staff_user).get(reverse("org:customer-detail", args=[999999])).status_code == 404


@pytest.mark.spec("ORG-2", "PRE-1")
def test_lookup_returns_up_to_ten_matches_as_pickable_options(login, staff_user):
    for n in range(12):
        CustomerFactory(name=f"华东分公司{n:02d}")
    customer = CustomerFactory(name="南方贸易", phone="0755-12345678")
    Contact.objects.create(customer=customer, name="李工", phone="13800002222", is_primary=True)
    client = login(staff_user)

    by_name = client.get(reverse("org:customer-lookup"), {"q": "华东"}).content.decode()
    by_phone = client.get(reverse("org:customer-lookup"), {"q": "12345678"}).content.decode()
    nothing = client.get(reverse("org:customer-lookup"), {"q": "不存在的客户"}).content.decode()

    assert by_name.count('name="customer"') == 10
    assert "<html" not in by_name  # a fragment, not a page
    assert f'value="{customer.pk}"' in by_phone and 'data-contact-name="李工"' in by_phone
    assert 'name="customer"' not in nothing and "不存在的客户" in nothing


@pytest.mark.spec("ORG-2", "PRE-1")
def test_quick_create_customer(login, staff_user):
    response = login(staff_user).post(reverse("org:customer-create"), {
        "name": "新客户公司", "kind": "company", "phone": "021-11112222", "contact_name": "赵先生",
    })

    customer = Customer.objects.get(name="新客户公司")
    assert response.status_code == 302 and response["Location"] == customer.get_absolute_url()
    assert customer.contacts.get().name == "赵先生"


@pytest.mark.spec("ORG-2", "PRE-1")
def test_quick_create_through_htmx_redirects_the_browser(login, staff_user):
    response = login(staff_user).post(reverse("org:customer-create"), {"name": "弹窗客户", "kind": "company"},
                                      HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"] == Customer.objects.get(name="弹窗客户").get_absolute_url()


@pytest.mark.spec("ORG-2", "PRE-1")
def test_quick_create_of_a_customer_on_file_opens_it(login, staff_user):
    # issue 7: one customer per normalised name; quick-creating it again opens the one on file
    existing = CustomerFactory(name="华东机械有限公司", phone="021-55550000")

    response = login(staff_user).post(reverse("org:customer-create"), {
        "name": " 华东机械有限公司 ", "kind": "company", "phone": "021-55550000"})

    assert response.status_code == 302 and response["Location"] == existing.get_absolute_url()
    assert Customer.objects.count() == 1


@pytest.mark.spec("ORG-1")
def test_quick_create_needs_a_role(login, business_department):
    nobody = UserFactory(username="norole", department=business_department, roles=[])
    client = login(nobody)

    assert client.get(reverse("org:customer-create")).status_code == 403
    assert client.post(reverse("org:customer-create"), {"name": "X", "kind": "company"}).status_code == 403
    assert not Customer.objects.filter(name="X").exists()


@pytest.mark.spec("ORG-2", "SEC-1")
@pytest.mark.parametrize("htmx", [False, True])
def test_quick_create_with_bad_input_answers_400_and_saves_nothing(login, staff_user, htmx):
    # Bad input is a 400 with the form's errors, on the page and in the htmx modal (htmx-config
    # swaps 400 responses in), like every other form of the product.
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    before = Customer.objects.count()

    response = login(staff_user).post(reverse("org:customer-create"), {"name": "坏\x00名字", "kind": "company"},
                                      **headers)

    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert Customer.objects.count() == before
