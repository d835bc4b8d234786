"""PRE-1 intake page: the fast form, quick-create of a customer, errors that save nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from presales.models import Inquiry
from qsm.org.models import Customer
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _intake(**overrides) -> dict:
    data = {
        "channel": "phone", "customer": "new", "new_customer_name": "江南精密制造", "new_customer_phone": "0512-88886666",
        "new_customer_contact": "陈工", "contact_name": "", "contact_phone": "", "subject": "询问五轴加工中心",
        "question": "需要五轴加工中心的报价和交期", "priority": "normal", "answer": "",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.spec("PRE-1")
def test_intake_form_renders_for_business_staff(login, staff_user, product):
    response = login(staff_user).get(reverse("presales:inquiry-create"))

    html = response.content.decode()
    assert response.status_code == 200
    for channel in ("phone", "email", "chat", "visit", "other"):
        assert f'name="channel" value="{channel}"' in html
    assert 'name="customer" value="new"' in html
    assert reverse("org:customer-lookup") in html and 'hx-trigger="input changed delay:250ms' in html
    assert product.name in html
    assert 'type="datetime-local"' in html and timezone.localtime().strftime("%Y-%m-%dT") in html


@pytest.mark.spec("ORG-1")
@pytest.mark.parametrize("who", ["quality_officer", "production_user"])
def test_intake_is_refused_outside_business_department_staff(login, request, who):
    user = request.getfixturevalue(who)
    client = login(user)

    assert client.get(reverse("presales:inquiry-create")).status_code == 403
    assert client.post(reverse("presales:inquiry-create"), _intake()).status_code == 403
    assert not Inquiry.objects.exists()


@pytest.mark.spec("PRE-1")
def test_intake_with_a_new_customer_creates_both(login, staff_user, product):
    # when a phone inquiry is logged for a customer that does not exist yet
    response = login(staff_user).post(reverse("presales:inquiry-create"), _intake(products=[product.pk]))

    # then the customer, its contact and the inquiry exist, and the browser is sent to the inquiry
    customer = Customer.objects.get(name="江南精密制造")
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302 and response["Location"] == inquiry.get_absolute_url()
    assert customer.phone == "0512-88886666" and customer.contacts.get().name == "陈工"
    assert inquiry.customer == customer and inquiry.status == "new" and inquiry.channel == "phone"
    assert inquiry.contact_name == "陈工" and inquiry.contact_phone == "0512-88886666"
    assert list(inquiry.products.all()) == [product]
    assert inquiry.owner == staff_user and inquiry.department == staff_user.department
    assert inquiry.due_at is not None  # the first-response clock runs


@pytest.mark.spec("PRE-1")
def test_intake_for_an_existing_customer_with_the_answer_given(login, staff_user, customer):
    response = login(staff_user).post(reverse("presales:inquiry-create"), _intake(
        customer=str(customer.pk), new_customer_name="", contact_name="王经理", answer="已在电话中介绍了型号"))

    inquiry = Inquiry.objects.get()
    assert response.status_code == 302
    assert inquiry.customer == customer and inquiry.status == "answered"
    assert inquiry.answer == "已在电话中介绍了型号" and inquiry.responded_at is not None
    assert Customer.objects.count() == 1


@pytest.mark.spec("PRE-1")
def test_save_and_log_another_returns_to_an_empty_form(login, staff_user, customer):
    client = login(staff_user)
    response = client.post(reverse("presales:inquiry-create"),
                           _intake(customer=str(customer.pk), channel="email", _another="1"))

    assert response.status_code == 302
    assert response["Location"] == reverse("presales:inquiry-create") + "?channel=email"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert Inquiry.objects.get().number in html  # the success message names it
    assert 'value="email" id="id_channel_1" autocomplete="off" checked' in html  # the channel is kept
    assert page.context["form"]["subject"].value() is None  # the rest starts empty


@pytest.mark.spec("PRE-1")
def test_received_time_is_kept(login, staff_user, customer):
    received = timezone.localtime() - dt.timedelta(hours=3)

    login(staff_user).post(reverse("presales:inquiry-create"), _intake(
        customer=str(customer.pk), received_at=received.strftime("%Y-%m-%dT%H:%M")))

    assert Inquiry.objects.get().received_at == received.replace(second=0, microsecond=0)


@pytest.mark.spec("PRE-1")
def test_missing_subject_and_channel_redisplay_the_form_and_save_nothing(login, staff_user):
    response = login(staff_user).post(reverse("presales:inquiry-create"), _intake(channel=None, subject=""))

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"channel", "subject"}
    html = response.content.decode()
    assert "is-invalid" in html and "invalid-feedback" in html
    assert 'value="江南精密制造"' in html  # what was typed is kept
    assert not Inquiry.objects.exists() and not Customer.objects.exists()


@pytest.mark.spec("PRE-1")
def test_new_customer_without_a_name_is_an_error(login, staff_user):
    response = login(staff_user).post(reverse("presales:inquiry-create"), _intake(new_customer_name=""))

    assert response.status_code == 400
    assert "new_customer_name" in response.context["form"].errors
    assert not Inquiry.objects.exists() and not Customer.objects.exists()


@pytest.mark.spec("PRE-1")
def test_no_customer_picked_is_an_error(login, staff_user):
    response = login(staff_user).post(reverse("presales:inquiry-create"), _intake(customer=""))

    assert "customer" in response.context["form"].errors
    assert not Inquiry.objects.exists()


@pytest.mark.spec("PRE-1")
def test_a_service_error_rolls_back_the_new_customer(login, staff_user):
    # received in the future: the form accepts the shape, the service refuses it after the customer was made
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = login(staff_user).post(reverse("presales:inquiry-create"), _intake(received_at=future))

    assert response.status_code == 400
    assert "received_at" in response.context["form"].errors
    assert not Customer.objects.exists() and not Inquiry.objects.exists()


@pytest.mark.spec("PRE-1")
def test_duplicate_new_customer_points_to_the_existing_one(login, staff_user):
    # issue 7: a "new" customer already on file (same normalised name) is that customer, not a second one
    existing = CustomerFactory(name="江南精密制造", phone="0512-88886666")

    response = login(staff_user).post(reverse("presales:inquiry-create"), _intake())

    assert response.status_code == 302
    assert Customer.objects.count() == 1 and Inquiry.objects.get().customer == existing


@pytest.mark.spec("PRE-1")
def test_errors_are_shown_in_the_users_language(login, staff_user):
    staff_user.language = "en"
    staff_user.save(update_fields=["language"])

    response = login(staff_user).post(reverse("presales:inquiry-create"), _intake(question=""))

    assert "This field is required." not in response.content.decode()  # our own message, not the generic one
    assert "Write down the customer" in response.content.decode()


@pytest.mark.spec("PRE-1")
def test_picked_customer_is_kept_when_the_form_comes_back(login, staff_user, customer):
    response = login(staff_user).post(reverse("presales:inquiry-create"), _intake(customer=str(customer.pk), subject=""))

    html = response.content.decode()
    assert f'value="{customer.pk}" checked' in html and customer.name in html


@pytest.mark.spec("PRE-1", "ORG-2")
def test_new_inquiry_link_from_the_customer_page_preselects_the_customer(login, staff_user, customer):
    response = login(staff_user).get(reverse("presales:inquiry-create"), {"customer": customer.pk})

    assert f'value="{customer.pk}" checked' in response.content.decode()


@pytest.mark.spec("PRE-1")
def test_products_listed_are_the_active_catalogue(login, staff_user):
    ProductFactory(code="OLD-1", name="停产型号", is_active=False)
    ProductFactory(code="NEW-1", name="在售型号")

    html = login(staff_user).get(reverse("presales:inquiry-create")).content.decode()

    assert "在售型号" in html and "停产型号" not in html
