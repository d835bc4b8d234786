"""Pre-sales services and selectors: scope, tracked edits, versions, log, inbox, customer history."""
from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from presales import selectors, services
from presales.models import Inquiry
from qsm import registry
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.workflow.selectors import timeline
from tests.builders.inquiries import new_inquiry
from tests.factories import CustomerFactory


@pytest.mark.spec("ORG-1")
def test_visibility_scope(staff_user, colleague, sales_user, quality_officer, other_department_staff,
                          production_user, production_department, sales_department, administrator):
    inquiry = new_inquiry(actor=staff_user, answer="已答复")
    visible = lambda user: set(selectors.inquiry_visible(user=user).values_list("pk", flat=True))  # noqa: E731
    assert inquiry.pk in visible(staff_user)
    assert inquiry.pk in visible(colleague)  # same department
    assert inquiry.pk in visible(quality_officer)  # §2(一): the quality department sees all
    assert inquiry.pk in visible(administrator)
    for outsider in (sales_user, other_department_staff, production_user):
        assert inquiry.pk not in visible(outsider)
        with pytest.raises(Http404):
            selectors.inquiry_get(user=outsider, pk=inquiry.pk)
    # invited to the discussion: the production department can now open it
    services.inquiry_mark_complex(inquiry=inquiry, actor=staff_user)
    services.inquiry_open_discussion(inquiry=inquiry, actor=staff_user, topic="工艺可行性",
                                     departments=[production_department])
    assert inquiry.pk in visible(production_user)
    assert inquiry.pk not in visible(other_department_staff)
    # handed over: the receiving department sees it, others still do not
    services.solution_add(inquiry=inquiry, actor=production_user, title="方案", content="……")
    services.inquiry_hand_over(inquiry=inquiry, actor=staff_user, department=sales_department)
    assert inquiry.pk in visible(sales_user)
    assert inquiry.pk not in visible(other_department_staff)


@pytest.mark.spec("PRE-1", "SLA-1")
def test_intake_validates_and_starts_first_response_clock(staff_user, quality_officer, customer):
    with pytest.raises(ValidationError) as err:
        services.inquiry_create(actor=staff_user, channel="fax", customer=customer, subject="", question="")
    assert {"channel", "subject", "question"} <= set(err.value.error_dict)
    with pytest.raises(ValidationError):
        services.inquiry_create(actor=staff_user, channel="phone", customer=customer, subject="s", question="q",
                                received_at=timezone.now() + dt.timedelta(days=1))
    assert Inquiry.objects.count() == 0
    # the quality department audits; it does not log sales inquiries
    with pytest.raises(PermissionDenied):
        services.inquiry_create(actor=quality_officer, channel="phone", customer=customer, subject="s", question="q")
    inquiry = new_inquiry(actor=staff_user, customer=customer, channel="email")
    assert inquiry.status == Inquiry.Status.NEW
    assert inquiry.number.startswith(f"INQ-{timezone.localtime().year}-")
    assert inquiry.due_at is not None and inquiry.due_at > inquiry.received_at
    assert inquiry.department == staff_user.department and inquiry.owner == staff_user


@pytest.mark.spec("WF-2")
def test_tracked_edits_land_on_the_timeline(staff_user, other_department_staff):
    inquiry = new_inquiry(actor=staff_user, subject="旧主题")
    services.inquiry_update(inquiry=inquiry, actor=staff_user, data={"subject": "新主题", "priority": "urgent"},
                            comment="客户补充")
    entries = timeline(inquiry)
    edit = entries[-1]
    assert edit.kind == "edit" and edit.actor == staff_user and edit.comment == "客户补充"
    fields = {c["field"]: (c["old"], c["new"]) for c in edit.changes}
    assert fields["subject"] == ("旧主题", "新主题")
    assert "priority" in fields
    with pytest.raises(PermissionDenied):
        services.inquiry_update(inquiry=inquiry, actor=other_department_staff, data={"subject": "x"})
    with pytest.raises(ValidationError):
        services.inquiry_update(inquiry=inquiry, actor=staff_user, data={"status": "closed"})
    inquiry.refresh_from_db()
    assert inquiry.subject == "新主题" and inquiry.status == "new"


@pytest.mark.spec("PRE-3")
def test_solutions_are_versioned_and_sent(staff_user, production_user, production_department, other_department_staff):
    inquiry = new_inquiry(actor=staff_user, answer="初步答复")
    services.inquiry_mark_complex(inquiry=inquiry, actor=staff_user)
    services.inquiry_open_discussion(inquiry=inquiry, actor=staff_user, topic="定制", departments=[production_department])
    note = services.discussion_note_add(inquiry=inquiry, actor=production_user, body="产线可行，交期 6 周")
    assert note.discussion.record == inquiry
    with pytest.raises(PermissionDenied):
        services.discussion_note_add(inquiry=inquiry, actor=other_department_staff, body="x")
    v1 = services.solution_add(inquiry=inquiry, actor=staff_user, title="方案 A", content="A")
    v2 = services.solution_add(inquiry=inquiry, actor=production_user, title="方案 B", content="B")
    assert (v1.version, v2.version) == (1, 2)
    v1.refresh_from_db()
    assert v1.content == "A"  # an earlier version is never overwritten
    services.solution_mark_sent(solution=v2, actor=staff_user, via="email")
    with pytest.raises(TransitionNotAllowed):
        services.solution_mark_sent(solution=v2, actor=staff_user, via="email")
    assert inquiry.communications.filter(direction="out", channel="email").count() == 1


