"""CMP-2 through the services: the structured root cause and the responsibility (the person belongs to
the department; up to five whys; hostile text refused), no plan before root cause and
responsibility are recorded, departments and people involved through the core discussion (they see
the complaint and are told), and similar past complaints (same cause, product or customer; scoped;
at most ten)."""
from __future__ import annotations

import pytest

from complaints.models import Complaint, HandlingPlan
from complaints.rules import can_view_complaint
from complaints.selectors import complaint_scope
from complaints.selectors.work import similar_complaints
from complaints.services import investigation, plans
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.notify.models import Notification
from tests.builders.complaints import ROOT_CAUSE, WHYS, any_cause, complaint_in, measures_spec, new_complaint
from tests.complaints.support import fresh
from tests.factories import CustomerFactory, ProductFactory

S = Complaint.Status
pytestmark = [pytest.mark.django_db]


def record(complaint, people, **changes):
    data = {"facts": "现场确认主轴异响", "cause": any_cause(), "whys": WHYS[:2], "root_cause": ROOT_CAUSE,
            "responsible_department": people.responsible_department, "responsible_person": people.responsible}
    data.update(changes)
    return investigation.complaint_investigate(complaint=complaint, actor=people.investigator, **data)


@pytest.mark.spec("CMP-2")
def test_the_investigation_records_cause_whys_root_cause_and_responsibility(people):
    complaint = complaint_in(S.INVESTIGATING)
    record(complaint, people, whys=["  主轴异响 ", "", "轴承磨损"])
    saved = fresh(complaint)
    assert saved.whys == ["主轴异响", "轴承磨损"]  # blank whys dropped, each trimmed
    assert saved.cause == any_cause() and saved.root_cause == ROOT_CAUSE
    assert (saved.responsible_department, saved.responsible_person) == (people.responsible_department,
                                                                       people.responsible)


@pytest.mark.spec("CMP-2", "WF-2")
def test_the_why_chain_reads_as_a_chain_on_the_timeline(people):
    # the edit line showed the stored list as Python wrote it: ['主轴异响', '轴承磨损']
    from django.utils import translation

    from qsm.workflow.selectors import timeline

    complaint = complaint_in(S.INVESTIGATING)
    record(complaint, people, whys=["主轴异响", "轴承磨损", "润滑不足"])
    with translation.override("zh-hans"):
        changes = [c for e in timeline(fresh(complaint)) for c in e.changes if c["field"] == "whys"]
    assert changes and changes[-1]["new"] == "主轴异响 → 轴承磨损 → 润滑不足"
    assert "[" not in changes[-1]["new"]


@pytest.mark.spec("CMP-2")
@pytest.mark.parametrize("changes, field", [
    ({"whys": [f"why {n}" for n in range(6)]}, "whys"),
    ({"whys": ["a" * 501]}, "whys"),
    ({"whys": ["主轴\x00异响"]}, "whys"),
    ({"whys": "not a list"}, "whys"),
    ({"responsible_person": "outsider"}, "responsible_person"),
    ({"responsible_department": None}, "responsible_department"),
])
def test_bad_investigation_input_is_a_field_error_and_changes_nothing(people, changes, field):
    complaint = complaint_in(S.INVESTIGATING)
    if changes.get("responsible_person") == "outsider":
        changes["responsible_person"] = people.outsider  # engineering, not the responsible sales department
    with pytest.raises(ValidationError) as caught:
        record(complaint, people, **changes)
    assert field in caught.value.message_dict
    saved = fresh(complaint)
    assert saved.whys == [] and saved.responsible_person_id is None


@pytest.mark.spec("CMP-2")
def test_only_the_investigator_or_the_quality_department_investigates(people):
    complaint = complaint_in(S.INVESTIGATING)
    for outsider in (people.responsible, people.outsider, people.receiver):
        with pytest.raises(PermissionDenied):
            investigation.complaint_investigate(complaint=complaint, actor=outsider, facts="x")
    investigation.complaint_investigate(complaint=complaint, actor=people.quality, facts="质量部补充事实")
    assert fresh(complaint).facts == "质量部补充事实"


@pytest.mark.spec("CMP-2")
def test_the_investigation_is_not_recorded_once_the_plan_is_executed(people):
    complaint = complaint_in(S.EXECUTING)
    with pytest.raises(TransitionNotAllowed):
        record(complaint, people, facts="太晚了")


