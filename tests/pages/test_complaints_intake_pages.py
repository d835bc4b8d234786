"""CMP-1 on the pages: the dedicated complaint intake (every channel), the promised reply time read
to the customer, the acknowledgement logged, bad input as form errors, and "open a complaint from
this visit / case / order" (prefilled, linked; another department's record is a 404)."""
from __future__ import annotations

import pytest
from django.urls import reverse

from complaints.models import Complaint
from qsm.contacts.models import ContactEntry
from qsm.sla.models import Deadline
from tests.aftersales.cases_support import new_case
from tests.complaints.h2_support import log_complaint
from tests.sla.conftest import calendar_2026, sh  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

URL = "complaints:complaint-create"


def _post(client, **fields):
    data = {"channel": "phone", "severity": "general", "subject": "设备噪音大", "description": "客户投诉设备运行噪音大",
            "contact_name": "王经理", "contact_phone": "13800000000"}
    data.update(fields)
    return client.post(reverse(URL), data)


@pytest.mark.spec("CMP-1")
def test_the_intake_offers_every_channel_and_severity(login, staff_user):
    response = login(staff_user).get(reverse(URL))
    assert response.status_code == 200
    html = response.content.decode()
    for value in Complaint.Channel.values:
        assert f'name="channel" value="{value}"' in html, value
    for value in Complaint.Severity.values:
        assert f'name="severity" value="{value}"' in html, value
    for name in ("customer_q", "order_q", "product", "subject", "description", "customer_demand", "received_at"):
        assert f'name="{name}"' in html, name


@pytest.mark.spec("CMP-1", "SLA-1")
def test_saving_states_the_promised_reply_time_and_logs_the_acknowledgement(
        login, staff_user, customer, calendar_2026, time_machine):  # noqa: F811
    time_machine.move_to(sh(2026, 3, 2, 9, 0), tick=False)  # a Monday, 09:00 in Shanghai
    client = login(staff_user)
    response = _post(client, customer=customer.pk, severity="critical", channel="letter")
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(complaint.get_absolute_url())
    # The reply clock's due, in working time, stored at intake and read out on the page.
    reply = Deadline.objects.get(object_id=complaint.pk, content_type__model="complaint", stage="reply")
    assert complaint.promised_reply_at == reply.due_at
    assert complaint.promised_reply_at == sh(2026, 3, 2, 11, 0)  # critical: two working hours
    page = client.get(response["Location"]).content.decode()
    assert "我们将在 2026年3月2日 11:00 前答复您。" in page
    assert 'id="acknowledged"' in page
    assert ContactEntry.objects.filter(object_id=complaint.pk, content_type__model="complaint").exists()
    assert complaint.received_by == staff_user and complaint.receiving_department == staff_user.department


@pytest.mark.spec("CMP-1")
def test_the_promise_is_said_in_the_readers_language(login, staff_user, customer, calendar_2026,  # noqa: F811
                                                     time_machine):
    time_machine.move_to(sh(2026, 3, 2, 9, 0), tick=False)
    complaint = log_complaint(actor=staff_user, customer=customer, severity="critical")
    staff_user.language = "en"
    staff_user.save(update_fields=["language"])
    page = login(staff_user).get(complaint.get_absolute_url()).content.decode()
    assert "We will reply to you by March 2, 2026, 11:00." in page


@pytest.mark.spec("CMP-1", "SEC-1")
@pytest.mark.parametrize(("fields", "error_field"), [
    ({"channel": ""}, "channel"),
    ({"channel": "fax"}, "channel"),
    ({"severity": "apocalyptic"}, "severity"),
    ({"subject": ""}, "subject"),
    ({"subject": "坏\x00了"}, "subject"),
    ({"subject": "控制\x07字符"}, "subject"),
    ({"subject": "长" * 10_000}, "subject"),
    ({"description": "  "}, "description"),
    ({"received_at": "0001-01-01T00:00"}, "received_at"),
    ({"received_at": "9999-12-31T23:59"}, "received_at"),
    ({"customer": "999999999"}, "customer"),
    ({"customer": "\x00"}, "customer"),
    ({"order": "999999999"}, "order"),
    ({"source_case": "999999999"}, "source_case"),
])
def test_bad_input_is_a_form_error_and_saves_nothing(login, staff_user, customer, fields, error_field):
    data = {"customer": customer.pk, **fields}
    response = _post(login(staff_user), **data)
    assert response.status_code == 400
    assert error_field in response.context["form"].errors, response.context["form"].errors
    assert not Complaint.objects.exists()


