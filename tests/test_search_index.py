"""SEARCH-1 / PERF-1: the search box is served by indexes (qsm.search) and finds exactly what
``icontains`` / ``iexact`` find: on the list page, the API, with other filters, a business user's
visibility and the keyset pages; hostile text is a 200 or a 400, never a 500."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from orders.filters import DeliveryFilter, InstallationFilter, OrderFilter
from orders.models import Delivery, Installation, Order
from presales.filters import InquiryFilter
from presales.models import Inquiry
from presales.selectors import inquiry_list
from qsm import search
from qsm.org.models import Customer
from qsm.org.selectors import customer_list
from qsm.views import _beyond
from tests.builders.inquiries import new_inquiry
from tests.factories import CustomerFactory

SH = ZoneInfo("Asia/Shanghai")
KEYS = ("received_at", "id")
ORDER = ("-received_at", "-id")

TERMS = [
    "安", "装", "安装", "安装调试", "苏州恒力", "恒力", "恒力机", "苏州恒力机械有限公司", "有限公司",  # 1 to 10 characters
    "sensor", "SeNsOr", "s", "PLC控制柜",  # Latin in any case, mixed with Chinese
    "1380013", "0013", "8000", "138 0013",  # phone fragments
    "王工", "O'Brien", "李",  # contact names
    "%", "_", "\\", "50%", "a_b", "'", '"', "😀", "设备😀",  # LIKE's wildcards and quotes are plain characters
    "不存在的词", "zzzz", " 安装 ",  # no match; blanks around
]


def reference(queryset, term: str):
    """The semantics the search keeps: the old ``OR`` of ``icontains`` / ``iexact``."""
    term = term.strip()
    return queryset.filter(Q(number__iexact=term) | Q(subject__icontains=term) | Q(customer__name__icontains=term)
                           | Q(contact_name__icontains=term) | Q(contact_phone__icontains=term))


def searched(queryset, term: str):
    return InquiryFilter({"q": term}, queryset=queryset).qs


@pytest.fixture
def inquiries(staff_user, colleague, other_department_staff):
    """Inquiries of the business department (and two of another) whose texts, contacts and customers
    exercise every kind of query; received one hour apart, newest last."""
    hengli = CustomerFactory(name="苏州恒力机械有限公司", phone="0512-66668888")
    other = CustomerFactory(name="无锡宏达电子有限公司")
    person = CustomerFactory(name="O'Brien Trading")
    rows = [
        (staff_user, hengli, "注塑机安装调试", "王工", "13800138000"),
        (staff_user, other, "Sensor 安装问题", "李女士", "13900001111"),
        (colleague, hengli, "PLC控制柜报价", "王先生", "0512-8000"),
        (staff_user, person, "折扣 50% 与 a_b 型号", "O'Brien", "+86 138 0013 9999"),
        (colleague, other, "路径 C:\\temp 报错 \"引号\"", "张工", "13511112222"),
        (staff_user, hengli, "设备😀故障", "赵工", "13622223333"),
        (colleague, other, "售后服务", "孙经理", "13733334444"),
        (colleague, person, "力机与恒力", "钱工", "13000000000"),  # every pair of "恒力机", not the word
        (other_department_staff, hengli, "安装调试（外部门）", "王工", "13800138001"),
        (other_department_staff, other, "sensor 选型", "周工", "13844445555"),
    ]
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=SH)
    made = []
    for i, (actor, customer, subject, name, phone) in enumerate(rows):
        made.append(new_inquiry(actor=actor, customer=customer, subject=subject, contact_name=name, contact_phone=phone,
                                received_at=start + dt.timedelta(hours=i)))
    return made


def page_by_page(queryset, size: int) -> list[int]:
    """Every row, read in keyset pages of ``size`` the way the list and the API read them."""
    out, after = [], None
    while True:
        qs = queryset if after is None else queryset.filter(_beyond(list(KEYS), after, greater=False))
        rows = list(qs.order_by(*ORDER)[: size + 1])
        out.extend(r.pk for r in rows[:size])
        if len(rows) <= size:
            return out
        after = [getattr(rows[size - 1], k) for k in KEYS]


@pytest.mark.spec("PERF-1", "SEARCH-1")
@pytest.mark.parametrize("term", TERMS)
def test_the_search_finds_what_icontains_finds(inquiries, term):
    everything = Inquiry.objects.all()
    expected = list(reference(everything, term).order_by(*ORDER).values_list("pk", flat=True))
    assert list(searched(everything, term).order_by(*ORDER).values_list("pk", flat=True)) == expected
    # a page is rewritten into limited parts: every page size and every page gives the same rows
    for size in (1, 2, 3):
        assert page_by_page(searched(everything, term), size) == expected


@pytest.mark.spec("PERF-1", "SEARCH-1")
def test_a_number_is_found_exactly_in_any_case(inquiries):
    first = inquiries[0]
    found = list(searched(Inquiry.objects.all(), first.number.lower()))
    assert found == [first]
    assert list(searched(Inquiry.objects.all(), first.number[:-1])) == []  # a number matches whole


@pytest.mark.spec("PERF-1", "SEARCH-1")
@pytest.mark.parametrize("term", ["安装", "安装调试", "苏州恒力", "有限公司", "sensor", "1380013", "王工"])
def test_a_common_word_walks_the_list_and_finds_the_same(inquiries, term, monkeypatch):
    """When the statistics say every pair of the query is common, the parts test ``icontains`` along
    the list's order instead of reading the index: the same rows."""

    class Everywhere(dict):
        def get(self, key, default=None):
            return 0.9

    monkeypatch.setattr(search, "_frequencies", lambda model, index: Everywhere(x=0.9))
    everything = Inquiry.objects.all()
    expected = list(reference(everything, term).order_by(*ORDER).values_list("pk", flat=True))
    assert page_by_page(searched(everything, term), 2) == expected
    if len(term) > search.EXACT_GRAM_LENGTH:
        assert "qsm_grams" not in str(searched(everything, term).query)


