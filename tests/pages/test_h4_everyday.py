"""Everyday use of the pages (issue 7): what the server renders for lists on a phone, amounts,
empty choices, Django's own validation messages, the filter button, long texts, searchable
multi-selects and where the API docs are offered. The browser side (no horizontal scrolling at
390 px, tom-select under the CSP, "show more") is tests/browser/test_h4_everyday.py."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from qsm.org.forms import BootstrapFormMixin
from qsm.org.models import Department, User
from qsm.web.forms import UserChoiceField
from tests.builders.inquiries import new_inquiry
from tests.builders.orders import new_order, priced_product

ROOT = Path(__file__).resolve().parents[2]


def _render(text: str, **context) -> str:
    return Template("{% load qsm_ui %}" + text).render(Context(context))


# --- amounts --------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_money_has_the_currency_sign_and_thousands_separators(language):
    with translation.override(language):
        assert _render("{{ v|money }}", v=Decimal("1326700.00")) == "¥1,326,700.00"
        assert _render("{{ v|money }}", v=Decimal("-1234.5")) == "-¥1,234.50"
        assert _render("{{ v|money }}", v=Decimal("0")) == "¥0.00"
        assert _render("{{ v|money }}", v=None) == "—"


@pytest.mark.django_db
@pytest.mark.spec("ORD-1")
def test_the_order_page_shows_amounts_as_money(login, sales_user, customer):
    order = new_order(actor=sales_user, customer=customer, product=priced_product("VMC-1", "663350.00"), quantity="2")

    with translation.override("zh-hans"):
        html = login(sales_user).get(order.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    lines = html[html.index('id="order-lines"'):html.index("</table>", html.index('id="order-lines"'))]
    assert "¥663,350.00" in lines  # the unit price
    assert "¥1,326,700.00" in lines  # the amount and the total
    assert "1326700" not in lines


# --- empty choices and Django's generic messages -------------------------------------------------


class _Sample(BootstrapFormMixin, forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.none())
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], required=False)
    title = forms.CharField(max_length=3)
    day = forms.DateField()
    count = forms.IntegerField(min_value=1)
    price = forms.DecimalField(max_digits=4, decimal_places=1)
    pick = forms.ChoiceField(choices=[("a", "A")])


@pytest.mark.django_db
def test_an_empty_choice_asks_to_choose_instead_of_dashes():
    with translation.override("zh-hans"):
        html = str(_Sample())

    assert "---------" not in html
    assert html.count("请选择…") == 2


@pytest.mark.django_db
@pytest.mark.spec("PRE-4")
def test_the_hand_over_form_asks_to_choose_a_department(login, staff_user, sales_department):
    from tests.builders.inquiries import inquiry_in

    inquiry = inquiry_in("answered", actor=staff_user)
    html = login(staff_user).get(inquiry.get_absolute_url()).content.decode()

    select = re.search(r'<select name="department".*?</select>', html, re.S).group(0)
    assert '<option value="" selected>请选择…</option>' in select
    assert "---------" not in html


@pytest.mark.django_db
def test_django_generic_validation_messages_read_as_clear_chinese():
    with translation.override("zh-hans"):
        form = _Sample({"department": "7", "title": "abcdef", "day": "31.02.", "count": "0", "price": "12345.67",
                        "pick": "b"})
        assert not form.is_valid()
        errors = {name: " ".join(messages) for name, messages in form.errors.items()}
        required = _Sample({}).errors["title"][0]

    assert required == "此项为必填项。"
    assert errors["title"] == "最多 3 个字，现有 6 个字。"
    assert errors["day"] == "请输入有效的日期，例如 2026-05-01。"
    assert errors["count"] == "不能小于 1。"
    assert errors["price"] == "数字总共不能超过 4 位。"
    assert errors["pick"] == "所选的“b”不在可选范围内，请重新选择。"
    assert errors["department"] == "所选项不在可选范围内，请重新选择。"
    for text in errors.values():  # none of the catalog's wording ("变量" = variable, "字段" = field) or English
        assert "变量" not in text and "字段" not in text and not re.search(r"[A-Za-z]{3,}", text)


# --- list pages: the filter button, the cards ------------------------------------------------------


LISTS = ["presales:inquiry-list", "orders:order-list", "orders:delivery-list", "orders:installation-list",
         "org:customer-list"]


@pytest.mark.django_db
@pytest.mark.spec("SEARCH-1")
@pytest.mark.parametrize("url_name", LISTS[:-1])
def test_the_filter_button_says_filter(login, sales_manager, url_name):
    html = login(sales_manager).get(reverse(url_name)).content.decode()

    button = re.search(r'<button[^>]*id="apply-filters"[^>]*>(.*?)</button>', html, re.S).group(1)
    assert "bi-funnel" in button and "筛选" in button
    # and on a phone the other filters fold behind "more filters" (qsm.js shows the button)
    toggle = re.search(r'<button[^>]*id="filter-toggle"[^>]*>', html).group(0)
    assert 'data-more="更多筛选"' in toggle and 'data-less="收起筛选"' in toggle


@pytest.mark.django_db
@pytest.mark.spec("SEARCH-1")
@pytest.mark.parametrize("url_name", LISTS)
def test_every_list_table_turns_into_cards_on_a_phone(login, sales_manager, url_name):
    html = login(sales_manager).get(reverse(url_name)).content.decode()

    assert re.search(r'<table class="[^"]*\btable-cards\b', html)


@pytest.mark.django_db
@pytest.mark.spec("INBOX-1")
def test_my_work_rows_say_what_to_do_on_a_card(login, staff_user):
    new_inquiry(actor=staff_user, subject="五轴加工中心询价")

    html = login(staff_user).get(reverse("inbox")).content.decode()

    assert re.search(r'<table class="[^"]*\btable-cards\b[^"]*" id="inbox-table"', html)
    assert 'data-label="待办事项"' in html and 'class="cell-wide"' in html


def test_the_card_layout_is_in_the_shared_stylesheet():
    css = (ROOT / "static" / "css" / "qsm.css").read_text(encoding="utf-8")
    block = css[css.index("@media (max-width: 767.98px) {\n  .table.table-cards"):]
    assert ".table.table-cards > thead { display: none; }" in block
    assert "td[data-label]::before" in block


# --- long texts -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.spec("PRE-2")
def test_a_very_long_question_can_be_folded(login, staff_user):
    inquiry = new_inquiry(actor=staff_user, question="需要了解参数。" * 2800)

    html = login(staff_user).get(inquiry.get_absolute_url()).content.decode()

    tag = re.search(r'<div [^>]*id="question-text"[^>]*>', html).group(0)
    assert 'class="prewrap clamp"' in tag and 'data-more="展开全文"' in tag and 'data-less="收起"' in tag


# --- searchable multi-selects ----------------------------------------------------------------------


@pytest.mark.django_db
def test_people_pickers_are_searchable_whatever_widget_the_form_passes():
    class _Form(BootstrapFormMixin, forms.Form):
        people = UserChoiceField(queryset=User.objects.none(), widget=forms.SelectMultiple(attrs={"size": 6}))

    with translation.override("zh-hans"):
        html = str(_Form()["people"])

    assert "data-searchable" in html and 'data-placeholder="输入以搜索…"' in html and 'data-no-results="没有匹配项"' in html
    assert 'size="6"' in html and "multiple" in html


@pytest.mark.django_db
@pytest.mark.spec("PRE-3")
def test_the_invited_people_field_on_the_inquiry_page_is_searchable(login, staff_user):
    from tests.builders.inquiries import inquiry_in

    inquiry = inquiry_in("answered", actor=staff_user)
    html = login(staff_user).get(inquiry.get_absolute_url()).content.decode()

    assert re.search(r'<select name="users"[^>]*data-searchable', html)
    assert "vendor/tom-select/tom-select.complete.min.js" in html
    assert "vendor/tom-select/tom-select.bootstrap5.min.css" in html


def test_tom_select_comes_from_npm_and_is_vendored():
    package = json.loads((ROOT / "package.json").read_text())
    assert re.fullmatch(r"\d+\.\d+\.\d+", package["dependencies"]["tom-select"])  # pinned exactly
    vendor = (ROOT / "scripts" / "vendor.py").read_text()
    assert '"tom-select/tom-select.complete.min.js"' in vendor and '"tom-select/tom-select.bootstrap5.min.css"' in vendor
    js = (ROOT / "static" / "js" / "qsm.js").read_text()
    assert "select[data-searchable]" in js and "new window.TomSelect" in js


# --- the API docs ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_docs_are_not_in_everyones_main_menu(login, staff_user, sales_manager):
    for user in (staff_user, sales_manager):
        html = login(user).get(reverse("inbox")).content.decode()
        assert reverse("api-docs") not in html
        assert ">API<" not in html and "bi-braces" not in html


@pytest.mark.django_db
def test_administrators_find_the_api_docs_in_their_user_menu(login, administrator):
    html = login(administrator).get(reverse("inbox")).content.decode()

    menu = html[html.index('id="user-menu"'):]
    menu = menu[:menu.index("</li>")]
    assert f'href="{reverse("api-docs")}"' in menu and "API 文档" in menu
    main = html[html.index('id="main-nav"'):html.index('id="user-menu"')]
    assert reverse("api-docs") not in main.split('id="language-menu"')[0]


@pytest.mark.django_db
def test_the_api_docs_page_leads_back_to_the_app(login, administrator):
    html = login(administrator).get(reverse("api-docs")).content.decode()

    back = re.search(r'<nav class="qsm-api-bar" id="api-back"><a href="([^"]+)">(.*?)</a>', html)
    assert back and back.group(1) == reverse("inbox") and "返回 QSM" in back.group(2)
    assert "<style" not in html  # the CSP allows no inline style


@pytest.mark.django_db
@pytest.mark.spec("ORG-2")
def test_the_customer_page_history_cards_name_their_columns(login, staff_user, customer):
    new_inquiry(actor=staff_user, customer=customer, subject="五轴加工中心询价")

    html = login(staff_user).get(customer.get_absolute_url()).content.decode()

    section = html[html.index("history-section"):]
    assert re.search(r'<table class="[^"]*\btable-cards\b', section)
    assert 'data-label="主题">五轴加工中心询价' in section.replace("\n", "")


@pytest.mark.django_db
@pytest.mark.spec("ORD-2")
def test_the_order_page_tables_turn_into_cards_on_a_phone(login, sales_user, customer):
    from tests.builders.orders import order_in

    order = order_in("in_production", actor=sales_user, customer=customer, product=priced_product("VMC-1"))
    html = login(sales_user).get(order.get_absolute_url()).content.decode()

    for table_id in ("order-lines", "ship-lines"):
        assert re.search(rf'<table class="[^"]*\btable-cards\b[^"]*" id="{table_id}"', html), table_id
    assert 'data-label="本次发货"' in html and 'data-label="订购数量"' in html


@pytest.mark.django_db
@pytest.mark.spec("SEARCH-1", "PERF-1")
@pytest.mark.parametrize(("url_name", "field"), [("presales:inquiry-list", "owner"), ("orders:order-list", "owner"),
                                                 ("orders:installation-list", "engineer")])
def test_the_people_filters_are_type_aheads(login, quality_officer, staff_user, url_name, field):
    from tests.factories import UserFactory

    # given a company with many people (a select of every one cost each list page thousands of options)
    UserFactory.create_batch(30, department=staff_user.department)
    client = login(quality_officer)

    # when the list is opened, then the people filter is a type-ahead, no option list of everyone
    html = client.get(reverse(url_name)).content.decode()
    box = re.search(rf'<input [^>]*id="f-{field}"[^>]*>', html).group(0)
    assert f'name="{field}_q"' in box and f"field={field}" in box and 'placeholder="输入姓名"' in box
    assert f'<select class="form-select" id="f-{field}"' not in html
    assert html.count("<option") < 40

    # when a name is typed, then the matches are radios named after the filter that apply it
    found = client.get(reverse("org:user-lookup"), {"field": field, f"{field}_q": staff_user.username}).content.decode()
    assert f'name="{field}" value="{staff_user.pk}" data-filter-pick' in found
    assert "没有" not in found

    # when one is picked, then the page shows the person with a link that clears the filter
    html = client.get(reverse(url_name), {field: staff_user.pk}).content.decode()
    assert f'<input type="hidden" name="{field}" value="{staff_user.pk}">' in html
    assert str(staff_user) in html and 'title="任何人"' in html


@pytest.mark.django_db
@pytest.mark.spec("SEARCH-1", "SEC-1")
def test_the_people_type_ahead_refuses_what_it_does_not_know(login, quality_officer, client):
    signed_in = login(quality_officer)
    # an unknown filter is a 400 in Chinese; nothing matching says so; hostile text is no 500
    response = signed_in.get(reverse("org:user-lookup"), {"field": "password", "q": "a"})
    assert response.status_code == 400 and "未知的筛选条件" in response.content.decode()
    assert "没有人匹配“zzzz-nobody”" in signed_in.get(reverse("org:user-lookup"),
                                                   {"field": "owner", "owner_q": "zzzz-nobody"}).content.decode()
    for hostile in ("\x00", "%_", "'; drop table", "😀" * 300):
        assert signed_in.get(reverse("org:user-lookup"), {"field": "owner", "owner_q": hostile}).status_code == 200
    for raw in ("%ED%A0%80", "%FF%FE", "%00"):  # not UTF-8, a NUL: bytes no client library would send
        assert signed_in.get(f"{reverse('org:user-lookup')}?field=owner&owner_q={raw}").status_code in (200, 400)
    # a stranger is sent to sign in
    assert client.get(reverse("org:user-lookup"), {"field": "owner", "q": "a"}).status_code == 302