@pytest.mark.spec("PRE-4")
def test_communication_log(staff_user, other_department_staff):
    inquiry = new_inquiry(actor=staff_user)
    with pytest.raises(ValidationError) as err:
        services.communication_add(inquiry=inquiry, actor=staff_user, channel="x", direction="sideways", summary="")
    assert {"channel", "direction", "summary"} <= set(err.value.error_dict)
    with pytest.raises(PermissionDenied):
        services.communication_add(inquiry=inquiry, actor=other_department_staff, channel="phone", direction="in",
                                   summary="x")
    services.communication_add(inquiry=inquiry, actor=staff_user, channel="phone", direction="in", summary="客户回电")
    assert list(inquiry.communications.values_list("summary", flat=True)) == ["客户回电"]


@pytest.mark.spec("INBOX-1")
def test_inbox_lists_what_waits_ordered_by_deadline(staff_user, sales_user, sales_department):
    late = new_inquiry(actor=staff_user, subject="早到的", received_at=timezone.now() - dt.timedelta(days=10))
    fresh = new_inquiry(actor=staff_user, subject="新来的")
    items = registry.inbox_items(staff_user)
    numbers = [i.number for i in items]
    assert numbers.index(late.number) < numbers.index(fresh.number)  # overdue first
    assert registry.inbox_items(sales_user) == []
    answered = services.inquiry_respond(inquiry=fresh, actor=staff_user, answer="好")
    services.inquiry_hand_over(inquiry=answered, actor=staff_user, department=sales_department)
    assert [i.number for i in registry.inbox_items(sales_user)] == [fresh.number]


@pytest.mark.spec("ORG-2")
def test_customer_history_lists_inquiries_within_scope(staff_user, other_department_staff):
    customer = CustomerFactory()
    inquiry = new_inquiry(actor=staff_user, customer=customer)
    sections = registry.customer_history(customer, staff_user)
    rows = [row for s in sections for row in s.rows]
    assert any(inquiry.number in row["cells"] for row in rows)
    outsider_rows = [row for s in registry.customer_history(customer, other_department_staff) for row in s.rows]
    assert outsider_rows == []


@pytest.mark.spec("ORG-1")
def test_role_groups_exist_after_migrations(db):
    from django.contrib.auth.models import Group

    from qsm.org.models import Role

    assert set(Role.values) <= set(Group.objects.values_list("name", flat=True))


@pytest.mark.spec("ORG-1", "PRE-1")
def test_an_account_without_department_cannot_own_an_inquiry(administrator, customer):
    with pytest.raises(PermissionDenied):
        services.inquiry_create(actor=administrator, channel="phone", customer=customer, subject="s", question="q")
    assert Inquiry.objects.count() == 0


@pytest.mark.spec("WF-2")
def test_timeline_labels_states_of_records_without_a_workflow(staff_user, sales_user, sales_department):
    from tests.builders.orders import convert_inquiry

    inquiry = new_inquiry(actor=staff_user, answer="好")
    services.inquiry_hand_over(inquiry=inquiry, actor=staff_user, department=sales_department)
    services.inquiry_acknowledge(inquiry=inquiry, actor=sales_user)
    order = convert_inquiry(inquiry, actor=sales_user)
    [created] = timeline(order)
    assert created.to_label == str(order.get_status_display()) and created.to_label != "draft"


@pytest.mark.spec("PRE-1")
def test_intake_creates_the_new_customer_only_with_the_inquiry(staff_user):
    from presales.services import NewCustomerInvalid, inquiry_intake
    from qsm.org.models import Customer

    # given an intake whose inquiry is refused (no subject)
    with pytest.raises(ValidationError) as refused:
        inquiry_intake(actor=staff_user, new_customer={"name": "只在询价成功时创建"}, channel="phone",
                       subject="", question="价格？")
    # then the quick-created customer was rolled back with it
    assert "subject" in refused.value.error_dict
    assert not isinstance(refused.value, NewCustomerInvalid)
    assert not Customer.objects.filter(name="只在询价成功时创建").exists()
    # a refused customer is reported under the customer's own field names
    with pytest.raises(NewCustomerInvalid) as bad_customer:
        inquiry_intake(actor=staff_user, new_customer={"name": " "}, channel="phone", subject="s", question="q")
    assert "name" in bad_customer.value.error_dict
    # neither customer nor new customer is a field error, not a crash
    with pytest.raises(ValidationError) as missing:
        inquiry_intake(actor=staff_user, channel="phone", subject="s", question="q")
    assert "customer" in missing.value.error_dict
    # and a valid intake makes both
    inquiry = inquiry_intake(actor=staff_user, new_customer={"name": "新客户甲", "phone": "021-1"}, channel="phone",
                             subject="询价", question="价格？")
    assert inquiry.customer.name == "新客户甲" and inquiry.pk