@pytest.mark.spec("PERF-1", "SEARCH-1", "ORG-1")
@pytest.mark.parametrize("term", ["安装", "王工", "苏州恒力", "sensor", "0013"])
def test_with_another_filter_and_a_business_users_visibility(inquiries, staff_user, term):
    visible = inquiry_list(user=staff_user)
    expected = list(reference(visible, term).filter(contact_phone__startswith="13").order_by(*ORDER))
    filtered = InquiryFilter({"q": term, "status": ["new"]}, queryset=visible).qs.filter(contact_phone__startswith="13")
    assert page_by_page(filtered, 1) == [i.pk for i in expected if i.status == "new"]
    # the other department's rows match the text but are never shown
    hidden = {i.pk for i in inquiries if i.department_id != staff_user.department_id}
    assert hidden
    assert not hidden & set(page_by_page(InquiryFilter({"q": term}, queryset=visible).qs, 2))


@pytest.mark.spec("PERF-1", "SEARCH-1")
def test_a_page_reads_limited_parts_and_a_negated_search_does_not(inquiries):
    qs = searched(Inquiry.objects.all(), "安装").order_by(*ORDER)
    page_sql = str(qs[:26].query)
    assert page_sql.count("LIMIT 26") == 4  # three parts and the page itself
    assert "UNION" in page_sql
    assert "LIMIT" not in str(qs.query)  # not a page (an export, a count): the unlimited parts
    # NOT (search) cannot be rewritten part by part: the complement, exactly
    condition = search.matches(Inquiry, "安装")
    assert set(Inquiry.objects.exclude(condition).order_by(*ORDER)[:50]) == set(
        Inquiry.objects.exclude(pk__in=reference(Inquiry.objects.all(), "安装").values("pk")))
    assert searched(Inquiry.objects.all(), "安装").count() == reference(Inquiry.objects.all(), "安装").count()