@pytest.mark.spec("CMP-1", "ORG-1")
def test_who_may_not_log_complaints_gets_403(login, production_user):
    assert login(production_user).get(reverse(URL)).status_code == 403
    assert login(production_user).post(reverse(URL), {}).status_code == 403


@pytest.mark.spec("CMP-1")
def test_a_quick_created_customer_is_saved_with_the_complaint(login, staff_user):
    response = _post(login(staff_user), customer="new", new_customer_name="新客户有限公司", new_customer_phone="0571-1234567")
    assert response.status_code == 302
    assert Complaint.objects.get().customer.name == "新客户有限公司"


@pytest.mark.spec("CMP-1")
def test_a_complaint_opened_from_a_case_is_prefilled_and_linked(login, staff_user, customer):
    case = new_case(actor=staff_user, customer=customer, subject="主轴异响三次未修好", contact_name="李工")
    client = login(staff_user)
    case_page = client.get(case.get_absolute_url()).content.decode()
    assert f'{reverse(URL)}?case={case.pk}' in case_page  # the button complaints registers on the case page
    form = client.get(reverse(URL), {"case": case.pk}).context["form"]
    assert form.initial["subject"] == "主轴异响三次未修好"
    assert form.initial["contact_name"] == "李工"
    assert form.initial["source_case"] == str(case.pk)
    response = _post(client, customer=customer.pk, source_case=case.pk, subject="主轴异响三次未修好")
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.source_case == case
    assert case.number in client.get(complaint.get_absolute_url()).content.decode()


@pytest.mark.spec("CMP-1")
def test_a_complaint_opened_from_an_order_names_its_customer(login, staff_user, customer):
    from tests.builders.orders import order_in

    order = order_in("delivered", actor=staff_user, customer=customer)
    client = login(staff_user)
    assert f'{reverse(URL)}?order={order.pk}' in client.get(order.get_absolute_url()).content.decode()
    form = client.get(reverse(URL), {"order": order.pk}).context["form"]
    assert form.initial["customer"] == str(customer.pk) and form.initial["order"] == str(order.pk)
    response = _post(client, order=order.pk)  # the order alone names the customer
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.order, complaint.customer) == (order, customer)


@pytest.mark.spec("CMP-1", "ORG-1")
def test_another_departments_source_is_404_and_refused(login, staff_user, other_department_staff, customer):
    theirs = new_case(actor=other_department_staff, customer=customer, subject="工程部的单")
    client = login(staff_user)
    assert client.get(reverse(URL), {"case": theirs.pk}).status_code == 404
    assert client.get(reverse(URL), {"case": "x\x00"}).status_code == 404
    response = _post(client, customer=customer.pk, source_case=theirs.pk)
    assert "source_case" in response.context["form"].errors
    assert not Complaint.objects.exists()


@pytest.mark.spec("CMP-1", "VIS-1")
def test_a_complaint_opened_from_a_low_scored_visit_carries_what_the_customer_said(login, staff_user, customer):
    from tests.builders.aftersales import visit_build

    visit = visit_build(actor=staff_user, customer=customer, state="done", satisfaction=1)
    client = login(staff_user)
    assert f'{reverse(URL)}?visit={visit.pk}' in client.get(visit.get_absolute_url()).content.decode()
    response = client.get(reverse(URL), {"visit": visit.pk})
    form = response.context["form"]
    assert form.initial["source_visit"] == str(visit.pk)
    assert form.initial["customer"] == str(visit.customer_id)
    assert "服务很好" in form.initial["description"]  # the visit's comments
    assert visit.number in response.content.decode()
    response = _post(client, customer=visit.customer_id, source_visit=visit.pk)
    assert response.status_code == 302
    assert Complaint.objects.get().source_visit == visit


@pytest.mark.spec("CMP-1", "ORG-1")
def test_the_open_a_complaint_button_is_only_for_who_may_log_one(staff_user, production_user, customer):
    from complaints import entry_points
    from qsm.record_actions import record_actions

    case = new_case(actor=staff_user, customer=customer)
    assert [a.key for a in record_actions(case, staff_user)] == ["open-complaint"]
    assert record_actions(case, production_user) == []
    assert entry_points.order_action(case, production_user) is None
