"""WF-2: the timeline says who (staff, customer, system), through what (page, API, link, system),
and speaks the reader's language: events store field names and raw values only."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from orders import services as order_services
from orders.models import Order
from presales import services as presales_services
from presales.models import Inquiry
from presales.workflows import INQUIRY_WORKFLOW
from qsm.errors import PermissionDenied
from qsm.workflow import engine
from qsm.workflow.actors import CustomerActor, SystemActor, is_system
from qsm.workflow.engine import Transition, Workflow
from qsm.workflow.models import Event
from qsm.workflow.selectors import timeline
from tests.builders.inquiries import new_inquiry
from tests.builders.orders import delivery_in, new_order, order_in, priced_product

S = Order.Status


def _edits(record) -> list:
    return [e for e in timeline(record) if e.kind == "edit"]


# --- the reader's language -----------------------------------------------------------------------


@pytest.mark.spec("WF-2")
def test_an_edit_made_in_english_reads_in_chinese_to_a_chinese_reader(staff_user):
    inquiry = new_inquiry(actor=staff_user)
    # given an edit made in the English UI
    with translation.override("en"):
        presales_services.inquiry_mark_complex(inquiry=inquiry, actor=staff_user, is_complex=True)
    # then the event stores the field name and raw values, in no one's language
    event = Event.objects.filter(object_id=inquiry.pk, content_type__model="inquiry", kind="edit").get()
    assert event.changes == [{"field": "is_complex", "old": False, "new": True}]
    # and each reader gets it in their own language
    with translation.override("zh-hans"):
        [change] = _edits(inquiry)[-1].changes
        assert (change["label"], change["old"], change["new"]) == ("复杂需求", "否", "是")
    with translation.override("en"):
        [change] = _edits(inquiry)[-1].changes
        assert (change["label"], change["old"], change["new"]) == ("complex need", "no", "yes")


@pytest.mark.spec("WF-2")
def test_choices_dates_foreign_keys_and_many_to_many_are_rendered_when_read(staff_user, customer, product):
    inquiry = new_inquiry(actor=staff_user)
    with translation.override("en"):
        presales_services.inquiry_update(inquiry=inquiry, actor=staff_user,
                                         data={"priority": "high", "customer": customer, "products": [product]})
    events = Event.objects.filter(object_id=inquiry.pk, content_type__model="inquiry", kind="edit").order_by("id")
    stored = [c for e in events for c in e.changes]
    assert {"field": "priority", "old": "normal", "new": "high"} in stored
    assert {"field": "products", "old": [], "new": [product.pk]} in stored
    fk = next(c for c in stored if c["field"] == "customer")
    assert fk["new"] == customer.pk and isinstance(fk["old"], int)
    with translation.override("zh-hans"):
        rendered = {c["field"]: c for e in _edits(inquiry) for c in e.changes}
    assert (rendered["priority"]["label"], rendered["priority"]["old"], rendered["priority"]["new"]) == (
        "优先级", "普通", "高")
    assert rendered["customer"]["new"] == str(customer)  # the id's name, looked up when read
    assert (rendered["products"]["old"], rendered["products"]["new"]) == ("—", str(product))


@pytest.mark.spec("WF-2", "ORD-1")
def test_an_order_line_change_shows_no_python_none(sales_user, customer):
    # given an order whose amended line had no unit price (possible before issue 7 made the price
    # required: such events stay on old orders' timelines), and a new promised date
    product = priced_product()
    order = new_order(actor=sales_user, customer=customer, product=product)
    new_date = timezone.localdate() + dt.timedelta(days=45)
    with translation.override("en"):
        order_services.order_update(order=order, actor=sales_user, data={"promised_date": new_date})
        engine.record_change(order, actor=sales_user, field="lines",
                             old=[{"product": product.pk, "quantity": Decimal("2.00"), "unit_price": Decimal("100000.00")}],
                             new=[{"product": product.pk, "quantity": Decimal("3"), "unit_price": None}])
    # then the lines are stored as structured rows of raw values
    lines = Event.objects.filter(object_id=order.pk, content_type__model="order", kind="edit",
                                 changes__0__field="lines").get()
    assert lines.changes[0]["old"] == [{"product": product.pk, "quantity": "2", "unit_price": "100000"}]
    assert lines.changes[0]["new"] == [{"product": product.pk, "quantity": "3", "unit_price": None}]
    # and read in Chinese, with the product's name, the empty price as "—" and a localised date
    with translation.override("zh-hans"):
        rendered = {c["field"]: c for e in _edits(order) for c in e.changes}
    assert rendered["lines"]["label"] == "订单明细"
    assert rendered["lines"]["new"] == f"产品: {product}, 数量: 3, 单价: —"
    assert "None" not in rendered["lines"]["old"] + rendered["lines"]["new"]
    assert rendered["promised_date"]["new"] == f"{new_date.year}年{new_date.month}月{new_date.day}日"


@pytest.mark.spec("WF-2")
def test_a_legacy_change_that_could_not_be_mapped_is_shown_as_written(staff_user):
    inquiry = new_inquiry(actor=staff_user)
    Event.objects.create(content_type=ContentType.objects.get_for_model(inquiry), object_id=inquiry.pk,
                         kind="edit", actor=staff_user,
                         changes=[{"field": "customer", "label": "customer", "old": "已改名的公司", "new": ""}])
    with translation.override("zh-hans"):
        [change] = _edits(inquiry)[-1].changes
    assert (change["label"], change["old"], change["new"]) == ("customer", "已改名的公司", "—")


@pytest.mark.spec("WF-2")
def test_legacy_changes_are_converted_to_raw_values(staff_user, customer):
    from django.apps import apps

    from qsm.workflow.legacy import convert_edit_changes

    inquiry = new_inquiry(actor=staff_user)
    ct = ContentType.objects.get_for_model(inquiry)
    # given edits written before, in English and in Chinese, and one that names a vanished customer
    english = Event.objects.create(content_type=ct, object_id=inquiry.pk, kind="edit", actor=staff_user, changes=[
        {"field": "is_complex", "label": "complex need", "old": "no", "new": "yes"},
        {"field": "priority", "label": "priority", "old": "Normal", "new": "High"}])
    chinese = Event.objects.create(content_type=ct, object_id=inquiry.pk, kind="edit", actor=staff_user, changes=[
        {"field": "priority", "label": "优先级", "old": "高", "new": "紧急"},
        {"field": "customer", "label": "客户", "old": customer.name, "new": "不存在的公司"},
        {"field": "subject", "label": "主题", "old": "旧", "new": "新"}])
    # when the data migration's conversion runs
    converted, kept = convert_edit_changes(apps, "presales", "Inquiry")
    # then what maps back unambiguously is raw, and the rest is kept as written
    english.refresh_from_db()
    chinese.refresh_from_db()
    assert english.changes == [{"field": "is_complex", "old": False, "new": True},
                               {"field": "priority", "old": "normal", "new": "high"}]
    assert chinese.changes[0] == {"field": "priority", "old": "high", "new": "urgent"}
    assert chinese.changes[1]["label"] == "客户"  # "不存在的公司" names no customer: kept
    assert chinese.changes[2] == {"field": "subject", "old": "旧", "new": "新"}
    assert (converted, kept) == (4, 1)


def test_a_legacy_lines_note_becomes_a_structured_change(sales_user, customer):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("orders.migrations.0007_follow_up_queue_and_raw_timeline")
    product = priced_product(code="VMC-1")
    order = new_order(actor=sales_user, customer=customer, product=product)
    ct = ContentType.objects.get_for_model(order)
    note = Event.objects.create(content_type=ct, object_id=order.pk, kind="edit", actor=sales_user,
                                comment="明细：VMC-1×2.00@100000.00 → VMC-1×3@None")
    unknown = Event.objects.create(content_type=ct, object_id=order.pk, kind="edit", actor=sales_user,
                                   comment="Lines: GONE×1@1 → GONE×2@1")
    migration._raw_timeline(apps, None)
    note.refresh_from_db()
    unknown.refresh_from_db()
    assert note.comment == "" and note.changes == [{"field": "lines", "old": [
        {"product": product.pk, "quantity": "2", "unit_price": "100000"}], "new": [
        {"product": product.pk, "quantity": "3", "unit_price": None}]}]
    assert unknown.changes == [] and unknown.comment.startswith("Lines:")  # an unknown product: kept


# --- distinct kinds ------------------------------------------------------------------------------


@pytest.mark.spec("WF-2", "PRE-3")
def test_a_solution_and_a_meeting_note_are_not_plain_comments(staff_user, production_department):
    inquiry = new_inquiry(actor=staff_user)
    presales_services.inquiry_mark_complex(inquiry=inquiry, actor=staff_user, is_complex=True)
    inquiry = presales_services.inquiry_respond(inquiry=Inquiry.objects.get(pk=inquiry.pk), actor=staff_user,
                                                answer="已初步答复")
    presales_services.inquiry_open_discussion(inquiry=inquiry, actor=staff_user, topic="方案讨论",
                                              departments=[production_department])
    inquiry = Inquiry.objects.get(pk=inquiry.pk)
    presales_services.discussion_note_add(inquiry=inquiry, actor=staff_user, body="会议纪要")
    presales_services.solution_add(inquiry=inquiry, actor=staff_user, title="方案", content="内容")
    with translation.override("zh-hans"):
        entries = {e.kind: e for e in timeline(inquiry)}
    assert entries["meeting_note"].kind_label != entries["solution"].kind_label
    assert "comment" not in entries
    assert entries["meeting_note"].comment == "会议纪要"


# --- one timeline for a record and its children ------------------------------------------------------


@pytest.mark.spec("WF-2")
def test_a_record_and_its_children_are_read_in_one_query(sales_user, customer, django_assert_num_queries):
    small = order_in(S.IN_PRODUCTION, actor=sales_user, customer=customer, quantity="1")
    delivery_in("shipped", order=small, actor=sales_user)
    big = order_in(S.IN_PRODUCTION, actor=sales_user, customer=customer, quantity="8", product=priced_product("B-1"))
    for _n in range(4):
        delivery_in("shipped", order=big, actor=sales_user)
    ContentType.objects.get_for_models(Order, *[type(d) for d in small.deliveries.all()])  # warm the cache
    for order, count in ((small, 1), (big, 4)):
        deliveries = list(order.deliveries.all())
        assert len(deliveries) == count
        with django_assert_num_queries(1):
            entries = timeline(order, children=[(d, f"D{d.number}") for d in deliveries])
        assert {e.subject for e in entries} == {"", *[f"D{d.number}" for d in deliveries]}
        assert [e.at for e in entries] == sorted(e.at for e in entries)


@pytest.mark.spec("WF-2")
def test_the_order_page_and_the_api_tell_the_same_story(sales_user, customer):
    order = order_in(S.IN_PRODUCTION, actor=sales_user, customer=customer)
    delivery = delivery_in("shipped", order=order, actor=sales_user)
    order_services.delivery_confirm(delivery=delivery, actor=sales_user, quality_note="ok")
    page = _client(sales_user).get(order.get_absolute_url())
    api = _api(sales_user).get(f"/api/orders/orders/{order.pk}/timeline/")
    assert api.status_code == 200
    page_story = [(e.subject, e.kind, e.event.action or None) for e in page.context["timeline"]]  # API: null, not ""
    api_story = [(e["subject"], e["kind"], e["action"]) for e in api.data]
    assert page_story == api_story
    assert any(subject and action == "confirm" for subject, _kind, action in api_story)  # the delivery's own event


# --- who and through what ----------------------------------------------------------------------------


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _api(user):
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.spec("WF-2")
def test_each_event_records_whether_it_came_from_a_page_the_api_or_the_system(sales_user, customer):
    by_page = order_in(S.APPROVED, actor=sales_user, customer=customer)
    by_api = order_in(S.APPROVED, actor=sales_user, customer=customer, product=priced_product("A-2"))
    # when one order starts production from its page and the other through the API
    response = _client(sales_user).post(reverse("orders:order-fire", args=[by_page.pk]),
                                        {"action": "start_production", "comment": ""})
    assert response.status_code in (200, 302)
    assert _api(sales_user).post(f"/api/orders/orders/{by_api.pk}/start-production/", {}, format="json"
                                 ).status_code == 200

    def last(order):
        return Event.objects.filter(object_id=order.pk, content_type__model="order").latest("id")

    assert (last(by_page).action, last(by_page).via, last(by_page).actor) == ("start_production", "page", sales_user)
    assert (last(by_api).action, last(by_api).via, last(by_api).actor) == ("start_production", "api", sales_user)
    # and a service called outside any request (a worker, a command) says "system"
    assert Event.objects.filter(object_id=by_page.pk, content_type__model="order", action="approve").get().via == "system"
    with translation.override("zh-hans"):
        entry = timeline(Order.objects.get(pk=by_api.pk))[-1]
    assert (entry.via, entry.via_label, entry.actor_name) == ("api", "API", str(sales_user))


@pytest.mark.spec("WF-1", "WF-2")
def test_the_system_and_a_customer_fire_only_what_the_table_allows_them(staff_user, monkeypatch):
    inquiry = new_inquiry(actor=staff_user)
    sweep = SystemActor("stale_inquiry_sweep")
    customer = CustomerActor(name="王经理", link_id=None, purpose="inquiry_feedback")
    # the real table names staff only: the system and a customer are refused, nothing is written
    events = Event.objects.count()
    for actor in (sweep, customer):
        with pytest.raises(PermissionDenied):
            engine.fire(inquiry, "cancel", actor=actor, comment="x")
    assert Event.objects.count() == events and Inquiry.objects.get(pk=inquiry.pk).status == "new"
    # a table that allows the system explicitly lets the sweep fire, recorded as the system
    cancel = INQUIRY_WORKFLOW.by_action["cancel"]
    table = Workflow(model=Inquiry, transitions=[
        Transition("cancel", cancel.sources, cancel.target, cancel.label, cancel.allowed | is_system,
                   effect=cancel.effect)])
    monkeypatch.setitem(engine._registry, Inquiry, table)
    engine.fire(inquiry, "cancel", actor=sweep, comment="30 天无回复")
    event = Event.objects.filter(object_id=inquiry.pk, content_type__model="inquiry").latest("id")
    assert (event.actor, event.actor_kind, event.actor_label, event.via) == (None, "system", "stale_inquiry_sweep",
                                                                              "system")
    with translation.override("zh-hans"):
        assert timeline(inquiry)[-1].actor_name == "系统"


# --- what a service's own lines say ------------------------------------------------------------------


@pytest.mark.spec("WF-2", "ORD-1", "PRE-3")
def test_review_results_and_a_solution_read_in_the_readers_language(sales_user, customer, staff_user,
                                                                    production_department):
    from tests.builders.orders import pass_all

    order = new_order(actor=sales_user, customer=customer)
    with translation.override("en"):
        pass_all(order, sales_user, prices=("waived", "老客户特价"))
    event = Event.objects.filter(object_id=order.pk, content_type__model="order", action="review_findings").get()
    assert event.kind == "review" and event.comment == ""
    assert ["prices", "waived", "老客户特价"] in event.data["findings"]
    with translation.override("zh-hans"):
        entry = next(e for e in timeline(order) if e.event.pk == event.pk)
    assert "价格在允许范围内: 豁免 (老客户特价)" in entry.summary and "客户资料完整: 通过" in entry.summary
    assert "Waived" not in entry.summary and entry.kind_label == "审核"
    with translation.override("en"):
        assert "Waived (老客户特价)" in next(e for e in timeline(order) if e.event.pk == event.pk).summary

    inquiry = new_inquiry(actor=staff_user)
    presales_services.inquiry_mark_complex(inquiry=inquiry, actor=staff_user, is_complex=True)
    presales_services.inquiry_respond(inquiry=Inquiry.objects.get(pk=inquiry.pk), actor=staff_user, answer="已答复")
    presales_services.inquiry_open_discussion(inquiry=Inquiry.objects.get(pk=inquiry.pk), actor=staff_user,
                                              topic="方案", departments=[production_department])
    with translation.override("en"):
        presales_services.solution_add(inquiry=Inquiry.objects.get(pk=inquiry.pk), actor=staff_user,
                                       title="液压夹具方案", content="内容")
    with translation.override("zh-hans"):
        solution = next(e for e in timeline(inquiry) if e.kind == "solution")
    assert solution.summary == "个性化解决方案 v1：液压夹具方案" and solution.comment == ""


def test_legacy_service_lines_are_converted_to_data(sales_user, customer, staff_user):
    import importlib

    from django.apps import apps

    orders_migration = importlib.import_module("orders.migrations.0007_follow_up_queue_and_raw_timeline")
    presales_migration = importlib.import_module("presales.migrations.0002_timeline_events_store_raw_values")
    order = new_order(actor=sales_user, customer=customer)
    inquiry = new_inquiry(actor=staff_user)
    order_ct, inquiry_ct = ContentType.objects.get_for_model(order), ContentType.objects.get_for_model(inquiry)

    def legacy(ct, record, **fields):
        return Event.objects.create(content_type=ct, object_id=record.pk, actor=staff_user, **fields)

    review = legacy(order_ct, order, kind="comment", action="review_findings",
                    comment="客户资料完整: 通过; Prices within the allowed range: Waived (老客户)")
    odd = legacy(order_ct, order, kind="comment", action="review_findings", comment="价格: 通过; 乱写")
    created = legacy(order_ct, order, kind="created", comment="由咨询 INQ-2026-000007 转入")
    solution = legacy(inquiry_ct, inquiry, kind="comment", action="solution", comment="Tailored solution v3: 夹具方案")
    orders_migration._raw_timeline(apps, None)
    presales_migration.forwards(apps, None)
    for e in (review, odd, created, solution):
        e.refresh_from_db()
    assert (review.kind, review.comment, review.data) == ("review", "", {"findings": [
        ["customer", "pass", ""], ["prices", "waived", "老客户"]]})
    assert (odd.kind, odd.comment, odd.data) == ("review", "价格: 通过; 乱写", {})  # kept as written
    assert (created.action, created.comment, created.data) == ("from_inquiry", "", {"inquiry": "INQ-2026-000007"})
    assert (solution.kind, solution.comment, solution.data) == ("solution", "", {"version": 3, "title": "夹具方案"})
    with translation.override("en"):
        first = next(e for e in timeline(order) if e.event.pk == created.pk)
    assert first.summary == "Converted from inquiry INQ-2026-000007"
