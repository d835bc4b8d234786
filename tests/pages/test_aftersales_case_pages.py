"""AFS-1/AFS-2 pages: the fast intake (routing shown; bad input saves nothing), the order type-ahead,
the case page (actions, diagnosis, re-routing, the paused clock, another department's case is a 404)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.models import Case, RoutingRule
from qsm.org.models import Customer, Role
from tests.aftersales.cases_support import a_cause, case_in, new_case
from tests.factories import ProductFactory, UserFactory

S = Case.Status
pytestmark = pytest.mark.django_db


def _intake(**overrides) -> dict:
    data = {
        "channel": "phone", "customer": "new", "new_customer_name": "江南精密制造", "new_customer_phone": "0512-88886666",
        "new_customer_contact": "陈工", "contact_name": "", "contact_phone": "", "case_type": "product_quality",
        "severity": "high", "subject": "主轴异响", "description": "设备运行时主轴有异响",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- intake ------------------------------------------------------------------------------------------


@pytest.mark.spec("AFS-1")
def test_the_intake_form_offers_channels_types_severities_and_the_type_aheads(login, staff_user, product):
    html = login(staff_user).get(reverse("aftersales:case-create")).content.decode()
    for channel in ("phone", "email", "chat", "visit", "other"):
        assert f'name="channel" value="{channel}"' in html
    for kind in ("product_quality", "service", "other"):
        assert f'name="case_type" value="{kind}"' in html
    assert reverse("org:customer-lookup") in html and reverse("aftersales:order-lookup") in html
    assert 'name="customer" value="new"' in html and product.code in html


@pytest.mark.spec("AFS-1")
def test_intake_routes_and_the_case_page_shows_department_and_owner(login, staff_user, other_department):
    engineer = UserFactory(username="engineer", display_name="赵工程师", department=other_department,
                           roles=[Role.STAFF])
    RoutingRule.objects.create(case_type="product_quality", severity="high", department=other_department,
                               default_owner=engineer, position=1)
    client = login(staff_user)
    response = client.post(reverse("aftersales:case-create"), _intake(), follow=True)
    case = Case.objects.get()
    assert (case.department, case.owner) == (other_department, engineer)
    assert case.customer.name == "江南精密制造" and case.contact_name == "陈工"
    # routed to a department the staff member does not work in: back to a fresh form, whose message
    # says where the case went (its page is the engineering department's now)
    assert response.redirect_chain[-1][0] == reverse("aftersales:case-create") + "?channel=phone"
    message = " ".join(str(m) for m in response.context["messages"])
    assert case.number in message and other_department.name in message and "赵工程师" in message
    # the engineer opens it: the page shows department and owner
    html = login(engineer).get(case.get_absolute_url()).content.decode()
    assert f"{other_department.name} · 赵工程师" in html


@pytest.mark.spec("AFS-1")
def test_intake_kept_in_the_department_lands_on_the_case_page(login, staff_user, colleague, business_department):
    RoutingRule.objects.create(case_type="product_quality", department=business_department, default_owner=colleague)
    response = login(staff_user).post(reverse("aftersales:case-create"), _intake())
    case = Case.objects.get()
    assert case.owner == colleague
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()


@pytest.mark.spec("AFS-1")
def test_intake_for_an_accepted_order_found_by_its_po(login, staff_user, customer):
    from tests.builders.orders import order_in

    order = order_in("delivered", actor=staff_user, customer=customer)
    order.customer_reference = "PO-7788"
    order.save(update_fields=["customer_reference"])
    client = login(staff_user)
    fragment = client.get(reverse("aftersales:order-lookup"), {"order_q": "PO-7788"}).content.decode()
    assert f'name="order" value="{order.pk}"' in fragment
    delivery = order.deliveries.first()
    response = client.post(reverse("aftersales:case-create"), _intake(
        customer="", new_customer_name="", order=str(order.pk), delivery=str(delivery.pk) if delivery else ""))
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.order == order and case.customer == customer and case.delivery == delivery


@pytest.mark.spec("AFS-1", "ORG-1")
def test_the_order_lookup_finds_by_number_and_product_and_only_visible_orders(login, staff_user,
                                                                              other_department_staff, customer):
    from tests.builders.orders import order_in

    pump = ProductFactory(code="PUMP-77", name="高压水泵", list_price=Decimal("5000.00"))
    mine = order_in("delivered", actor=staff_user, customer=customer, product=pump)
    theirs = order_in("delivered", actor=other_department_staff, customer=customer, product=pump)
    client = login(staff_user)
    for term in (mine.number, "PUMP-77", "高压水泵"):
        fragment = client.get(reverse("aftersales:order-lookup"), {"order_q": term}).content.decode()
        assert f'value="{mine.pk}"' in fragment, term
        assert f'value="{theirs.pk}"' not in fragment, term


@pytest.mark.spec("AFS-1")
@pytest.mark.parametrize(("change", "field"), [
    ({"channel": ""}, "channel"),
    ({"case_type": ""}, "case_type"),
    ({"subject": ""}, "subject"),
    ({"description": ""}, "description"),
    ({"customer": "", "new_customer_name": ""}, "customer"),
    ({"customer": "new", "new_customer_name": ""}, "new_customer_name"),
    ({"order": "999999", "customer": "", "new_customer_name": ""}, "order"),
    ({"received_at": "2999-01-01T09:00"}, "received_at"),
])
def test_bad_intake_shows_the_errors_and_saves_nothing(login, staff_user, change, field):
    response = login(staff_user).post(reverse("aftersales:case-create"), _intake(**change))
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not Case.objects.exists() and not Customer.objects.filter(name="江南精密制造").exists()


@pytest.mark.spec("AFS-1", "ORG-1")
def test_intake_is_refused_to_people_outside_business_and_quality(login, production_user):
    client = login(production_user)
    assert client.get(reverse("aftersales:case-create")).status_code == 403
    assert client.post(reverse("aftersales:case-create"), _intake()).status_code == 403
    assert not Case.objects.exists()


# --- the case page -------------------------------------------------------------------------------------


def _page(client, case):
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.spec("AFS-2")
def test_the_case_page_walks_a_general_case_to_resolved(login, staff_user, customer):
    case = new_case(actor=staff_user, customer=customer)
    client = login(staff_user)
    html = _page(client, case)
    assert 'id="reply"' in html and 'data-action="reroute"' in html
    fire = reverse("aftersales:case-fire", args=[case.pk])
    assert client.post(fire, {"action": "reply", "reply": "已电话回复"}).status_code == 302
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS and case.reply == "已电话回复"
    html = _page(client, case)
    assert 'data-action="resolve"' in html and 'id="diagnosis-form"' in html
    r = client.post(reverse("aftersales:case-diagnose", args=[case.pk]), {
        "diagnosis": "轴承磨损", "cause": a_cause().pk, "cause_detail": "润滑不足", "solution": "更换轴承"})
    assert r.status_code == 302
    assert client.post(fire, {"action": "resolve"}).status_code == 302
    case.refresh_from_db()
    assert case.status == S.RESOLVED and case.diagnosis == "轴承磨损"
    html = _page(client, case)
    assert 'data-action="reopen"' in html and 'data-action="close"' in html


@pytest.mark.spec("AFS-2", "WF-1")
def test_resolving_without_a_diagnosis_is_refused_on_the_page(login, staff_user, customer):
    case = case_in(S.IN_PROGRESS, actor=staff_user, customer=customer)
    r = login(staff_user).post(reverse("aftersales:case-fire", args=[case.pk]), {"action": "resolve"})
    assert r.status_code == 400
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS


@pytest.mark.spec("AFS-2", "WF-1")
def test_an_illegal_action_is_409_and_a_missing_reply_400(login, staff_user, customer):
    case = new_case(actor=staff_user, customer=customer)
    client = login(staff_user)
    fire = reverse("aftersales:case-fire", args=[case.pk])
    assert client.post(fire, {"action": "close"}).status_code == 409
    r = client.post(fire, {"action": "reply", "reply": ""})
    assert r.status_code == 400 and r.context["reply_form"].errors
    case.refresh_from_db()
    assert case.status == S.NEW


@pytest.mark.spec("AFS-2", "SLA-1")
def test_a_case_waiting_for_the_customer_shows_its_clock_paused(login, staff_user, customer):
    case = case_in(S.IN_PROGRESS, actor=staff_user, customer=customer)
    client = login(staff_user)
    r = client.post(reverse("aftersales:case-fire", args=[case.pk]), {"action": "wait_customer",
                                                                      "comment": "等待客户提供照片"})
    assert r.status_code == 302
    html = _page(client, case)
    assert 'id="paused-badge"' in html and "paused-clock" in html
    assert "等待客户 — 计时暂停" in html  # the Chinese UI says it in the policy's words
    assert client.post(reverse("aftersales:case-fire", args=[case.pk]), {"action": "resume"}).status_code == 302
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS
    assert 'id="paused-badge"' not in _page(client, case)


@pytest.mark.spec("AFS-1", "WF-2")
def test_rerouting_on_the_page_needs_a_reason(login, staff_user, colleague, customer):
    case = new_case(actor=staff_user, customer=customer)
    client = login(staff_user)
    url = reverse("aftersales:case-reroute", args=[case.pk])
    r = client.post(url, {"owner": colleague.pk, "reason": ""})
    assert r.status_code == 400 and r.context["reroute_form"].errors.get("reason")
    case.refresh_from_db()
    assert case.owner == staff_user
    assert client.post(url, {"owner": colleague.pk, "reason": "同事负责该客户"}).status_code == 302
    case.refresh_from_db()
    assert case.owner == colleague
    assert "同事负责该客户" in _page(client, case)  # the reason is on the timeline


@pytest.mark.spec("AFS-2")
def test_the_contact_log_on_the_case_page(login, staff_user, customer):
    case = case_in(S.IN_PROGRESS, actor=staff_user, customer=customer)
    client = login(staff_user)
    url = reverse("aftersales:case-contact-add", args=[case.pk])
    r = client.post(url, {"kind": "communication", "channel": "phone", "direction": "out", "summary": ""})
    assert r.status_code == 400
    r = client.post(url, {"kind": "communication", "channel": "phone", "direction": "out",
                          "summary": "告知客户明天上门"})
    assert r.status_code == 302 and "告知客户明天上门" in _page(client, case)


@pytest.mark.spec("ORG-1")
def test_another_departments_case_is_a_404_on_every_page(login, staff_user, other_department_staff, customer):
    case = case_in(S.IN_PROGRESS, actor=staff_user, customer=customer)
    client = login(other_department_staff)
    assert client.get(case.get_absolute_url()).status_code == 404
    for name, data in (("case-fire", {"action": "resolve"}), ("case-diagnose", {"diagnosis": "x"}),
                       ("case-reroute", {"reason": "x", "owner": other_department_staff.pk}),
                       ("case-contact-add", {"kind": "communication", "channel": "phone", "direction": "out",
                                             "summary": "x"})):
        assert client.post(reverse(f"aftersales:{name}", args=[case.pk]), data).status_code == 404, name
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS and case.diagnosis == ""


@pytest.mark.spec("AFS-2")
def test_reopening_on_the_page_within_and_after_the_window(login, staff_user, customer, settings):
    import datetime as dt

    settings.AFTERSALES_REOPEN_DAYS = 30
    client = login(staff_user)
    case = case_in(S.RESOLVED, actor=staff_user, customer=customer)
    fire = reverse("aftersales:case-fire", args=[case.pk])
    r = client.post(fire, {"action": "reopen", "comment": ""})
    assert r.status_code == 400  # the reason is required
    assert client.post(fire, {"action": "reopen", "comment": "同样的问题又出现"}).status_code == 302
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS and case.reopen_count == 1
    assert 'id="reopen-badge"' in _page(client, case)
    # a case resolved long ago is not reopened: the page says to log a new case
    old = case_in(S.RESOLVED, actor=staff_user, customer=customer)
    Case.objects.filter(pk=old.pk).update(resolved_at=timezone.now() - dt.timedelta(days=45))
    r = client.post(reverse("aftersales:case-fire", args=[old.pk]), {"action": "reopen", "comment": "又坏了"})
    assert r.status_code == 409
    assert "30" in " ".join(str(m) for m in r.context["messages"])
    old.refresh_from_db()
    assert old.status == S.RESOLVED and old.reopen_count == 0


@pytest.mark.spec("AFS-1")
def test_a_refused_intake_keeps_the_picked_order(login, staff_user, customer):
    from tests.builders.orders import order_in

    order = order_in("delivered", actor=staff_user, customer=customer)
    r = login(staff_user).post(reverse("aftersales:case-create"), _intake(
        customer="", new_customer_name="", order=str(order.pk), subject=""))
    assert r.status_code == 400 and r.context["form"].errors.get("subject")
    html = r.content.decode()
    assert f'name="order" value="{order.pk}" checked' in html  # nothing to pick again
    assert not Case.objects.exists()
