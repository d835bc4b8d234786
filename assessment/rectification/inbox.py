"""QC-3 on the core pages (``qsm.registry``): "my work" and the inspected record's page.

- "My work" (INBOX-1): the rectification plans awaiting the user's approval (a manager of the
  department, the quality manager for every department; never the plan's author); the notices of
  the user's department still to answer (a plan to propose, the rectification to report); for the
  quality department, the reported notices to verify. Each kind is one query cut short by its
  partial index (``qsm.inbox.first_by_deadline``), whatever the number of records.
- The page of an inspected record (an inquiry, order, case, visit or complaint): its open
  rectification notice, through the generic link, within what the user may see (one query).
"""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext, gettext_noop

from qsm.inbox import first_by_deadline, url_of
from qsm.org.models import Role
from qsm.org.rules import in_quality_department
from qsm.record_rows import labels as _labels
from qsm.registry import HistorySection, InboxItem

from ..rules import is_quality_staff
from .models import Notice, RectificationPlan
from .selectors import notice_scope

N, P = Notice.Status, RectificationPlan.Status
ANSWER_STATES = (N.ISSUED, N.RECTIFYING)

_PLAN_WAITING_FOR = gettext_noop("Approve or reject the rectification plan")
_NOTICE_WAITING_FOR = {
    N.ISSUED: gettext_noop("Propose the rectification plan"),
    N.RECTIFYING: gettext_noop("Rectify and report completion with evidence"),
    N.REPORTED: gettext_noop("Verify the rectification"),
}
# The pages of the records a notice may be about (the sampling registry's modules).
RECORD_MODELS = ("presales.inquiry", "orders.order", "aftersales.case", "aftersales.visit", "complaints.complaint")


def plans_awaiting_approval(user):
    """The submitted plans ``user`` may decide (never their own), due first."""
    if not (getattr(user, "is_authenticated", False) and user.has_role(Role.MANAGER)):
        return RectificationPlan.objects.none()
    branch = RectificationPlan.objects.filter(status=P.SUBMITTED).exclude(author=user)
    if not in_quality_department(user):
        if user.department_id is None:
            return RectificationPlan.objects.none()
        branch = branch.filter(department_id=user.department_id)
    return first_by_deadline(RectificationPlan.objects.select_related("notice"), [branch],
                             order_by=("due_at", "pk"))


def notices_waiting_on(user):
    """The notices of the user's department to answer; for the quality department, those to verify."""
    department = (Notice.objects.filter(department_id=user.department_id, status__in=ANSWER_STATES)
                  if user.department_id and (user.has_role(Role.STAFF) or user.has_role(Role.MANAGER)) else None)
    verify = Notice.objects.filter(status=N.REPORTED) if is_quality_staff(user) else None
    return first_by_deadline(Notice.objects.all(), [department, verify], order_by=("due_at", "pk"))


def rectification_inbox(user) -> list[InboxItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    module = gettext("Rectification notices")
    url = url_of("assessment:notice-detail")
    notice_labels, plan_labels = _labels(N.choices), _labels(P.choices)
    items = [InboxItem(module=module, module_code="rectification", number=plan.number, title=plan.notice.title,
                       status_label=plan_labels.get(plan.status, plan.status), url=url(plan.notice_id),
                       due_at=plan.due_at, waiting_for=gettext(_PLAN_WAITING_FOR))
             for plan in plans_awaiting_approval(user)]
    items += [InboxItem(module=module, module_code="rectification", number=n.number, title=n.title,
                        status_label=notice_labels.get(n.status, n.status), url=url(n.pk), due_at=n.due_at,
                        waiting_for=gettext(_NOTICE_WAITING_FOR[n.status]))
              for n in notices_waiting_on(user)]
    return items


def open_notice_section(record, user) -> HistorySection | None:
    """QC-3: the inspected record's page shows its open rectification notice (if the user may see it)."""
    ct = ContentType.objects.get_for_model(type(record))
    notices = list(notice_scope(user).filter(content_type=ct, object_id=record.pk, status__in=Notice.OPEN_STATES)
                   .select_related("department").order_by("-issued_at", "-id")[:5])
    if not notices:
        return None
    states = _labels(N.choices)
    url = url_of("assessment:notice-detail")
    return HistorySection(
        title=gettext("Open rectification notice"), key="rectification-notices",
        columns=[gettext("Number"), gettext("Title"), gettext("Responsible department"), gettext("Status"),
                 gettext("Deadline")],
        rows=[{"url": url(n.pk), "cells": [n.number, n.title, n.department.name, states.get(n.status, n.status),
                                           n.deadline.isoformat()]} for n in notices])


def register() -> None:
    from qsm import registry

    registry.register_inbox(rectification_inbox, module="rectification")
    for model in RECORD_MODELS:
        registry.register_record_section(model, open_notice_section)
