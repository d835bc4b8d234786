"""The URL scheme (issue 7): one level per app, the old addresses redirect permanently, a favicon."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_scheme_is_tidy(login, sales_user, staff_user, customer):
    assert reverse("orders:order-list") == "/orders/"
    assert reverse("orders:order-detail", args=[7]) == "/orders/7/"
    assert reverse("orders:order-create") == "/orders/new/"
    assert reverse("orders:delivery-list") == "/orders/deliveries/"
    assert reverse("presales:inquiry-list") == "/presales/"
    assert reverse("presales:inquiry-detail", args=[7]) == "/presales/7/"
    assert reverse("org:customer-list") == "/customers/"
    # the app roots are pages, not 404s
    assert login(sales_user).get("/orders/").status_code == 200
    assert login(staff_user).get("/presales/").status_code == 200
    assert login(staff_user).get("/customers/").status_code == 200


@pytest.mark.parametrize(("old", "new"), [
    ("/orders/orders/", "/orders/"),
    ("/orders/orders/12/", "/orders/12/"),
    ("/orders/orders/12/acceptance.pdf", "/orders/12/acceptance.pdf"),
    ("/orders/orders/new/?customer=3", "/orders/new/?customer=3"),
    ("/orders/orders/export/?format=csv&status=review", "/orders/export/?format=csv&status=review"),
    ("/presales/inquiries/", "/presales/"),
    ("/presales/inquiries/5/", "/presales/5/"),
    ("/presales/inquiries/?status=new&q=%E6%9C%BA", "/presales/?status=new&q=%E6%9C%BA"),
    ("/org/customers/", "/customers/"),
    ("/org/customers/9/", "/customers/9/"),
    ("/org/", "/customers/"),
])
def test_every_old_url_redirects_permanently_to_the_new_one(old, new):
    response = Client().get(old)
    assert response.status_code == 301, (old, response.status_code)
    assert response["Location"] == new


def test_a_form_posted_to_an_old_address_is_posted_again(login, sales_user):
    response = login(sales_user).post("/orders/orders/12/fire/", {"action": "cancel"})
    assert response.status_code == 308 and response["Location"] == "/orders/12/fire/"


def test_the_favicon_is_linked_and_served(login, staff_user):
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".ico")
    assert "/static/img/favicon" in response["Location"]
    html = login(staff_user).get("/").content.decode()
    assert 'rel="icon"' in html and "img/favicon" in html
    # the files exist in static
    from django.contrib.staticfiles import finders

    assert finders.find("img/favicon.ico") and finders.find("img/favicon.svg")
