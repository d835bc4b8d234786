"""ADMIN-1: the Django admin for reference data, and read-mostly views of the workflow records."""
from __future__ import annotations

import pytest
from django.urls import reverse

from orders.services import order_create_from_inquiry
from presales import services
from presales.models import Inquiry
from qsm.workflow.models import Event
from tests.factories import make_inquiry

S = Inquiry.Status


@pytest.fixture
def converted(staff_user, sales_user, customer, product):
    """An inquiry handed over to sales and converted into an order."""
    inquiry = make_inquiry(actor=staff_user, customer=customer, answer="已介绍型号", products=[product])
    inquiry = services.inquiry_hand_over(inquiry=inquiry, actor=staff_user, department=sales_user.department)
    inquiry = services.inquiry_acknowledge(inquiry=inquiry, actor=sales_user)
    return order_create_from_inquiry(inquiry=inquiry, actor=sales_user)


@pytest.mark.spec("ADMIN-1")
@pytest.mark.parametrize("model", [
    "org_department", "org_user", "org_customer", "org_product", "sla_slapolicy", "sla_workcalendar",
    "sla_calendarday", "presales_inquiry", "presales_discussion", "presales_solution", "presales_communication",
    "orders_order",
])
def test_superuser_sees_each_changelist(admin_client, converted, model):
    response = admin_client.get(reverse(f"admin:{model}_changelist"))

    assert response.status_code == 200


@pytest.mark.spec("ADMIN-1")
def test_changelists_list_the_records(admin_client, converted):
    inquiries = admin_client.get(reverse("admin:presales_inquiry_changelist"), {"q": converted.source_inquiry.number})
    orders = admin_client.get(reverse("admin:orders_order_changelist"))

    assert converted.source_inquiry.number in inquiries.content.decode()
    assert converted.number in orders.content.decode()


@pytest.mark.spec("ADMIN-1", "WF-1", "WF-2")
def test_inquiry_status_cannot_be_edited_and_corrections_reach_the_timeline(admin_client, admin_user, staff_user,
                                                                          customer):
    # given an open inquiry
    inquiry = make_inquiry(actor=staff_user, customer=customer, subject="咨询报价", answer="已答复")
    url = reverse("admin:presales_inquiry_change", args=[inquiry.pk])

    # when the change form is shown
    page = admin_client.get(url).content.decode()

    # then it has no status input, only the status shown as text
    assert 'name="status"' not in page
    assert 'name="subject"' in page
    assert str(Inquiry.Status.ANSWERED.label) in page

    # when an administrator posts a corrected subject together with a forged status
    response = admin_client.post(url, {
        "channel": inquiry.channel, "priority": inquiry.priority, "customer": customer.pk, "contact_name": "",
        "contact_phone": "", "subject": "咨询报价（更正）", "question": inquiry.question, "status": S.CLOSED,
        "_save": "Save",
    })

    # then the subject is corrected through the service, with a timeline line, and the status is untouched
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.subject == "咨询报价（更正）"
    assert inquiry.status == S.ANSWERED
    edit = Event.objects.filter(object_id=inquiry.pk, content_type__model="inquiry", kind=Event.Kind.EDIT).get()
    assert edit.actor == admin_user
    assert edit.changes[0]["field"] == "subject"


@pytest.mark.spec("ADMIN-1", "WF-2")
def test_finished_inquiry_is_read_only_in_the_admin(admin_client, staff_user, customer):
    inquiry = make_inquiry(actor=staff_user, customer=customer, answer="已答复")
    inquiry = services.inquiry_close(inquiry=inquiry, actor=staff_user)
    url = reverse("admin:presales_inquiry_change", args=[inquiry.pk])

    page = admin_client.get(url)
    post = admin_client.post(url, {"subject": "改不了", "status": S.NEW})

    assert page.status_code == 200
    assert 'name="subject"' not in page.content.decode()
    assert post.status_code == 403
    inquiry.refresh_from_db()
    assert (inquiry.subject, inquiry.status) == ("咨询设备参数", S.CLOSED)


@pytest.mark.spec("ADMIN-1", "WF-2")
def test_inquiries_and_orders_are_neither_added_nor_deleted_in_the_admin(admin_client, converted):
    inquiry = converted.source_inquiry

    assert admin_client.get(reverse("admin:presales_inquiry_add")).status_code == 403
    assert admin_client.get(reverse("admin:presales_inquiry_delete", args=[inquiry.pk])).status_code == 403
    assert admin_client.get(reverse("admin:orders_order_add")).status_code == 403
    assert admin_client.get(reverse("admin:orders_order_delete", args=[converted.pk])).status_code == 403
    assert Inquiry.objects.filter(pk=inquiry.pk).exists()


@pytest.mark.spec("ADMIN-1", "WF-1")
def test_order_page_shows_lines_and_no_status_input(admin_client, converted, product):
    page = admin_client.get(reverse("admin:orders_order_change", args=[converted.pk]))

    content = page.content.decode()
    assert page.status_code == 200
    assert 'name="status"' not in content
    assert str(product) in content


@pytest.mark.spec("ADMIN-1", "ORG-1")
@pytest.mark.parametrize("url_name", ["admin:index", "admin:presales_inquiry_changelist", "admin:org_user_changelist"])
def test_non_staff_user_is_sent_to_the_admin_login(client, staff_user, url_name):
    client.force_login(staff_user)

    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
