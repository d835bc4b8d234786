"""CMP-1 intake on the service level: who logs a complaint, what is checked (hostile input is a field
error, nothing is written), the facts carried over from a visit, an after-sales case or an order,
the assignment, the reply (once), closing unresolved and cancelling."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from complaints.models import Complaint
from complaints.services.intake import (
    complaint_assign,
    complaint_cancel,
    complaint_close_unresolved,
    complaint_create_from_case,
    complaint_create_from_order,
    complaint_create_from_visit,
    complaint_intake,
    complaint_reply,
)
from qsm.contacts.models import ContactEntry
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.followup.models import FollowUp
from qsm.notify.models import Notification
from qsm.org.models import Customer, Department, Role
from qsm.workflow.models import Event
from tests.builders import aftersales as afs
from tests.builders import complaints as b
from tests.builders.orders import new_order
from tests.factories import CustomerFactory, DepartmentFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def _nothing_written(before: int) -> bool:
    return Complaint.objects.count() == before and not ContactEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Complaint)).exists()


@pytest.mark.spec("CMP-1")
def test_a_complaint_is_logged_with_its_facts_and_the_receiver(people):
    customer = CustomerFactory()
    complaint = b.new_complaint(customer=customer, severity="serious", channel="email", contact_name="王经理",
                                contact_phone="13900001111", customer_demand="要求更换整机")
    complaint.refresh_from_db()
    assert complaint.number.startswith("TS-")
    assert (complaint.status, complaint.severity, complaint.channel) == ("received", "serious", "email")
    assert (complaint.received_by, complaint.receiving_department) == (people.receiver, people.receiving_department)
    assert complaint.customer_demand == "要求更换整机" and complaint.round == 1 and complaint.plan_version == 0
    assert Event.objects.filter(content_type=ContentType.objects.get_for_model(complaint), object_id=complaint.pk,
                                kind="created").count() == 1


@pytest.mark.spec("CMP-1")
@pytest.mark.parametrize(("field", "value"), [
    ("subject", "异响\x00投诉"),
    ("subject", "x" * 201),
    ("subject", "两行\n标题"),
    ("subject", "   "),
    ("description", "y" * 10_001),
    ("description", "bad\x07bell"),
    ("customer_demand", "\ud800"),
    ("contact_name", "n" * 101),
    ("channel", "pigeon"),
    ("severity", "urgent"),
    ("received_at", dt.datetime(1, 1, 1, tzinfo=dt.UTC)),
    ("received_at", dt.datetime(9999, 12, 31, tzinfo=dt.UTC)),
    ("received_at", "yesterday"),
])
def test_hostile_input_is_a_field_error_and_nothing_is_written(people, field, value):
    before = Complaint.objects.count()
    with pytest.raises(ValidationError) as refused:
        b.new_complaint(**{field: value})
    assert field in refused.value.message_dict
    assert _nothing_written(before)


@pytest.mark.spec("CMP-1")
def test_the_order_and_product_must_be_the_customers(people):
    order = new_order(actor=people.receiver, customer=CustomerFactory())
    with pytest.raises(ValidationError) as refused:
        b.new_complaint(order=order, product=ProductFactory(code="OTHER-1"))
    assert set(refused.value.message_dict) == {"order", "product"}


@pytest.mark.spec("CMP-1")
def test_who_may_log_a_complaint(people):
    production = DepartmentFactory(code="production", name="生产部", kind=Department.Kind.OTHER)
    producer = UserFactory(username="producer", department=production, roles=[Role.STAFF])
    with pytest.raises(PermissionDenied):
        b.new_complaint(actor=producer)
    # business departments' staff and managers, and the quality department, log complaints
    for actor in (people.outsider, people.receiving_manager, people.quality):
        assert b.new_complaint(actor=actor).receiving_department == actor.department


@pytest.mark.spec("CMP-1")
def test_intake_with_a_new_customer_is_one_transaction(people):
    customers = Customer.objects.count()
    with pytest.raises(ValidationError):
        complaint_intake(actor=people.receiver, new_customer={"name": "新客户有限公司", "phone": "13800009999"},
                         channel="phone", subject="", description="设备故障")
    assert Customer.objects.count() == customers
    complaint = complaint_intake(actor=people.receiver, new_customer={"name": "新客户有限公司", "phone": "13800009999"},
                                 channel="phone", subject="设备故障", description="设备无法启动")
    assert complaint.customer.name == "新客户有限公司"


@pytest.mark.spec("CMP-1")
def test_open_a_complaint_from_an_after_sales_case(people):
    case = afs.case_build(actor=people.receiver, state="in_progress", contact_name="李工", contact_phone="13700001111")
    complaint = complaint_create_from_case(actor=people.receiver, case=case, severity="serious")
    assert (complaint.source_case, complaint.customer, complaint.subject, complaint.description) == (
        case, case.customer, case.subject, case.description)
    assert (complaint.contact_name, complaint.contact_phone, complaint.severity) == ("李工", "13700001111", "serious")
    # another department's case is not theirs to open
    with pytest.raises(PermissionDenied):
        complaint_create_from_case(actor=people.outsider, case=case)


@pytest.mark.spec("CMP-1")
def test_open_a_complaint_from_a_visit(people):
    visit = afs.visit_build(actor=people.receiver, state="done", satisfaction=1)
    visit.comments = "工程师未按约定时间上门"
    visit.save(update_fields=["comments"])
    complaint = complaint_create_from_visit(actor=people.receiver, visit=visit)
    assert (complaint.source_visit, complaint.customer) == (visit, visit.customer)
    assert complaint.source_case == visit.subject  # the visit followed a case: linked too
    assert complaint.description == "工程师未按约定时间上门\n保持" and visit.number in complaint.subject  # comments, suggestions


@pytest.mark.spec("CMP-1")
def test_open_a_complaint_from_an_order(people):
    order = new_order(actor=people.receiver, customer=CustomerFactory())
    complaint = complaint_create_from_order(actor=people.receiver, order=order, subject="交付延误",
                                            description="交付比约定晚两周", channel="phone")
    assert (complaint.order, complaint.customer) == (order, order.customer)
    assert complaint.product == order.lines.first().product
    with pytest.raises(PermissionDenied):
        complaint_create_from_order(actor=people.outsider, order=order, subject="x", description="y", channel="phone")


@pytest.mark.spec("CMP-2")
def test_the_quality_department_assigns_and_the_investigator_is_told(people):
    complaint = b.new_complaint()
    for actor in (people.receiver, people.receiving_manager, people.investigator):
        with pytest.raises(PermissionDenied):
            complaint_assign(complaint=complaint, actor=actor, investigator=people.investigator)
    complaint_assign(complaint=complaint, actor=people.quality, investigator=people.investigator)
    assert (complaint.status, complaint.investigator) == ("investigating", people.investigator)
    assert Notification.objects.filter(recipient=people.investigator, kind="complaint_assigned").count() == 1
    people.outsider.is_active = False
    people.outsider.save()
    with pytest.raises(ValidationError):
        complaint_assign(complaint=complaint, actor=people.quality, investigator=people.outsider)


@pytest.mark.spec("CMP-1")
def test_the_reply_is_recorded_once(people):
    complaint = b.new_complaint()
    with pytest.raises(ValidationError):
        complaint_reply(complaint=complaint, actor=people.receiver, reply="\x00")
    with pytest.raises(PermissionDenied):
        complaint_reply(complaint=complaint, actor=people.outsider, reply="已回复")
    complaint_reply(complaint=complaint, actor=people.receiver, reply="已回复客户处理安排")
    with pytest.raises(TransitionNotAllowed):
        complaint_reply(complaint=complaint, actor=people.receiver, reply="再次回复")
    complaint.refresh_from_db()
    assert complaint.reply == "已回复客户处理安排" and complaint.status == "received"


@pytest.mark.spec("CMP-4")
def test_closing_unresolved_needs_the_quality_manager_and_a_reason(people):
    complaint = b.complaint_in("executing")
    with pytest.raises(ValidationError):
        complaint_close_unresolved(complaint=complaint, actor=people.quality_manager, reason=" ")
    with pytest.raises(PermissionDenied):
        complaint_close_unresolved(complaint=complaint, actor=people.quality, reason="决定关闭")
    complaint_close_unresolved(complaint=complaint, actor=people.quality_manager, reason="客户诉求超出合同范围")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.closed_satisfied, complaint.closed_by) == (
        "closed_unresolved", False, people.quality_manager)
    assert complaint.close_decision_reason == "客户诉求超出合同范围" and complaint.closed_at is not None
    assert complaint.current_plan().status == "cancelled"
    # CMP-5: a visit follows either kind of closing
    follow_up = FollowUp.objects.get(content_type=ContentType.objects.get_for_model(complaint), object_id=complaint.pk)
    assert (follow_up.reason, follow_up.customer) == ("complaint_closed", complaint.customer)


@pytest.mark.spec("CMP-1")
def test_cancel_a_duplicate(people):
    complaint = b.new_complaint()
    with pytest.raises(ValidationError):
        complaint_cancel(complaint=complaint, actor=people.quality_manager, reason="")
    complaint_cancel(complaint=complaint, actor=people.quality_manager, reason="重复登记")
    assert Complaint.objects.get(pk=complaint.pk).status == "cancelled"


@pytest.mark.spec("CMP-3", "CMP-4")
def test_the_table_itself_carries_the_cascades_of_closing_and_not_satisfied(people):
    """Fired by name (the record page's generic action), the complaint's table still cancels the plan
    being worked on when closing unresolved, and supersedes the plan a customer rejected."""
    from qsm.workflow import engine

    executing = b.complaint_in("executing")
    engine.fire(executing, "close_unresolved", actor=people.quality_manager, comment="管理层决定")
    plan = executing.current_plan()
    assert plan.status == "cancelled" and {m.status for m in plan.measures.all()} == {"cancelled"}
    confirming = b.complaint_in("confirming")
    with pytest.raises(ValidationError):  # objections (here: the comment) are required
        engine.fire(confirming, "not_satisfied", actor=people.investigator)
    engine.fire(confirming, "not_satisfied", actor=people.investigator, comment="仍有异响")
    assert confirming.current_plan().status == "superseded"
    assert confirming.answers.get().objections == "仍有异响"


@pytest.mark.spec("CMP-1")
def test_a_record_the_receiver_may_not_see_cannot_be_linked(people):
    hidden_order = new_order(actor=people.outsider, customer=CustomerFactory())
    hidden_case = afs.case_build(actor=people.outsider, state="new", customer=hidden_order.customer)
    before = Complaint.objects.count()
    with pytest.raises(ValidationError) as refused:
        b.new_complaint(actor=people.receiver, customer=hidden_order.customer, order=hidden_order,
                        source_case=hidden_case)
    assert set(refused.value.message_dict) == {"order", "source_case"}
    assert _nothing_written(before)
    # the quality department sees every record: it links them
    assert b.new_complaint(actor=people.quality, customer=hidden_order.customer, order=hidden_order,
                           source_case=hidden_case).order == hidden_order
