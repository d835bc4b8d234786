"""QC-2 services: checklists from standards, plans and their beat sweep, judging and completing an
inspection under its lock."""
from __future__ import annotations

import datetime as dt

import pytest

from assessment.inspections import services
from assessment.inspections.models import Finding, Inspection, InspectionPlan, ItemKind
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.notify.models import Notification
from qsm.workflow.models import Attachment
from tests.builders.assessment import a_checklist, a_standard, an_inspection, evidence, fresh, judge

pytestmark = pytest.mark.django_db
R = Finding.Result
S = Inspection.Status


# --- checklists ------------------------------------------------------------------------------------------

@pytest.mark.spec("QC-2")
def test_a_checklist_is_built_from_the_lines_of_the_standards(people):
    standard = a_standard(people=people)
    checklist = services.checklist_create(actor=people.quality, name="售后检查表", module="cases", standards=[standard])
    items = list(checklist.items.order_by("position"))
    assert [(i.text, i.kind) for i in items] == [
        ("受理 → 派工 → 处理 → 回访", ItemKind.PROCESS),
        ("首次响应不超过2小时", ItemKind.COMPLIANCE),
        ("回访记录完整。", ItemKind.COMPLIANCE),
    ]
    assert {i.standard_version_id for i in items} == {standard.current_version_id}
    assert list(checklist.created_from.all()) == [standard]


@pytest.mark.spec("QC-2")
def test_an_item_kind_is_changed_and_a_judged_item_keeps_its_text(people):
    inspection = an_inspection(state=S.IN_PROGRESS, results=("pass",), people=people)
    item = inspection.checklist.items.order_by("position").first()
    services.item_update(item=item, actor=people.quality, kind=ItemKind.COMPLIANCE)
    assert fresh(item).kind == ItemKind.COMPLIANCE
    with pytest.raises(ValidationError) as exc:
        services.item_update(item=item, actor=people.quality, text="另一条")
    assert "text" in exc.value.message_dict
    services.item_update(item=item, actor=people.quality, active=False)
    assert fresh(item).active is False


@pytest.mark.spec("QC-2", "SEC-1")
@pytest.mark.parametrize("name", ["", "检查\x00表", "长" * 10_000])
def test_checklist_input_is_checked(people, name):
    standard = a_standard(people=people)
    with pytest.raises(ValidationError):
        services.checklist_create(actor=people.quality, name=name, module="cases", standards=[standard])


@pytest.mark.spec("QC-2", "SEC-1")
def test_only_the_quality_department_makes_checklists(people):
    with pytest.raises(PermissionDenied):
        services.checklist_create(actor=people.manager, name="表", module="cases", items=[{"text": "x", "kind": "process"}])


@pytest.mark.spec("QC-2")
def test_a_checklist_needs_items(people):
    with pytest.raises(ValidationError) as exc:
        services.checklist_create(actor=people.quality, name="空表", module="cases", standards=[])
    assert "standards" in exc.value.message_dict


# --- plans and the beat -----------------------------------------------------------------------------------

def _plan(people, **over) -> InspectionPlan:
    data = dict(title="销售部月度检查", department=people.department, module="inquiries",
                checklist=a_checklist(people=people), frequency="monthly", sample_size=3, inspector=people.quality,
                next_run_on=dt.date(2026, 3, 1), active=True)
    data.update(over)
    return services.plan_create(actor=people.quality, **data)


@pytest.mark.spec("QC-2")
@pytest.mark.parametrize(("frequency", "run_on", "period", "following"), [
    ("monthly", dt.date(2026, 3, 1), (dt.date(2026, 2, 1), dt.date(2026, 2, 28)), dt.date(2026, 4, 1)),
    ("quarterly", dt.date(2026, 4, 1), (dt.date(2026, 1, 1), dt.date(2026, 3, 31)), dt.date(2026, 7, 1)),
    ("weekly", dt.date(2026, 3, 9), (dt.date(2026, 3, 2), dt.date(2026, 3, 8)), dt.date(2026, 3, 16)),
    ("monthly", dt.date(2026, 1, 31), (dt.date(2025, 12, 31), dt.date(2026, 1, 30)), dt.date(2026, 2, 28)),
])
def test_the_period_a_run_inspects_and_the_next_run(frequency, run_on, period, following):
    assert services.period_for(frequency, run_on) == period
    assert services.next_run(frequency, run_on) == following