@pytest.mark.spec("CMP-2", "CMP-3")
def test_no_plan_is_proposed_before_root_cause_and_responsibility(people):
    complaint = complaint_in(S.INVESTIGATING)
    record(complaint, people, cause=None, whys=[], root_cause="", responsible_department=None,
           responsible_person=None, facts="只有事实")
    with pytest.raises(ValidationError) as caught:
        plans.plan_propose(complaint=complaint, actor=people.investigator, summary="更换轴承",
                           measures=measures_spec(people, 1))
    assert set(caught.value.message_dict) == {"cause", "root_cause", "responsible_department", "responsible_person"}
    assert fresh(complaint).status == S.INVESTIGATING
    assert not HandlingPlan.objects.filter(complaint=complaint).exists()


@pytest.mark.spec("CMP-2", "CMP-3")
def test_proposing_the_first_plan_moves_the_investigated_complaint_to_planning(people):
    complaint = complaint_in(S.INVESTIGATING)
    record(complaint, people)
    plan = plans.plan_propose(complaint=complaint, actor=people.investigator, summary="更换轴承",
                              measures=measures_spec(people, 2))
    saved = fresh(complaint)
    assert saved.status == S.PLANNING and saved.plan_version == 1 and saved.investigated_at is not None
    assert plan.version == 1 and plan.measures.count() == 2


@pytest.mark.spec("CMP-2", "CMP-3")
def test_a_refused_first_plan_leaves_the_complaint_investigating(people):
    complaint = complaint_in(S.INVESTIGATING)
    record(complaint, people)
    with pytest.raises(ValidationError):
        plans.plan_propose(complaint=complaint, actor=people.investigator, summary="", measures=[])
    assert fresh(complaint).status == S.INVESTIGATING  # start_planning rolled back with the plan


@pytest.mark.spec("CMP-2")
def test_involved_departments_and_people_see_the_complaint_and_are_told(people):
    complaint = complaint_in(S.INVESTIGATING)
    assert not can_view_complaint(people.outsider, complaint)
    investigation.complaint_involve(complaint=complaint, actor=people.investigator, topic="主轴异响分析会",
                                    departments=[people.unrelated_department], users=[people.approver])
    assert can_view_complaint(people.outsider, complaint)
    assert complaint_scope(people.outside_manager).filter(pk=complaint.pk).exists()
    told = set(Notification.objects.filter(kind=investigation.KIND_INVOLVED).values_list("recipient__username",
                                                                                        flat=True))
    assert {"outsider", "outside_manager", "sales_manager"} <= told
    with pytest.raises(ValidationError):  # already invited: nothing new
        investigation.complaint_involve(complaint=complaint, actor=people.investigator, topic="再次",
                                        users=[people.approver])
    note = investigation.complaint_discussion_note_add(complaint=complaint, actor=people.outsider,
                                                       body="工程部：轴承型号与图纸不符")
    assert note.body.startswith("工程部")
    with pytest.raises(PermissionDenied):
        investigation.complaint_discussion_note_add(complaint=complaint, actor=people.receiver, body="x")


@pytest.mark.spec("CMP-2")
def test_similar_past_complaints_by_cause_product_or_customer_scoped_and_at_most_ten(people):
    customer, product = CustomerFactory(), ProductFactory()
    complaint = complaint_in(S.INVESTIGATING, customer=customer, product=product)
    record(complaint, people)
    same_customer = new_complaint(customer=customer, subject="同一客户")
    same_product = new_complaint(product=product, subject="同一产品")
    unrelated = new_complaint(subject="无关")
    for_quality = {c.pk: c for c in similar_complaints(complaint=fresh(complaint), user=people.quality)}
    assert same_customer.pk in for_quality and same_product.pk in for_quality
    assert unrelated.pk not in for_quality and complaint.pk not in for_quality
    assert for_quality[same_customer.pk].similar_by == ["customer"]
    # The responsible department's staff see neither (received by customer service): scoped.
    assert similar_complaints(complaint=fresh(complaint), user=people.responsible) == []
    for n in range(12):
        new_complaint(customer=customer, subject=f"多次 {n}")
    assert len(similar_complaints(complaint=fresh(complaint), user=people.quality)) == 10


@pytest.mark.spec("CMP-2")
def test_similar_complaints_read_a_fixed_number_of_queries(people, django_assert_num_queries):
    customer = CustomerFactory()
    complaint = complaint_in(S.INVESTIGATING, customer=customer)
    record(complaint, people)
    complaint = fresh(complaint)
    for n in range(3):
        new_complaint(customer=customer, subject=f"少 {n}")
    with django_assert_num_queries(2):  # one index read per known key: cause and customer (no product)
        similar_complaints(complaint=complaint, user=people.quality)
    for n in range(20):
        new_complaint(customer=customer, subject=f"多 {n}")
    with django_assert_num_queries(2):
        assert len(similar_complaints(complaint=complaint, user=people.quality)) == 10
