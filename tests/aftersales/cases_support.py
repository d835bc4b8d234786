"""After-sales cases driven to a state through the services, the way users' clicks do (AFS-1/2).

- ``new_case(actor=...)``: logged at intake (routed by the rules, or to the actor's department).
- ``case_in(state, actor=...)``: new, in_progress (replied), waiting_customer, resolved (diagnosed and
  resolved), closed, cancelled (by ``manager``), special (marked complex).
- ``diagnosed(case, actor)``: diagnosis, an active cause and a solution recorded.
"""
from __future__ import annotations

from aftersales.models import Case, CauseCategory
from aftersales.services import cases as services
from tests.factories import CustomerFactory

S = Case.Status


def a_cause() -> CauseCategory:
    """An active second-level cause of the reference taxonomy (or one made for the test)."""
    cause = CauseCategory.objects.filter(is_active=True, parent__isnull=False).order_by("pk").first()
    if cause is None:
        parent = CauseCategory.objects.create(name="制造质量", code="t-manufacturing")
        cause = CauseCategory.objects.create(name="装配不良", code="t-assembly", parent=parent)
    return cause


def new_case(*, actor, customer=None, channel="phone", case_type="product_quality", severity="normal",
             subject="主轴异响", description="设备运行时主轴有异响，客户要求尽快处理。", **intake) -> Case:
    return services.case_create(actor=actor, customer=customer or CustomerFactory(), channel=channel,
                                case_type=case_type, severity=severity, subject=subject, description=description,
                                **intake)


def diagnosed(case: Case, actor, cause=None) -> Case:
    return services.case_diagnose(case=case, actor=actor, diagnosis="主轴轴承磨损", cause=cause or a_cause(),
                                  cause_detail="润滑不足导致磨损", solution="更换轴承并调整润滑周期")


def case_in(state: str, *, actor, manager=None, **intake) -> Case:
    case = new_case(actor=actor, **intake)
    if state == S.NEW:
        return case
    if state == S.CANCELLED:
        return services.case_cancel(case=case, actor=manager or actor, comment="客户撤回")
    case = services.case_reply(case=case, actor=actor, reply="已电话回复，安排工程师排查")
    if state == S.IN_PROGRESS:
        return case
    if state == S.SPECIAL:
        return services.case_mark_complex(case=case, actor=actor)
    if state == S.WAITING_CUSTOMER:
        return services.case_wait_customer(case=case, actor=actor, comment="等待客户提供现场照片")
    case = services.case_resolve(case=diagnosed(case, actor), actor=actor)
    if state == S.RESOLVED:
        return case
    if state == S.CLOSED:
        return services.case_close(case=case, actor=actor)
    raise ValueError(state)
