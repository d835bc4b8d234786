"""ORD-3: the printable acceptance form (安装调试验收单) of an order with an installation."""
from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from orders import services
from orders.models import Order
from tests.builders.orders import installation_in, order_in
from tests.factories import UserFactory

S = Order.Status


def _text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def engineer(sales_department):
    return UserFactory(username="engineer", display_name="孙浩", department=sales_department, roles=["staff"])


@pytest.fixture
def installing(sales_user, customer, engineer):
    """An order delivered and being installed: commissioned, rejected once, commissioned again."""
    order = order_in(S.INSTALLING, actor=sales_user, engineer=engineer, customer=customer, installation=True)
    installation = installation_in("rework", installation=order.installation, actor=engineer)
    services.installation_commission(installation=installation, actor=engineer, site_work="更换主轴轴承",
                                     checklist=[{"item": "主轴温升测试", "ok": True}],
                                     measurements=[{"name": "主轴温升", "value": "12", "unit": "℃"}])
    return order


@pytest.mark.spec("ORD-3")
def test_acceptance_form_is_a_chinese_pdf_with_the_order_on_it(client, sales_user, customer, installing):
    # given the order's department
    client.force_login(sales_user)

    # when the acceptance form is printed
    response = client.get(reverse("orders:acceptance-pdf", args=[installing.pk]))

    # then it is a PDF naming the order, the customer, the site, the engineer and the commissioning test
    assert response.status_code == 200
    assert installing.number in response["Content-Disposition"]
    text = _text(response)
    assert installing.number in text
    for chinese in (customer.name, "苏州工业园区星湖街", "孙浩", "主轴温升测试", "立式加工中心"):
        assert chinese in text, chinese
    # the previous (rejected) acceptance round is shown with its reasons
    assert "噪音偏大" in text
    # and the labels are in the site's language (Chinese), whatever the printing user's language
    with translation.override("zh-hans"):
        title = gettext("Installation and commissioning acceptance form")
        signature = gettext("Customer representative (signature)")
    assert title in text and signature in text


@pytest.mark.spec("ORD-3")
def test_installing_engineer_of_another_department_may_print_it(client, installing, engineer, other_department):
    engineer.department = other_department
    engineer.save(update_fields=["department"])
    client.force_login(engineer)

    response = client.get(reverse("orders:acceptance-pdf", args=[installing.pk]))

    assert response.status_code == 200


@pytest.mark.spec("ORD-3", "ORG-1")
def test_another_departments_order_is_not_found(client, other_department_staff, installing):
    client.force_login(other_department_staff)

    response = client.get(reverse("orders:acceptance-pdf", args=[installing.pk]))

    assert response.status_code == 404


@pytest.mark.spec("ORD-3")
def test_an_order_without_installation_has_no_acceptance_form(client, sales_user, customer):
    order = order_in(S.DELIVERED, actor=sales_user, customer=customer)
    client.force_login(sales_user)

    response = client.get(reverse("orders:acceptance-pdf", args=[order.pk]))

    assert response.status_code == 404


@pytest.mark.spec("ORD-3", "ORG-1")
def test_anonymous_user_is_sent_to_login(client, installing):
    response = client.get(reverse("orders:acceptance-pdf", args=[installing.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
