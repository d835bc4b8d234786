"""Inquiries driven to any state of their lifecycle through the services.

Every step is the service call a user's click makes. Options only change the data entered on the
way and whether the need goes through the complex path (mark complex, discussion, solution), so
every state of the lifecycle table is reachable:

- ``new_inquiry(actor=...)``: an inquiry logged at intake (PRE-1), ``answer`` given on the phone or not.
- ``inquiry_in(state, actor=...)``: new, answered, closed, cancelled, discussion, handed_over,
  acknowledged, converted.
"""
from __future__ import annotations

from django.utils import timezone

from presales import services
from presales.models import Inquiry
from tests.factories import CustomerFactory

S = Inquiry.Status


def new_inquiry(*, actor, customer=None, channel="phone", subject="咨询设备参数", question="需要了解参数",
                answer="", received_at=None, **intake) -> Inquiry:
    """An inquiry logged by ``actor`` (a new customer unless ``customer`` is given)."""
    return services.inquiry_create(actor=actor, channel=channel, customer=customer or CustomerFactory(),
                                   subject=subject, question=question, answer=answer,
                                   received_at=received_at or timezone.now(), **intake)


def inquiry_in(state: str, *, actor, customer=None, answer: str = "已答复", respond: bool = False,
               complex: bool = False, topic: str = "方案", invited=(), invited_people=(), solution: tuple[str, str] | None = None,
               hand_over_to=None, receiver=None, **intake) -> Inquiry:
    """A fresh inquiry of ``actor`` moved to ``state`` the way users would.

    - answered: the ``answer`` given at intake, or afterwards (``respond=True``, the "respond" action);
    - closed / cancelled: from answered, by ``actor``;
    - discussion: marked complex and discussed with the ``invited`` departments on ``topic``, with a
      ``solution`` (title, content) when given (``invited_people``: people invited by name);
    - handed_over: to the ``hand_over_to`` department, straight from answered or, when ``complex``,
      after the discussion (which then needs a ``solution``);
    - acknowledged / converted: by ``receiver`` of that department (converted: the order is created).
    """
    if state == S.NEW:
        return new_inquiry(actor=actor, customer=customer, **intake)
    if respond:
        inquiry = services.inquiry_respond(inquiry=new_inquiry(actor=actor, customer=customer, **intake),
                                           actor=actor, answer=answer)
    else:
        inquiry = new_inquiry(actor=actor, customer=customer, answer=answer, **intake)
    if state == S.ANSWERED:
        return inquiry
    if state == S.CLOSED:
        return services.inquiry_close(inquiry=inquiry, actor=actor)
    if state == S.CANCELLED:
        return services.inquiry_cancel(inquiry=inquiry, actor=actor, comment="客户撤回")
    if state == S.DISCUSSION or complex:
        inquiry = services.inquiry_mark_complex(inquiry=inquiry, actor=actor)
        inquiry = services.inquiry_open_discussion(inquiry=inquiry, actor=actor, topic=topic,
                                                   departments=list(invited), users=list(invited_people))
        if solution is not None:
            title, content = solution
            services.solution_add(inquiry=inquiry, actor=actor, title=title, content=content)
        if state == S.DISCUSSION:
            return _fresh(inquiry)
    inquiry = services.inquiry_hand_over(inquiry=inquiry, actor=actor, department=hand_over_to)
    if state == S.HANDED_OVER:
        return inquiry
    inquiry = services.inquiry_acknowledge(inquiry=inquiry, actor=receiver)
    if state == S.ACKNOWLEDGED:
        return inquiry
    assert state == S.CONVERTED, state
    from tests.builders.orders import convert_inquiry  # the next module: only the last step needs it

    convert_inquiry(inquiry, actor=receiver)
    inquiry = _fresh(inquiry)
    assert inquiry.status == S.CONVERTED, inquiry.status
    return inquiry


def _fresh(inquiry: Inquiry) -> Inquiry:
    return Inquiry.objects.get(pk=inquiry.pk)
