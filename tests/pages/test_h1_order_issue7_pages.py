"""Issue 7 on the pages (h1): converting an inquiry through the pre-filled new-order form (PRE-4),
the honest order total and the approval of an order with an unpriced line (ORD-1), and the new-order
form that creates its customer inline (ORG-2)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order, OrderLine
from presales import services as presales_services
from presales.models import Inquiry
from qsm.org.models import Customer
from tests.builders.inquiries import inquiry_in
from tests.builders.orders import new_order, pass_all, reviewer_for
from tests.factories import ProductFactory


def _lines(rows) -> dict:
    data = {"lines-TOTAL_FORMS": str(max(len(rows), 3)), "lines-INITIAL_FORMS": "0"}
    for n, (product, quantity, price) in enumerate(rows):
        data[f"lines-{n}-product"] = str(product.pk)
        data[f"lines-{n}-quantity"] = quantity
        data[f"lines-{n}-unit_price"] = price
    return data


@pytest.fixture
def robot(db):
    return ProductFactory(code="RB-QR6", name="六轴工业机器人 QR-6", list_price=Decimal("158000.00"))


@pytest.fixture
def vision(db):
    return ProductFactory(code="RB-VISION", name="机器人视觉引导系统", list_price=Decimal("65000.00"))


@pytest.fixture
def acknowledged(staff_user, sales_user, sales_department, production_department, customer, robot, vision, product):
    """An inquiry about ``product`` whose tailored solution v2 names the robot and the vision system."""
    inquiry = inquiry_in(Inquiry.Status.DISCUSSION, actor=staff_user, customer=customer, products=[product],
                         invited=[production_department], solution=("方案 v1", "一台机器人"),
                         contact_name="陈工", contact_phone="13800001111", subject="焊接工作站")
    presales_services.solution_add(inquiry=inquiry, actor=staff_user, title="方案 v2", content="两台机器人 + 视觉",
                                   products=[robot, vision])
    presales_services.inquiry_hand_over(inquiry=inquiry, actor=staff_user, department=sales_department)
    return presales_services.inquiry_acknowledge(inquiry=inquiry, actor=sales_user)


@pytest.mark.spec("PRE-4")
def test_convert_opens_the_form_prefilled_from_the_inquiry_and_its_latest_solution(login, sales_user, acknowledged,
                                                                                  robot, vision):
    response = login(sales_user).get(reverse("orders:order-from-inquiry", args=[acknowledged.pk]))

    # then the form carries the latest solution's products at list price, the contact and the needs
    assert response.status_code == 200 and not Order.objects.exists()
    assert Inquiry.objects.get(pk=acknowledged.pk).status == Inquiry.Status.ACKNOWLEDGED  # nothing fired yet
    rows = [(f["product"].value(), f["quantity"].value(), f["unit_price"].value())
            for f in response.context["formset"].forms if f["product"].value()]
    assert rows == [(str(robot.pk), "1", "158000"), (str(vision.pk), "1", "65000")]
    form = response.context["form"]
    assert form["site_contact"].value() == "陈工 13800001111"
    assert "焊接工作站" in form["needs"].value() and "方案 v2" in form["needs"].value()
    html = response.content.decode()
    assert 'id="convert-preview"' in html and acknowledged.customer.name in html


@pytest.mark.spec("PRE-4", "ORD-1")
def test_saving_the_conversion_form_creates_the_order_as_typed(login, sales_user, acknowledged, robot, vision):
    promised = timezone.localdate() + dt.timedelta(days=45)

    response = login(sales_user).post(reverse("orders:order-from-inquiry", args=[acknowledged.pk]), {
        "customer_reference": "PO-2026-7", "promised_date": promised.isoformat(), "installation_required": "on",
        "site_address": "苏州工业园区星湖街 1 号", "site_contact": "陈工", "needs": "两台机器人",
        **_lines([(robot, "2", "150000"), (vision, "1", "65000")])})

    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert (order.source_inquiry, order.customer, order.customer_reference, order.promised_date) == (
        acknowledged, acknowledged.customer, "PO-2026-7", promised)
    assert order.installation_required and order.department == sales_user.department
    assert [(line.product, line.quantity, line.unit_price) for line in order.lines.all()] == [
        (robot, Decimal("2.00"), Decimal("150000.00")), (vision, Decimal("1.00"), Decimal("65000.00"))]
    assert Inquiry.objects.get(pk=acknowledged.pk).status == Inquiry.Status.CONVERTED


@pytest.mark.spec("PRE-4")
def test_a_refused_conversion_keeps_what_was_typed_and_converts_nothing(login, sales_user, acknowledged, robot):
    response = login(sales_user).post(reverse("orders:order-from-inquiry", args=[acknowledged.pk]), {
        "customer_reference": "PO-9", "needs": "两台", **_lines([(robot, "1.5", "150000")])})

    assert response.status_code == 400 and not Order.objects.exists()
    assert response.context["form"].errors["promised_date"]
    assert response.context["formset"].forms[0]["quantity"].value() == "1.5"
    assert Inquiry.objects.get(pk=acknowledged.pk).status == Inquiry.Status.ACKNOWLEDGED


@pytest.mark.spec("ORD-1")
def test_an_old_line_without_a_price_makes_the_total_unknown_and_blocks_approval(login, sales_user, customer, robot):
    # given an order entered before prices were required: one line has no price
    order = new_order(actor=sales_user, customer=customer, lines=[(robot, 1, 158000), (robot, 1, 158000)])
    OrderLine.objects.filter(pk=order.lines.last().pk).update(unit_price=None)
    pass_all(order, sales_user)
    reviewer = reviewer_for(order)

    page = login(sales_user).get(order.get_absolute_url())
    approve = login(reviewer).post(reverse("orders:order-approve", args=[order.pk]))

    # then the page does not show the priced line's amount as the total, and approval names the line
    assert page.context["lines_total"] is None and 'id="total-incomplete"' in page.content.decode()
    assert approve.status_code == 400 and Order.objects.get(pk=order.pk).status == "review"


@pytest.mark.spec("ORG-2", "ORD-1")
def test_the_new_order_form_creates_its_customer_inline(login, sales_user, robot):
    client = login(sales_user)
    form = client.get(reverse("orders:order-create")).content.decode()
    assert 'name="customer" value="new"' in form and 'name="new_customer_name"' in form

    response = client.post(reverse("orders:order-create"), {
        "customer": "new", "new_customer_name": "苏州新客户机械", "new_customer_phone": "0512-12345678",
        "new_customer_contact": "王工", "customer_reference": "PO-1", **_lines([(robot, "1", "158000")])})

    order = Order.objects.get()
    assert response.status_code == 302
    assert order.customer.name == "苏州新客户机械" and order.customer.contacts.get().name == "王工"


@pytest.mark.spec("ORG-2", "ORD-1")
def test_a_refused_order_takes_its_new_customer_with_it(login, sales_user, robot):
    response = login(sales_user).post(reverse("orders:order-create"), {
        "customer": "new", "new_customer_name": "不该留下的客户", **_lines([(robot, "1", "")])})

    assert response.status_code == 200 and response.context["formset"].forms[0].errors["unit_price"]
    assert not Customer.objects.filter(name="不该留下的客户").exists() and not Order.objects.exists()
    assert response.context["form"]["new_customer_name"].value() == "不该留下的客户"  # kept as typed
