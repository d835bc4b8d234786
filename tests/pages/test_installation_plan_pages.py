"""ORD-3 on the order page (issue 7): an impossible installation date is a form error; the engineer
list offers only people who install; reschedule and change-engineers forms with a reason; the new
date on the page and the timeline."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from orders import services
from orders.models import Installation
from qsm.org.models import Role
from tests.factories import UserFactory
from tests.pages import test_order_detail_pages as detail_pages
from tests.pages.test_order_detail_pages import html_of, snapshot
from tests.pages.test_order_pages import today

priced = detail_pages.priced
engineer = detail_pages.engineer
delivered_installation_order = detail_pages.delivered_installation_order


def url(name, order):
    return reverse(f"orders:{name}", args=[order.pk])


@pytest.fixture
def scheduled(delivered_installation_order, sales_user, engineer):
    services.installation_schedule(order=delivered_installation_order, actor=sales_user,
                                   scheduled_for=today() + dt.timedelta(days=2), engineers=[engineer])
    return delivered_installation_order


@pytest.mark.spec("ORD-3", "SEC-1")
def test_a_date_before_the_order_is_a_form_error_in_chinese(login, sales_user, delivered_installation_order,
                                                             engineer):
    order = delivered_installation_order
    before = snapshot(order)

    r = login(sales_user).post(url("installation-schedule", order), {
        "scheduled_for": "2020-01-01", "engineers": [engineer.pk]})

    assert r.status_code == 400
    assert r.context["schedule_form"].errors["scheduled_for"][0].startswith("安装日期不能早于订单接收日期")
    assert "安装日期不能早于订单接收日期" in html_of(r)
    assert snapshot(order) == before


@pytest.mark.spec("ORD-3", "ORG-1")
def test_the_engineer_list_offers_only_people_who_install(login, sales_user, delivered_installation_order,
                                                           engineer, administrator, sales_department):
    sales_engineer = UserFactory(username="sales-eng", display_name="销售工程师", department=sales_department,
                                 roles=[Role.STAFF, Role.INSTALLATION_ENGINEER])
    client = login(sales_user)

    page = client.get(delivered_installation_order.get_absolute_url())

    offered = set(page.context["schedule_form"].fields["engineers"].queryset)
    assert offered == {engineer, sales_engineer}
    # a posted id of someone else is a form error, nothing scheduled
    r = client.post(url("installation-schedule", delivered_installation_order), {
        "scheduled_for": today().isoformat(), "engineers": [administrator.pk]})
    assert r.status_code == 400 and r.context["schedule_form"].errors["engineers"]
    assert not Installation.objects.exists()


@pytest.mark.spec("ORD-3", "WF-2")
def test_reschedule_on_the_page(login, sales_user, scheduled, engineer):
    client = login(sales_user)
    page = client.get(scheduled.get_absolute_url())
    assert 'id="reschedule-form"' in html_of(page) and 'id="engineers-form"' in html_of(page)
    new = today() + dt.timedelta(days=7)

    # without a reason: a form error, the date typed is kept, nothing changes
    before = snapshot(scheduled)
    no_reason = client.post(url("installation-reschedule", scheduled), {"scheduled_for": new.isoformat()})
    assert no_reason.status_code == 400 and no_reason.context["reschedule_form"].errors["reason"]
    assert no_reason.context["reschedule_form"]["scheduled_for"].value() == new.isoformat()
    assert snapshot(scheduled) == before

    done = client.post(url("installation-reschedule", scheduled), {"scheduled_for": new.isoformat(),
                                                                    "reason": "客户厂房未完工"})

    assert done.status_code == 302
    page = client.get(scheduled.get_absolute_url())
    html = html_of(page)
    assert f'id="installation-date">{new:%Y-%m-%d}<' in html
    assert "安装改期" in html and "客户厂房未完工" in html


@pytest.mark.spec("ORD-3", "ORG-1")
def test_the_engineer_does_not_plan_the_installation(login, scheduled, engineer):
    client = login(engineer)

    page = client.get(scheduled.get_absolute_url())
    r = client.post(url("installation-reschedule", scheduled), {
        "scheduled_for": (today() + dt.timedelta(days=7)).isoformat(), "reason": "想改"})

    assert 'id="reschedule-form"' not in html_of(page)
    assert r.status_code == 403


@pytest.mark.spec("ORD-3", "NTF-1")
def test_change_engineers_on_the_page(login, sales_user, scheduled, engineer, production_department):
    other = UserFactory(username="ma", display_name="马军", department=production_department, roles=[Role.MANAGER])
    client = login(sales_user)

    wrong = client.post(url("installation-engineers", scheduled), {"engineers": [sales_user.pk], "reason": "换人"})
    done = client.post(url("installation-engineers", scheduled), {"engineers": [other.pk], "reason": "赵工请假"})

    assert wrong.status_code == 400 and wrong.context["engineers_form"].errors["engineers"]
    assert done.status_code == 302
    html = html_of(client.get(scheduled.get_absolute_url()))
    assert "马军" in html and "更换工程师" in html and "赵工请假" in html
    assert list(Installation.objects.get().engineers.all()) == [other]