@pytest.mark.spec("QC-2", "SEC-1")
def test_a_plan_is_checked(people):
    with pytest.raises(ValidationError) as exc:
        _plan(people, checklist=a_checklist(module="orders", people=people, name="订单表"))
    assert "checklist" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _plan(people, sample_size=0)
    assert "sample_size" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _plan(people, title="计划\x07")
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=people.manager, title="x")
    assert not InspectionPlan.objects.exists()


@pytest.mark.spec("QC-2")
def test_a_plan_is_changed_on_its_timeline(people):
    plan = _plan(people)
    services.plan_update(plan=plan, actor=people.quality, sample_size=5, frequency="weekly")
    plan.refresh_from_db()
    assert (plan.sample_size, plan.frequency) == (5, "weekly")
    with pytest.raises(PermissionDenied):
        services.plan_update(plan=plan, actor=people.member, sample_size=6)


@pytest.mark.spec("QC-2")
def test_the_beat_makes_each_due_inspection_once_and_moves_the_plan_on(people):
    pytest.importorskip("assessment.inspections.spot_checks")
    plan = _plan(people, next_run_on=dt.date(2026, 2, 1))
    created = services.create_due_inspections(today=dt.date(2026, 3, 5))
    # Two runs had come due (1 February, 1 March): one inspection per period.
    assert sorted((i.period_start, i.period_end) for i in created) == [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31)), (dt.date(2026, 2, 1), dt.date(2026, 2, 28))]
    assert all(i.kind == "scheduled" and i.plan_id == plan.pk and i.status == S.PLANNED for i in created)
    plan.refresh_from_db()
    assert (plan.next_run_on, plan.last_run_on) == (dt.date(2026, 4, 1), dt.date(2026, 3, 1))
    assert services.create_due_inspections(today=dt.date(2026, 3, 5)) == []  # idempotent
    assert Inspection.objects.filter(plan=plan).count() == 2
    assert Notification.objects.filter(recipient=people.quality, kind="inspection_assigned").count() == 2


@pytest.mark.spec("QC-2")
def test_an_inactive_or_future_plan_makes_nothing(people):
    _plan(people, active=False, next_run_on=dt.date(2026, 2, 1))
    _plan(people, next_run_on=dt.date(2026, 4, 1), title="未到期")
    assert services.create_due_inspections(today=dt.date(2026, 3, 5)) == []
    assert not Inspection.objects.exists()


# --- carrying an inspection out -------------------------------------------------------------------------------

@pytest.mark.spec("QC-2")
def test_judging_starts_a_planned_inspection_and_stores_the_evidence(people):
    inspection = an_inspection(people=people)
    finding = inspection.findings.order_by("id").first()
    services.finding_judge(finding=finding, actor=people.quality, result=R.FAIL, comment="登记信息缺失",
                           upload=evidence("现场照片.png"))
    finding.refresh_from_db()
    assert (finding.result, finding.comment, finding.judged_by) == (R.FAIL, "登记信息缺失", people.quality)
    assert fresh(inspection).status == S.IN_PROGRESS
    assert Attachment.objects.filter(finding=finding).get().original_name == "现场照片.png"
    # The inspected department's manager hears of the failure.
    assert Notification.objects.filter(recipient=people.manager, kind="inspection_finding_failed").exists()


@pytest.mark.spec("QC-2", "SEC-1")
@pytest.mark.parametrize(("result", "comment", "field"), [
    ("fail", "", "comment"), ("maybe", "", "result"), ("pass", "注释\x00", "comment"), ("na", "长" * 10_001, "comment"),
])
def test_a_judgement_is_checked(people, result, comment, field):
    inspection = an_inspection(people=people)
    finding = inspection.findings.first()
    with pytest.raises(ValidationError) as exc:
        services.finding_judge(finding=finding, actor=people.quality, result=result, comment=comment)
    assert field in exc.value.message_dict
    assert fresh(finding).result == R.PENDING and fresh(inspection).status == S.PLANNED


