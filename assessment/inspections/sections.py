"""QC-2 on the core's pages (qsm.registry, registered in AssessmentConfig.ready):

- the page of an inspected record (inquiry, order, after-sales case, visit, complaint): the findings
  of the inspections that sampled it, within what the user may see (``finding_scope``), each linked
  to the finding (whose page issues the rectification notice of a failure); one query;
- "my work" (INBOX-1): the open inspections the user is to carry out, due first; one query.
The modules whose pages these are import nothing of assessment.
"""
from __future__ import annotations

from django.utils.translation import gettext, gettext_noop, pgettext

from qsm.inbox import first_by_deadline
from qsm.record_rows import labels as _labels
from qsm.record_rows import local_day as _day
from qsm.record_rows import record_url_of as _url_of
from qsm.registry import HistorySection, InboxItem

from .models import Finding, Inspection, ItemKind
from .selectors import record_findings

# The record pages of the sampled modules (qsm.registry keys: their models' labels).
RECORD_MODELS = ("presales.inquiry", "orders.order", "aftersales.case", "aftersales.visit", "complaints.complaint")

_START = gettext_noop("Start the inspection and judge the sampled records")
_CONTINUE = gettext_noop("Judge the remaining items and complete the inspection")


def record_findings_section(record, user) -> HistorySection | None:
    """The inspected record's page: its findings (pass / fail / not applicable), newest first."""
    findings = record_findings(record, user)
    if not findings:
        return None
    results, kinds = _labels(Finding.Result.choices), _labels(ItemKind.choices)
    url = _url_of("assessment:finding-detail")
    rows = [{"url": url(f.pk) or None,
             "cells": [f.inspection.number, f.item.text, kinds.get(f.kind, f.kind), results.get(f.result, f.result),
                       f.comment[:120], _day(f.judged_at)]} for f in findings]
    return HistorySection(
        title=pgettext("record page", "Inspection findings"), key="inspection-findings", rows=rows,
        columns=[gettext("Inspection"), gettext("Item"), gettext("Kind"), gettext("Result"), gettext("Comment"),
                 gettext("Judged at")])


def inspections_inbox(user) -> list[InboxItem]:
    """INBOX-1: the open inspections assigned to the user."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = first_by_deadline(Inspection.objects.select_related("department"),
                             [Inspection.objects.filter(inspector=user, status__in=Inspection.OPEN_STATES)],
                             order_by=("due_at", "pk"))
    states = _labels(Inspection.Status.choices)
    url = _url_of("assessment:inspection-detail")
    module = gettext("Quality control")
    return [InboxItem(module=module, module_code="inspections", number=i.number,
                      title=f"{i.title or i.get_module_display()} · {i.department.name}",
                      status_label=states.get(i.status, i.status), url=url(i.pk), due_at=i.due_at,
                      waiting_for=gettext(_START if i.status == Inspection.Status.PLANNED else _CONTINUE))
            for i in rows]


def register() -> None:
    """AssessmentConfig.ready: the exports, the record pages' section, "my work" and the beat task."""
    from qsm import registry

    from . import exports, tasks  # noqa: F401  (tasks: the beat's create_due_inspections)

    exports.register()
    for model in RECORD_MODELS:
        registry.register_record_section(model, record_findings_section)
    registry.register_inbox(inspections_inbox, module="inspections")
