"""ADMIN-1: the Django admin for reference data, and read-mostly views of the workflow records."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from orders import services as order_services
from orders.models import ChecklistItem, Order, ReviewRound
from presales import services
from presales.models import Inquiry
from qsm.workflow.models import Event
from tests.builders.inquiries import inquiry_in, new_inquiry
from tests.builders.orders import installation_in, new_order, order_in

S = Inquiry.Status


@pytest.fixture
def converted(staff_user, sales_user, customer, product):
    """An inquiry handed over to sales and converted into an order."""
    return inquiry_in(S.CONVERTED, actor=staff_user, customer=customer, answer="已介绍型号", products=[product],
                      hand_over_to=sales_user.department, receiver=sales_user).order


@pytest.fixture
def installed(sales_user, customer):
    """An order through review, delivery and installation, rejected once at acceptance, with a
    customer question answered."""
    order = order_in(Order.Status.INSTALLING, actor=sales_user, customer=customer, installation=True)
    installation_in("rework", installation=order.installation, actor=sales_user)
    note = order_services.progress_note_add(order=order, actor=sales_user, kind="question", channel="phone",
                                            text="客户询问调试时间")
    order_services.progress_question_answer(note=note, actor=sales_user, answer="本周五完成")
    return order


@pytest.mark.spec("ADMIN-1")
@pytest.mark.parametrize("model", [
    "org_department", "org_user", "org_customer", "org_product", "sla_slapolicy", "sla_workcalendar",
    "sla_calendarday", "presales_inquiry", "discussions_discussion", "discussions_solution", "contacts_contactentry",
    "orders_order", "orders_reviewround", "orders_delivery", "orders_installation",
])
def test_superuser_sees_each_changelist(admin_client, converted, installed, model):
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
    inquiry = new_inquiry(actor=staff_user, customer=customer, subject="咨询报价", answer="已答复")
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
    inquiry = new_inquiry(actor=staff_user, customer=customer, answer="已答复")
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


@pytest.mark.spec("ADMIN-1", "WF-1")
@pytest.mark.parametrize("model,shown", [
    ("orders_reviewround", [ChecklistItem.CUSTOMER.label, ReviewRound.Outcome.APPROVED.label]),
    ("orders_delivery", ["数量、外观无误"]),
    ("orders_installation", ["噪音偏大", "希望尽快处理"]),
    ("contacts_contactentry", ["客户询问调试时间", "本周五完成"]),
])
def test_order_records_are_read_only_with_their_details(admin_client, installed, model, shown):
    record = {
        "orders_reviewround": lambda: installed.review_rounds.get(),
        "orders_delivery": lambda: installed.deliveries.get(),
        "orders_installation": lambda: installed.installation,
        "contacts_contactentry": lambda: installed.progress_notes.get(),
    }[model]()
    change_url = reverse(f"admin:{model}_change", args=[record.pk])

    page = admin_client.get(change_url)
    post = admin_client.post(change_url, {"status": "accepted", "outcome": "approved"})

    content = page.content.decode()
    assert page.status_code == 200
    with translation.override(settings.LANGUAGE_CODE):  # the language the admin page speaks
        shown = [str(text) for text in shown]
    assert all(text in content for text in shown), shown
    assert 'name="status"' not in content and 'name="outcome"' not in content
    assert "<textarea" not in content  # not one editable field, inlines included
    assert post.status_code == 403
    assert admin_client.get(reverse(f"admin:{model}_add")).status_code == 403
    assert admin_client.get(reverse(f"admin:{model}_delete", args=[record.pk])).status_code == 403


@pytest.mark.spec("ADMIN-1", "WF-1", "WF-2")
def test_order_in_review_is_corrected_through_the_service_and_status_is_never_edited(admin_client, admin_user,
                                                                                     sales_user, customer):
    # given an order in review
    order = new_order(actor=sales_user, customer=customer, installation=True)
    url = reverse("admin:orders_order_change", args=[order.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="status"' not in page and 'name="site_contact"' in page

    # when an administrator corrects the site contact and forges a status
    form = {"customer_reference": "", "needs": "", "promised_date": order.promised_date.isoformat(),
            "installation_required": "on", "site_address": order.site_address, "site_contact": "李工 13900002222",
            "status": Order.Status.ACCEPTED, "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1",
            "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000", "lines-0-id": str(order.lines.get().pk),
            "lines-0-order": str(order.pk), "_save": "Save"}
    response = admin_client.post(url, form)

    # then the contact is corrected with a timeline line, and the status is untouched
    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert (order.site_contact, order.status) == ("李工 13900002222", Order.Status.REVIEW)
    edit = Event.objects.filter(object_id=order.pk, content_type__model="order", kind=Event.Kind.EDIT).get()
    assert edit.actor == admin_user and edit.changes[0]["field"] == "site_contact"


@pytest.mark.spec("ADMIN-1", "WF-2")
def test_order_past_review_is_read_only(admin_client, installed):
    url = reverse("admin:orders_order_change", args=[installed.pk])

    page = admin_client.get(url).content.decode()
    post = admin_client.post(url, {"site_contact": "改不了", "status": Order.Status.ACCEPTED})

    assert 'name="site_contact"' not in page and 'name="status"' not in page
    assert post.status_code == 403
    installed.refresh_from_db()
    assert installed.status == Order.Status.INSTALLING and installed.site_contact != "改不了"


@pytest.fixture
def attachment(settings, tmp_path, staff_user, customer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qsm.workflow.services import attachment_add

    settings.MEDIA_ROOT = str(tmp_path)
    inquiry = new_inquiry(actor=staff_user, customer=customer)
    return attachment_add(record=inquiry, upload=SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n"),
                          actor=staff_user, description="现场照片")


@pytest.fixture
def deadline(sales_user, customer):
    from qsm.sla.models import Deadline

    order = new_order(actor=sales_user, customer=customer)
    return Deadline.objects.filter(object_id=order.pk, content_type__model="order", stage="review").get()


@pytest.mark.spec("ADMIN-1", "WF-2", "WF-3", "SLA-2")
@pytest.mark.parametrize("model", ["workflow_attachment", "sla_deadline"])
def test_attachments_and_deadlines_are_shown_but_never_changed_in_the_admin(admin_client, request, model):
    # given an attachment uploaded through the service, or a deadline the workflow started
    record = request.getfixturevalue({"workflow_attachment": "attachment", "sla_deadline": "deadline"}[model])
    before = {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}
    events = Event.objects.count()
    change_url = reverse(f"admin:{model}_change", args=[record.pk])

    # when a superuser opens the list and the record, and tries to add, change and delete
    changelist = admin_client.get(reverse(f"admin:{model}_changelist"))
    page = admin_client.get(change_url)
    post = admin_client.post(change_url, {"description": "改了", "original_name": "evil.exe", "state": "cancelled",
                                          "due_at_0": "2030-01-01", "due_at_1": "00:00", "_save": "Save"})
    add = admin_client.get(reverse(f"admin:{model}_add"))
    delete_page = admin_client.get(reverse(f"admin:{model}_delete", args=[record.pk]))
    delete_post = admin_client.post(reverse(f"admin:{model}_delete", args=[record.pk]), {"post": "yes"})
    bulk_delete = admin_client.post(reverse(f"admin:{model}_changelist"),
                                    {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"})

    # then it is listed and shown, with not one input to change it ...
    assert changelist.status_code == 200 and page.status_code == 200
    content = page.content.decode()
    assert str(record) in content
    assert 'name="_save"' not in content and "<textarea" not in content and 'type="file"' not in content
    # ... every write is refused, and nothing changed, with no line written to any timeline
    assert (post.status_code, add.status_code, delete_page.status_code, delete_post.status_code) == (403,) * 4
    assert "delete_selected" not in changelist.content.decode()
    assert bulk_delete.status_code in (200, 302)
    record.refresh_from_db()
    assert {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields} == before
    assert Event.objects.count() == events
