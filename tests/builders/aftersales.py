"""After-sales cases, special plans and follow-up visits driven to any state through the services
and the workflow tables (the calls a user's clicks make).

- ``case_build(actor=..., state="new", complex=False, **intake)``: new, in_progress, special,
  waiting_customer, resolved, closed, cancelled (``complex=True`` passes through the special flow:
  a plan with ``steps`` steps, started, done).
- ``plan_build(case, actor=..., steps=2, state="draft")``: draft, in_progress, done, cancelled.
- ``visit_build(actor=..., state="planned", subject=None, ...)``: planned, link_sent, done, cancelled.
"""
from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from aftersales.models import Case, CauseCategory, PlanStep, Questionnaire, SpecialPlan, Visit
from aftersales.services.cases import case_create
from qsm.workflow import engine
from qsm.workflow.services import next_number
from tests.factories import CustomerFactory

S = Case.Status
V = Visit.Status

REPLY = "您好，已收到您的反馈，工程师正在排查。"
DIAGNOSIS = {"diagnosis": "主轴轴承磨损", "solution": "更换主轴轴承并重新校准", "cause_detail": "润滑不足"}


def any_cause() -> CauseCategory:
    return CauseCategory.objects.filter(parent__isnull=False, is_active=True).order_by("position", "pk").first()


def new_case(*, actor, customer=None, channel="phone", case_type="product_quality", severity="normal",
             subject="设备异响", description="主轴运转时有异响", **intake) -> Case:
    return case_create(actor=actor, customer=customer or CustomerFactory(), channel=channel, case_type=case_type,
                       severity=severity, subject=subject, description=description, **intake)


def diagnose(case: Case) -> Case:
    """Diagnosis, cause and solution recorded (the guard of "resolve"), as a person's edit."""
    engine.edit(case, actor=case.owner, tracked=Case.TRACKED_FIELDS,
                data={**DIAGNOSIS, "cause": any_cause()})
    return case


def plan_build(case: Case, *, actor, steps: int = 2, state: str = "draft", step_owner=None) -> SpecialPlan:
    plan = SpecialPlan.objects.create(case=case, title="专项解决方案", content="更换主轴并复测", created_by=actor)
    engine.record_created(plan, actor=actor)
    today = timezone.localdate()
    for i in range(1, steps + 1):
        step = PlanStep.objects.create(plan=plan, position=i, description=f"步骤 {i}", owner=step_owner or actor,
                                       due_date=today + dt.timedelta(days=7 * i))
        engine.record_created(step, actor=actor)
    if state == "draft":
        return plan
    if state == "cancelled":
        return engine.fire(plan, "cancel", actor=actor, comment="方案作废")
    plan = engine.fire(plan, "start", actor=actor)
    if state == "in_progress":
        return plan
    for step in plan.steps.all():
        engine.fire(step, "complete", actor=actor, comment="已完成")
    return engine.fire(plan, "complete", actor=actor)


def case_build(*, actor, state: str = S.NEW, complex: bool = False, **intake) -> Case:
    """A fresh case of ``actor`` moved to ``state`` the way users would."""
    case = new_case(actor=actor, **intake)
    worker = case.owner
    if state == S.NEW:
        return case
    if state == S.CANCELLED:
        return engine.fire(case, "cancel", actor=_manager_or(worker, case), comment="重复登记")
    case = engine.fire(case, "reply", actor=worker, reply=REPLY)
    if complex:
        case = engine.fire(case, "mark_complex", actor=worker)
    if state in (S.IN_PROGRESS, S.SPECIAL):
        return case
    if state == S.WAITING_CUSTOMER:
        return engine.fire(case, "wait_customer", actor=worker, comment="等待客户提供现场照片")
    diagnose(case)
    if complex:
        plan_build(case, actor=worker, state="done")
    case = engine.fire(case, "resolve", actor=worker)
    if state == S.RESOLVED:
        return case
    if state == S.CLOSED:
        return engine.fire(case, "close", actor=worker)
    raise ValueError(f"unknown case state {state!r}")


def _manager_or(user, case: Case):
    from qsm.org.selectors import department_managers

    return department_managers(department=case.department).first() or user


def visit_build(*, actor, state: str = V.PLANNED, subject=None, customer=None, department=None, owner=None,
                reason: str = "case_resolved", planned_for: dt.date | None = None, satisfaction: int = 4,
                method: str = "phone") -> Visit:
    """A manual visit of ``subject`` (default: a fresh resolved case) moved to ``state``."""
    if subject is None:
        subject = case_build(actor=actor, state=S.RESOLVED, customer=customer)
    customer = customer or subject.customer
    department = department or getattr(subject, "department", None) or actor.department
    questionnaire = Questionnaire.objects.filter(reason=reason).first()
    version = questionnaire.current_version() if questionnaire else None
    visit = Visit.objects.create(
        number=next_number("HF"), content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk,
        reason=reason, customer=customer, department=department, owner=owner or actor,
        planned_for=planned_for or timezone.localdate() + dt.timedelta(days=3), questionnaire_version=version,
    )
    engine.record_created(visit, actor=actor)
    if state == V.PLANNED:
        return visit
    if state == V.CANCELLED:
        return engine.fire(visit, "cancel", actor=actor, comment="客户已注销")
    if state == V.LINK_SENT:
        return engine.fire(visit, "send_link", actor=actor)
    if state == V.DONE:
        return engine.fire(visit, "record", actor=actor, **visit_answers(visit, satisfaction=satisfaction),
                           method=method, call_seconds=180)
    raise ValueError(f"unknown visit state {state!r}")


def visit_answers(visit: Visit, *, satisfaction: int = 4) -> dict:
    """Answers to every question of the visit's questionnaire version (the guard of "record")."""
    answers = {}
    if visit.questionnaire_version_id:
        for q in visit.questionnaire_version.questions.all():
            answers[q.pk] = {"scale": satisfaction, "choice": (q.choices or ["是"])[0], "text": "无"}[q.kind]
    return {"satisfaction": satisfaction, "answers": answers, "comments": "服务很好", "suggestions": "保持"}