@pytest.mark.spec("QC-2", "SEC-1")
def test_only_the_inspector_or_quality_judges(people):
    inspection = an_inspection(people=people, state=S.IN_PROGRESS)
    finding = inspection.findings.first()
    for user in (people.manager, people.member, people.outsider):
        with pytest.raises(PermissionDenied):
            services.finding_judge(finding=finding, actor=user, result=R.PASS)
    assert fresh(finding).result == R.PENDING


@pytest.mark.spec("QC-2")
def test_nothing_is_judged_on_a_closed_inspection(people):
    for state in (S.COMPLETED, S.CANCELLED):
        inspection = an_inspection(people=people, state=state)
        finding = inspection.findings.first()
        before = fresh(finding).result
        with pytest.raises(TransitionNotAllowed):
            services.finding_judge(finding=finding, actor=people.quality, result=R.FAIL, comment="晚了")
        assert fresh(finding).result == before


@pytest.mark.spec("QC-2")
def test_complete_needs_every_item_judged_then_counts(people):
    inspection = an_inspection(people=people, state=S.IN_PROGRESS, sample_size=2)
    with pytest.raises(ValidationError) as exc:
        services.inspection_complete(inspection=inspection, actor=people.quality)
    assert "findings" in exc.value.message_dict
    judge(inspection, ("pass", "fail", "na", "pass"), actor=people.quality)
    done = services.inspection_complete(inspection=inspection, actor=people.quality, summary="总体良好")
    assert (done.status, done.pass_count, done.fail_count, done.na_count, done.summary) == (
        S.COMPLETED, 2, 1, 1, "总体良好")


@pytest.mark.spec("QC-2")
def test_cancel_needs_the_quality_manager_and_a_reason(people):
    inspection = an_inspection(people=people)
    with pytest.raises(PermissionDenied):
        services.inspection_cancel(inspection=inspection, actor=people.quality, reason="重复")
    with pytest.raises(ValidationError):
        services.inspection_cancel(inspection=inspection, actor=people.quality_manager, reason="  ")
    done = services.inspection_cancel(inspection=inspection, actor=people.quality_manager, reason="重复抽查")
    assert (done.status, done.cancel_reason) == (S.CANCELLED, "重复抽查")


@pytest.mark.spec("QC-2")
def test_a_scheduled_inspection_samples_the_plan_department_and_period_reproducibly(people):
    from django.utils import timezone

    from assessment.inspections.spot_checks import redraw
    from tests.builders.inquiries import new_inquiry
    from tests.factories import UserFactory

    sales_staff = UserFactory(username="inq_sales_author", department=people.department, roles=["staff"])
    service_staff = UserFactory(username="inq_service_author", department=people.service_department,
                                roles=["staff"])
    today = timezone.localdate()
    ours = [new_inquiry(actor=sales_staff, subject=f"本部门咨询{i}") for i in range(5)]
    new_inquiry(actor=service_staff, subject="他部门咨询")
    new_inquiry(actor=sales_staff, subject="期间外咨询", received_at=timezone.now() - dt.timedelta(days=40))
    _plan(people, frequency="weekly", sample_size=3, next_run_on=today + dt.timedelta(days=1))
    created = services.create_due_inspections(today=today + dt.timedelta(days=1))
    assert len(created) == 1
    inspection = created[0]
    assert (inspection.period_start, inspection.period_end) == (today - dt.timedelta(days=6), today)
    sampled = list(inspection.samples.order_by("position").values_list("object_id", flat=True))
    assert len(sampled) == 3 and set(sampled) <= {i.pk for i in ours}
    assert sorted(redraw(fresh(inspection))) == sorted(sampled)  # the stored seed draws the same records
    assert inspection.findings.count() == 3 * inspection.checklist.items.count()
    assert all(f.result == R.PENDING for f in inspection.findings.all())
