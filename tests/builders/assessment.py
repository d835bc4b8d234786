"""Quality-control records (standards, inspections, notices, rectification plans, training) driven
to any state through the workflow tables (``qsm.workflow.engine.fire``: the calls the services
make; never by writing ``status``). Records are created as a service creates them (a number, then
``record_created`` so the clocks of the first state start).

People (``cast()``; the usernames and departments of the root conftest's fixtures, so a test may
mix both): the quality department 质量管理部 has the officer ``quality`` and the quality manager
``quality_manager``; the inspected / responsible department is sales 销售部: ``sales`` (staff),
``sales_colleague`` (staff) and its manager ``sales_manager``; customer service 客户服务部 has
``staff`` and ``manager``; engineering 工程部 has ``outsider`` and ``outside_manager`` (unrelated).

- ``a_standard(owner=, effective=True, ...)``: a standard with version 1 (effective by default);
- ``a_revision(standard, state=...)``: its next version in draft, review, approved, effective,
  withdrawn (``returned=True``: returned once on the way);
- ``a_checklist(items=[(text, kind), ...], module=...)``; ``an_inspection_plan(frequency=...)``;
- ``an_inspection(state=..., records=None, results=None)``: planned, in_progress, completed,
  cancelled; ``records`` the sampled records (default: fresh inquiries of the inspected department);
  ``results`` the judgements given in order (the rest pass when completing);
- ``a_failed_finding()``: a failed finding of an inspection in progress;
- ``a_notice(state=..., rejected_first=False, reopened=False)``: issued, rectifying, reported,
  closed, cancelled;
- ``a_plan(notice, state=...)``: draft, submitted, approved, rejected, cancelled;
- ``a_training_plan(state=...)`` and ``a_session(state=..., attendees=...)``.
"""
from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from assessment.inspections.models import (
    Checklist,
    ChecklistItem,
    Finding,
    InspectedRecord,
    Inspection,
    InspectionPlan,
    ItemKind,
)
from assessment.rectification.models import Notice, RectificationMeasure, RectificationPlan
from assessment.standards.models import Standard, StandardVersion
from assessment.standards.workflows import activate_version
from assessment.training.models import Attendance, TrainingPlan, TrainingSession
from qsm.org.models import Department, Role
from qsm.workflow.engine import fire, record_created
from qsm.workflow.services import attachment_add, next_number
from tests.factories import DepartmentFactory, UserFactory

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

V = StandardVersion.Status
I = Inspection.Status  # noqa: E741
N = Notice.Status
P = RectificationPlan.Status


def today() -> dt.date:
    return timezone.localdate()


def in_days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def evidence(name: str = "整改照片.png") -> SimpleUploadedFile:
    """A small real PNG (the attachment checks read the content)."""
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def cast() -> SimpleNamespace:
    """The people of quality control (created once per test, found again by username)."""
    quality = DepartmentFactory(code="quality", name="质量管理部", kind=Department.Kind.QUALITY)
    sales = DepartmentFactory(code="sales", name="销售部", kind=Department.Kind.BUSINESS)
    service = DepartmentFactory(code="service", name="客户服务部", kind=Department.Kind.BUSINESS)
    engineering = DepartmentFactory(code="engineering", name="工程部", kind=Department.Kind.BUSINESS)
    return SimpleNamespace(
        quality_department=quality, department=sales, service_department=service, unrelated_department=engineering,
        quality=UserFactory(username="quality", department=quality, roles=[Role.QUALITY_OFFICER]),
        quality_manager=UserFactory(username="quality_manager", department=quality, roles=[Role.MANAGER]),
        member=UserFactory(username="sales", department=sales, roles=[Role.STAFF]),
        colleague=UserFactory(username="sales_colleague", department=sales, roles=[Role.STAFF]),
        manager=UserFactory(username="sales_manager", department=sales, roles=[Role.MANAGER]),
        service_staff=UserFactory(username="staff", department=service, roles=[Role.STAFF]),
        service_manager=UserFactory(username="manager", department=service, roles=[Role.MANAGER]),
        outsider=UserFactory(username="outsider", department=engineering, roles=[Role.STAFF]),
        outside_manager=UserFactory(username="outside_manager", department=engineering, roles=[Role.MANAGER]),
        administrator=UserFactory(username="admin_user", department=None, roles=[Role.ADMINISTRATOR]),
    )


