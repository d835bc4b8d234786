"""Issue 7 (h9): the order line rows as the pages render them. The product select of every row (new
order, amendment, conversion from an inquiry, and the "add a row" template) asks 请选择…, is
searchable (tom-select from static/js/qsm.js, by data attribute) and says of each product whether
it is counted in whole units and its list price; the quantity steps by 1 for a whole-unit product
already picked, by 0.01 otherwise; each row shows its amount."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from orders.models import Order
from presales import services as presales_services
from presales.models import Inquiry
from tests.builders.inquiries import inquiry_in
from tests.builders.orders import new_order
from tests.factories import ProductFactory

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def robot(db):
    return ProductFactory(code="RB-QR6", name="六轴工业机器人 QR-6", list_price=Decimal("158000.00"), whole_units=True)


@pytest.fixture
def hours(db):
    return ProductFactory(code="SV-HR", name="现场调试服务（小时）", list_price=Decimal("800.00"), whole_units=False)


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr class="line-row">.*?</tr>', html, re.S)


def _select(row: str) -> str:
    return re.search(r"<select[^>]*>.*?</select>", row, re.S).group(0)


def _quantity(row: str) -> str:
    return re.search(r'<input type="number" name="lines-(?:\d+|__prefix__)-quantity"[^>]*>', row).group(0)


def _assert_searchable_with_product_data(select: str, robot, hours) -> None:
    assert "data-searchable" in select and "data-line-product" in select
    assert 'data-placeholder="输入以搜索…"' in select
    assert re.search(r'<option value="">请选择…</option>', select) or '<option value="" selected>请选择…</option>' in select
    assert "—</option>" not in select
    assert f'<option value="{robot.pk}" data-whole="1" data-price="158000"' in select
    assert f'<option value="{hours.pk}" data-whole="0" data-price="800"' in select


@pytest.mark.spec("ORD-1")
def test_new_order_rows_are_searchable_and_carry_whole_units_and_list_price(login, sales_user, robot, hours):
    html = login(sales_user).get(reverse("orders:order-create"), **ZH).content.decode()

    rows = _rows(html)
    assert len(rows) == 4  # three rows and the "add a row" template
    for row in rows:
        _assert_searchable_with_product_data(_select(row), robot, hours)
        # nothing picked yet: the quantity takes hundredths; the amount is not known
        assert 'step="0.01" min="0.01"' in _quantity(row)
        assert re.search(r"<output[^>]*data-line-amount[^>]*>—</output>", row)
    assert 'name="lines-__prefix__-product" id="id_lines-__prefix__-product"' in rows[-1]
    assert "table-responsive" not in re.search(r'<div class="line-rows".*?</table>', html, re.S).group(0)


@pytest.mark.spec("ORD-1")
def test_a_refused_row_keeps_its_whole_unit_step_and_shows_its_amount(login, sales_user, customer, robot, hours):
    response = login(sales_user).post(reverse("orders:order-create"), {
        "customer": str(customer.pk), "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
        "lines-0-product": str(robot.pk), "lines-0-quantity": "1.5", "lines-0-unit_price": "158000",
        "lines-1-product": str(hours.pk), "lines-1-quantity": "2.5", "lines-1-unit_price": "800",
    }, **ZH)

    html = response.content.decode()
    assert response.status_code == 200 and not Order.objects.exists()
    first, second = _rows(html)[:2]
    assert "六轴工业机器人 QR-6 按整数计量，请输入整数。" in first
    assert 'step="1" min="1"' in _quantity(first) and 'inputmode="numeric"' in _quantity(first)
    assert f'<option value="{robot.pk}" data-whole="1" data-price="158000" selected>' in _select(first)
    assert "¥237,000.00" in first
    assert 'step="0.01" min="0.01"' in _quantity(second)
    assert "¥2,000.00" in second


@pytest.mark.spec("ORD-1")
def test_the_amendment_rows_are_searchable_and_step_by_the_picked_product(login, sales_user, customer, robot, hours):
    order = new_order(actor=sales_user, customer=customer, product=robot, quantity="2")

    html = login(sales_user).get(order.get_absolute_url(), **ZH).content.decode()

    amend = re.search(r'<form[^>]*id="amend-form".*?</form>', html, re.S).group(0)
    rows = _rows(amend)
    _assert_searchable_with_product_data(_select(rows[0]), robot, hours)
    assert 'step="1" min="1"' in _quantity(rows[0])
    assert "¥316,000.00" in rows[0]


@pytest.mark.spec("PRE-4")
def test_the_conversion_rows_are_searchable_and_prefilled(login, staff_user, sales_user, sales_department,
                                                         production_department, customer, robot, hours):
    inquiry = inquiry_in(Inquiry.Status.DISCUSSION, actor=staff_user, customer=customer,
                         invited=[production_department], subject="焊接工作站")
    presales_services.solution_add(inquiry=inquiry, actor=staff_user, title="方案", content="机器人 + 调试",
                                   products=[robot, hours])
    presales_services.inquiry_hand_over(inquiry=inquiry, actor=staff_user, department=sales_department)
    presales_services.inquiry_acknowledge(inquiry=inquiry, actor=sales_user)

    html = login(sales_user).get(reverse("orders:order-from-inquiry", args=[inquiry.pk]), **ZH).content.decode()

    rows = _rows(html)
    for row in rows:
        _assert_searchable_with_product_data(_select(row), robot, hours)
    picked = {re.search(r'<option value="(\d+)"[^>]*selected>', _select(row)).group(1): row
              for row in rows[:2]}
    assert 'step="1" min="1"' in _quantity(picked[str(robot.pk)])
    assert 'step="0.01" min="0.01"' in _quantity(picked[str(hours.pk)])