def explain(queryset) -> str:
    """The plan with neither a sequential scan nor an ordered index walk allowed: on a table of a few
    rows both are cheaper than any index, and a walk along the list's order is what a common word
    should get anyway. What is left shows which indexes can serve each part."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        try:
            return queryset.explain()
        finally:
            cursor.execute("SET LOCAL enable_seqscan = on")
            cursor.execute("SET LOCAL enable_indexscan = on")


@pytest.fixture
def rare_by_statistics(monkeypatch):
    """The statistics keep no common grams (a fresh table): every term counts as rare, so the
    search adds the index condition. Without this, whatever ANALYZE last saw on the test database
    (another test's rows, committed by a live-server test and read by autovacuum) decides whether
    a term like "0013" is common and walked instead of read from the index."""
    monkeypatch.setattr(search, "_frequencies", lambda model, index_name: {})


@pytest.mark.spec("PERF-1", "SEARCH-1")
@pytest.mark.parametrize("term", ["安装", "安", "苏州恒力", "0013"])
def test_the_plan_reads_the_grams_indexes(inquiries, staff_user, term, rare_by_statistics):
    for queryset in (Inquiry.objects.order_by(*ORDER), inquiry_list(user=staff_user)):
        plan = explain(searched(queryset, term)[:26])
        assert "Bitmap Index Scan on inq_search_grams" in plan, plan
        assert "Bitmap Index Scan on inq_number_upper_idx" in plan, plan
        assert "Seq Scan on presales_inquiry" not in plan, plan
    # the customer-name part (on a few rows the planner may read the tiny name index whole instead)
    plan = explain(Customer.objects.filter(search.Text("name").q(Customer, term)))
    assert "Bitmap Index Scan on customer_name_grams" in plan, plan


HOSTILE = ["%", "_", "\\", "'", '"', "%%", "\\%", "😀", "a" * 500, "安装" * 150, "\x00", "ab\x00cd", "\x1b[31m",
           "\u202e", "\ud800", "' OR 1=1 --", "<script>", "\t安装\n"]


@pytest.mark.spec("PERF-1", "SEARCH-1", "SEC-1")
@pytest.mark.parametrize("term", HOSTILE)
def test_hostile_text_is_a_result_or_a_400_never_a_500(inquiries, staff_user, term):
    client = Client(raise_request_exception=False)
    client.force_login(staff_user)
    encoded = urlencode({"q": term}, encoding="utf-8", errors="surrogatepass")
    page = client.get(f"{reverse('presales:inquiry-list')}?{encoded}")
    api = client.get(f"/api/presales/inquiries/?{encoded}", HTTP_ACCEPT="application/json")
    assert page.status_code in (200, 400), term
    assert api.status_code in (200, 400), term
    if api.status_code == 200 and term in ("%", "_", "\\", "'", '"', "😀", "<script>"):
        expected = [i.number for i in reference(inquiry_list(user=staff_user), term).order_by(*ORDER)]
        assert [row["number"] for row in api.json()["results"]] == expected


@pytest.mark.spec("PERF-1", "SEARCH-1")
@pytest.mark.parametrize("term", ["安装", "苏州恒力", "王工", "0013", "zzzz"])
def test_the_list_page_and_the_api_show_the_search(inquiries, staff_user, term):
    client = Client()
    client.force_login(staff_user)
    expected = [i.number for i in reference(inquiry_list(user=staff_user), term).order_by(*ORDER)]
    api_numbers, url = [], f"/api/presales/inquiries/?{urlencode({'q': term, 'page_size': 1})}"
    while url:
        body = client.get(url, HTTP_ACCEPT="application/json").json()
        api_numbers += [row["number"] for row in body["results"]]
        url = body["next"]
    assert api_numbers == expected
    html = client.get(f"{reverse('presales:inquiry-list')}?{urlencode({'q': term})}").content.decode()
    assert [i.number for i in inquiry_list(user=staff_user) if i.number in html] == expected


# --- the other modules declare their search the same way -------------------------------------------


@pytest.mark.spec("PERF-1", "SEARCH-1")
@pytest.mark.parametrize("term", ["苏州", "恒力", "苏州恒力机械", "0512", "6666", "example", "EXAMPLE.COM", "zzzz", "%"])
def test_the_customer_list_finds_what_icontains_finds(inquiries, staff_user, term):
    expected = list(Customer.objects.filter(Q(name__icontains=term) | Q(phone__icontains=term)
                                            | Q(email__icontains=term)).order_by("name", "id"))
    found = customer_list(user=staff_user, term=term)
    assert list(found) == expected
    assert list(found[:1]) == expected[:1]


@pytest.mark.spec("PERF-1", "SEARCH-1")
def test_orders_deliveries_and_installations_search_by_declaration(db):
    for model, filterset in ((Order, OrderFilter), (Delivery, DeliveryFilter), (Installation, InstallationFilter)):
        declared = search.searchable(model)
        assert declared.parts, model
        condition = filterset({"q": "苏州恒力"}, queryset=model.objects.all()).qs.query
        sql = str(condition)
        assert "qsm_grams" in sql and "UNION" in sql, sql


@pytest.mark.spec("PERF-1", "SEARCH-1")
def test_a_declaration_without_its_index_fails_at_import():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        search.register(Inquiry, search.Text("question"))  # no grams index over "question"
    with pytest.raises(ImproperlyConfigured):
        search.register(Inquiry, search.Exact("subject"))  # no Upper("subject") index


@pytest.mark.spec("PERF-1", "SEARCH-1", "ORG-2")
@pytest.mark.parametrize("common", [False, True])
@pytest.mark.parametrize("term", ["苏州", "恒力机械", "0512", "6666", "139", "13912345678", "zzzz", "example"])
def test_the_customer_type_ahead_finds_name_phone_or_a_contacts_phone(inquiries, term, common, monkeypatch):
    from qsm.org.models import Contact
    from qsm.org.selectors import customer_search

    hengli = Customer.objects.get(name="苏州恒力机械有限公司")
    Contact.objects.create(customer=hengli, name="王工", phone="13912345678")
    Contact.objects.create(customer=hengli, name="李工", phone="13912340000")  # two matching contacts: one row
    if common:
        class Everywhere(dict):
            def get(self, key, default=None):
                return 0.9

        monkeypatch.setattr(search, "_frequencies", lambda model, index: Everywhere(x=0.9))
    expected = list(Customer.objects.filter(Q(name__icontains=term) | Q(phone__icontains=term)
                                            | Q(contacts__phone__icontains=term)).distinct().order_by("name", "id"))
    assert list(customer_search(term=term, limit=10)) == expected[:10]
    assert list(customer_search(term=term, limit=1)) == expected[:1]