def fresh(record):
    return type(record).objects.get(pk=record.pk)


# --- standards (QC-1) ------------------------------------------------------------------------------

def _new_version(standard: Standard, *, author, title: str | None = None, effective_on=None, review_on=None,
                 requirements: str = "首次响应不超过2小时；回访记录完整。") -> StandardVersion:
    number = (standard.versions.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    version = StandardVersion.objects.create(
        standard=standard, version=number, title=title or standard.title, author=author,
        process="受理 → 派工 → 处理 → 回访", content="售后服务的内容与范围", requirements=requirements,
        change_summary="" if number == 1 else f"第{number}版修订", effective_on=effective_on, review_on=review_on)
    record_created(version, actor=author)
    return version


def _to_version_state(version: StandardVersion, state: str, *, people, returned: bool = False) -> StandardVersion:
    author = version.author
    if state == V.DRAFT and not returned:
        return version
    if state == V.WITHDRAWN:
        return fire(version, "withdraw", actor=author)
    fire(version, "submit", actor=author)
    if returned:
        fire(version, "return", actor=people.quality_manager, comment="请补充质量要求的量化指标")
        if state == V.DRAFT:
            return fresh(version)
        fire(version, "submit", actor=author)
    if state == V.REVIEW:
        return fresh(version)
    fire(version, "approve", actor=people.quality_manager)
    if state == V.APPROVED:
        return fresh(version)
    if state == V.EFFECTIVE:
        return activate_version(fresh(version))
    raise ValueError(f"unknown version state {state!r}")


def a_standard(*, owner=None, effective: bool = True, title: str = "售后服务响应标准", kind: str = "process",
               modules=("cases",), departments=(), people=None, effective_on=None, review_on=None) -> Standard:
    """A standard with version 1: effective (from ``effective_on``, default today) or a draft."""
    people = people or cast()
    owner = owner or people.quality
    with transaction.atomic():
        standard = Standard.objects.create(number=next_number("STD"), title=title, kind=kind, modules=list(modules),
                                           owner=owner, created_by=owner)
        standard.departments.set(departments)
    effective_on = effective_on or today()
    version = _new_version(standard, author=owner, effective_on=effective_on,
                           review_on=review_on or effective_on + dt.timedelta(days=365))
    if effective:
        _to_version_state(version, V.EFFECTIVE, people=people)
    return fresh(standard)


def a_revision(standard: Standard | None = None, *, state: str = V.DRAFT, author=None, returned: bool = False,
               effective_on=None, review_on=None, people=None, title: str | None = None) -> StandardVersion:
    """The next version of ``standard`` (a fresh effective standard by default) in ``state``."""
    people = people or cast()
    standard = standard or a_standard(people=people)
    author = author or standard.owner
    effective_on = effective_on or today()
    version = _new_version(standard, author=author, title=title, effective_on=effective_on,
                           review_on=review_on or effective_on + dt.timedelta(days=365),
                           requirements="首次响应不超过1小时；回访记录完整并有客户确认。")
    return _to_version_state(version, state, people=people, returned=returned)


# --- checklists and inspections (QC-2) -------------------------------------------------------------

DEFAULT_ITEMS = [("按流程受理并登记", ItemKind.PROCESS), ("答复内容符合服务标准", ItemKind.COMPLIANCE)]


def a_checklist(*, items=DEFAULT_ITEMS, module: str = "inquiries", owner=None, standard: Standard | None = None,
                name: str = "售前咨询检查表", people=None) -> Checklist:
    people = people or cast()
    checklist = Checklist.objects.create(name=name, module=module, owner=owner or people.quality)
    version = standard.current_version if standard is not None else None
    for position, (text, kind) in enumerate(items, start=1):
        ChecklistItem.objects.create(checklist=checklist, position=position, text=text, kind=kind,
                                     standard=standard, standard_version=version)
    if standard is not None:
        checklist.created_from.add(standard)
    return checklist


def an_inspection_plan(*, department=None, module: str = "inquiries", checklist: Checklist | None = None,
                       frequency: str = "monthly", sample_size: int = 5, inspector=None, next_run_on=None,
                       active: bool = True, people=None) -> InspectionPlan:
    """A recurring scheduled-inspection plan (定期检查计划) of ``department`` (sales by default)."""
    people = people or cast()
    department = department or people.department
    return InspectionPlan.objects.create(
        title=f"{department.name}定期检查", department=department, module=module,
        checklist=checklist or a_checklist(module=module, people=people), frequency=frequency,
        sample_size=sample_size, inspector=inspector or people.quality, next_run_on=next_run_on or today(),
        active=active, created_by=people.quality)


def _default_records(department: Department, n: int) -> list:
    from tests.builders.inquiries import new_inquiry

    author = UserFactory(username=f"inq_{department.code}", department=department, roles=[Role.STAFF])
    return [new_inquiry(actor=author, subject=f"抽样咨询{i + 1}") for i in range(n)]


def an_inspection(*, state: str = I.PLANNED, kind: str = Inspection.Kind.SPOT, department=None, module: str = "inquiries",
                  checklist: Checklist | None = None, records=None, sample_size: int = 2, inspector=None,
                  results=(), due_on=None, period_days: int = 30, people=None, plan=None) -> Inspection:
    """An inspection of ``department`` sampling ``records`` (default: ``sample_size`` fresh
    inquiries of the department), moved to ``state``; ``results`` judge the findings in order.
    ``plan``: a scheduled inspection of that plan (its department, module and checklist)."""
    people = people or cast()
    if plan is not None:
        kind, department, module, checklist = Inspection.Kind.SCHEDULED, plan.department, plan.module, plan.checklist
    department = department or people.department
    inspector = inspector or people.quality
    checklist = checklist or a_checklist(module=module, people=people)
    if records is None:
        records = _default_records(department, sample_size)
    inspection = Inspection.objects.create(
        number=next_number("INS"), kind=kind, plan=plan, department=department, module=module, checklist=checklist,
        period_start=today() - dt.timedelta(days=period_days), period_end=today(), sample_size=max(1, len(records)),
        seed=secrets.randbits(62), inspector=inspector, due_on=due_on or in_days(14), title=f"{department.name}抽查",
        created_by=people.quality)
    items = list(checklist.items.order_by("position"))
    for position, record in enumerate(records, start=1):
        sample = InspectedRecord.objects.create(
            inspection=inspection, content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
            number=str(getattr(record, "number", record.pk)), title=str(getattr(record, "subject", ""))[:300],
            department=department, position=position)
        for item in items:
            Finding.objects.create(sample=sample, inspection=inspection, item=item, kind=item.kind)
    record_created(inspection, actor=people.quality)
    if state == I.PLANNED:
        return inspection
    if state == I.CANCELLED:
        return fire(inspection, "cancel", actor=people.quality_manager, comment="样本期间有误，重新抽查")
    fire(inspection, "start", actor=inspector)
    judge(inspection, results, actor=inspector, rest=("pass" if state == I.COMPLETED else None))
    if state == I.IN_PROGRESS:
        return fresh(inspection)
    if state == I.COMPLETED:
        return fire(fresh(inspection), "complete", actor=inspector)
    raise ValueError(f"unknown inspection state {state!r}")


def judge(inspection: Inspection, results=(), *, actor, rest: str | None = None) -> None:
    """Judge the findings in order with ``results``; the others with ``rest`` (None: left pending)."""
    findings = list(Finding.objects.filter(inspection=inspection).order_by("sample__position", "item__position"))
    now = timezone.now()
    for i, finding in enumerate(findings):
        result = results[i] if i < len(results) else rest
        if result is None:
            continue
        finding.result = result
        finding.comment = "样本记录不完整" if result == "fail" else ""
        finding.judged_by = actor
        finding.judged_at = now
        finding.save(update_fields=["result", "comment", "judged_by", "judged_at"])


def a_failed_finding(*, people=None, **inspection) -> Finding:
    people = people or cast()
    found = an_inspection(state=I.IN_PROGRESS, results=("fail",), people=people, **inspection)
    return Finding.objects.filter(inspection=found, result="fail").select_related("sample", "inspection").first()


# --- rectification (QC-3) --------------------------------------------------------------------------

def _issue(*, people, department, finding: Finding | None, deadline, title: str) -> Notice:
    record = finding.sample if finding is not None else None
    notice = Notice.objects.create(
        number=next_number("RN"), department=department, source=Notice.Source.FINDING if finding else Notice.Source.MANUAL,
        finding=finding, inspection=finding.inspection if finding else None,
        content_type_id=record.content_type_id if record else None, object_id=record.object_id if record else None,
        record_number=record.number if record else "", title=title, requirement="按服务标准完善受理记录，补充客户确认。",
        deadline=deadline, issued_by=people.quality, issued_at=timezone.now())
    record_created(notice, actor=people.quality)
    return notice


def a_plan(notice: Notice, *, state: str = P.DRAFT, author=None, approver=None, measures: int = 2,
           people=None, reason: str = "原因分析不充分，请补充") -> RectificationPlan:
    """The next plan of ``notice`` moved to ``state`` (the notice is locked first, as h5's services do)."""
    people = people or cast()
    author = author or people.member
    approver = approver or people.manager
    last = notice.plans.order_by("-version").first()
    plan = RectificationPlan.objects.create(notice=notice, version=(last.version if last else 0) + 1,
                                            round=notice.round, cause="受理登记环节缺少复核", author=author,
                                            department=notice.department)
    for position in range(1, measures + 1):
        RectificationMeasure.objects.create(plan=plan, position=position, description=f"整改措施{position}",
                                            owner=people.colleague if position % 2 == 0 else people.member,
                                            due_on=min(notice.deadline, in_days(7)))
    record_created(plan, actor=author)
    if state == P.DRAFT:
        return plan
    if state == P.CANCELLED:
        return fire(plan, "withdraw", actor=author)
    fire(plan, "submit", actor=author)
    if state == P.SUBMITTED:
        return fresh(plan)
    with transaction.atomic():
        Notice.objects.select_for_update().get(pk=notice.pk)
        if state == P.APPROVED:
            return fire(fresh(plan), "approve", actor=approver)
        if state == P.REJECTED:
            return fire(fresh(plan), "reject", actor=approver, comment=reason)
    raise ValueError(f"unknown plan state {state!r}")


def report_completion(notice: Notice, *, actor, note: str = "已完成整改并补充记录") -> Notice:
    attachment_add(record=notice, upload=evidence(), actor=actor, description="整改证据")
    return fire(fresh(notice), "report", actor=actor, note=note)


def a_notice(*, state: str = N.ISSUED, department=None, finding: Finding | None = None, deadline=None,
             rejected_first: bool = False, reopened: bool = False, people=None,
             title: str = "受理记录不完整整改") -> Notice:
    """A notice issued to ``department`` (sales by default), moved to ``state``:
    rectifying (a plan approved; ``rejected_first``: after one rejected plan), reported (with an
    evidence file), closed (verified), cancelled. ``reopened``: reported once, reopened, then on."""
    people = people or cast()
    department = department or people.department
    notice = _issue(people=people, department=department, finding=finding, deadline=deadline or in_days(14),
                    title=title)
    if state == N.ISSUED:
        return notice
    if state == N.CANCELLED:
        return fire(notice, "cancel", actor=people.quality_manager, comment="重复下发")
    member, manager = _department_people(department, people)
    if rejected_first:
        a_plan(notice, state=P.REJECTED, author=member, approver=manager, people=people)
    a_plan(fresh(notice), state=P.APPROVED, author=member, approver=manager, people=people)
    if reopened:
        report_completion(fresh(notice), actor=member)
        fire(fresh(notice), "reopen", actor=people.quality, comment="证据不足，请补充整改后的记录")
    if state == N.RECTIFYING:
        return fresh(notice)
    report_completion(fresh(notice), actor=member)
    if state == N.REPORTED:
        return fresh(notice)
    if state == N.CLOSED:
        return fire(fresh(notice), "verify", actor=people.quality, note="复查合格")
    raise ValueError(f"unknown notice state {state!r}")


def _department_people(department, people):
    if department.pk == people.department.pk:
        return people.member, people.manager
    member = UserFactory(username=f"member_{department.code}", department=department, roles=[Role.STAFF])
    manager = UserFactory(username=f"manager_{department.code}", department=department, roles=[Role.MANAGER])
    return member, manager


# --- training (QC-5) -------------------------------------------------------------------------------

def a_training_plan(*, state: str = TrainingPlan.Status.ACTIVE, department=None, owner=None,
                    target_hours: str = "8", topics=("standards", "communication"), people=None,
                    title: str = "年度服务质量培训") -> TrainingPlan:
    people = people or cast()
    department = department or people.department
    owner = owner or people.manager
    plan = TrainingPlan.objects.create(number=next_number("TP"), title=title, department=department,
                                       period_start=today().replace(month=1, day=1),
                                       period_end=today().replace(month=12, day=31),
                                       target_hours=Decimal(target_hours), topics=list(topics), owner=owner)
    record_created(plan, actor=owner)
    if state == TrainingPlan.Status.DRAFT:
        return plan
    fire(plan, "activate", actor=owner)
    if state == TrainingPlan.Status.CLOSED:
        fire(plan, "close", actor=owner)
    return fresh(plan)


def a_session(*, plan: TrainingPlan | None = None, state: str = TrainingSession.Status.SCHEDULED, trainer=None,
              attendees=(), hours: str = "2", starts_at=None, standards=(), topic: str = "standards",
              people=None, scores=None) -> TrainingSession:
    """A session of ``plan`` with ``attendees`` (attendance recorded as attended, with ``scores``
    in order, when the session is held)."""
    people = people or cast()
    plan = plan or a_training_plan(people=people)
    trainer = trainer or people.quality
    held = state == TrainingSession.Status.HELD
    starts_at = starts_at or (timezone.now() - dt.timedelta(days=1) if held else timezone.now() + dt.timedelta(days=3))
    session = TrainingSession.objects.create(
        number=next_number("PX"), plan=plan, title="服务标准宣贯", topic=topic, trainer=trainer,
        starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=float(hours)), hours=Decimal(hours),
        place="三楼会议室", department=plan.department)
    session.standards.set(standards)
    for person in attendees:
        Attendance.objects.create(session=session, person=person)
    record_created(session, actor=trainer)
    if state == TrainingSession.Status.SCHEDULED:
        return session
    if state == TrainingSession.Status.CANCELLED:
        return fire(session, "cancel", actor=trainer, comment="培训师临时出差")
    fire(session, "hold", actor=trainer)
    now = timezone.now()
    for i, attendance in enumerate(session.attendances.order_by("person_id")):
        attendance.attended = True
        attendance.score = Decimal(str(scores[i])) if scores and i < len(scores) else None
        attendance.recorded_by = trainer
        attendance.recorded_at = now
        attendance.save(update_fields=["attended", "score", "recorded_by", "recorded_at"])
    return fresh(session)
