"""QC-1 on other pages (``qsm.registry``): the standards that apply on the record pages staff work on
(inquiries, orders, after-sales cases, visits, complaints: "适用的服务标准"), and "my work": the owner's
standards whose review falls due, the revisions awaiting the quality manager's approval, the drafts
returned to their author.

The record pages' modules import nothing of this (DESIGN.md: dependencies flow one way); each section
is one query whatever the number of standards (PERF-1). Effective versions only: the rules in force.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import DateField, DateTimeField, F, Value
from django.utils import timezone
from django.utils.translation import gettext

from qsm import registry
from qsm.inbox import url_of
from qsm.registry import HistorySection, InboxItem

from ..choices import Module
from ..rules import is_quality_manager
from .models import Standard, StandardVersion
from .selectors import applicable_standards
from .workflows import REVIEW_LEAD_DAYS

V = StandardVersion.Status
INBOX_ROWS = 50

# The record pages that show the standards in force: model label -> (module code, department fields).
RECORD_PAGES = {
    "presales.inquiry": (Module.INQUIRIES, ("department_id", "handover_department_id")),
    "orders.order": (Module.ORDERS, ("department_id",)),
    "aftersales.case": (Module.CASES, ("department_id",)),
    "aftersales.visit": (Module.VISITS, ("department_id",)),
    "complaints.complaint": (Module.COMPLAINTS, ("receiving_department_id", "responsible_department_id")),
}


def applicable_section(record, user) -> HistorySection | None:
    """QC-1: "the standards that apply" to this record: its module's, for its department(s)."""
    module, fields = RECORD_PAGES[record._meta.label_lower]
    standards = list(applicable_standards(module=module, department_ids=[getattr(record, f, None) for f in fields]))
    if not standards:
        return None
    return HistorySection(
        title=gettext("Applicable service standards"),
        columns=[gettext("Number"), gettext("Title"), gettext("Kind"), gettext("Version"), gettext("Effective from")],
        rows=[{"url": s.get_absolute_url(), "cells": [
            s.number, s.current_version.title, s.get_kind_display(), f"v{s.current_version.version}",
            s.current_version.effective_on or ""]} for s in standards],
        key="applicable-standards",
    )


# --- my work (INBOX-1) -------------------------------------------------------------------------------

def _due(day: dt.date | None):
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0)))


def standards_inbox(user) -> list[InboxItem]:
    """One query whatever the number of standards (PERF-1): each branch cut short by its own order
    and limit, the three read together in one ``UNION ALL``."""
    module = gettext("Service standards")
    horizon = timezone.localdate() + dt.timedelta(days=REVIEW_LEAD_DAYS + 20)
    columns = ("row", "record_id", "standard_number", "version_no", "shown_title", "state", "due_on", "due_at")
    # The owner: a review of the standard in force falls due (QC-1 §4(一)2).
    reviews = (Standard.objects.filter(owner=user, retired=False, next_review_on__lte=horizon)
               .annotate(row=Value("due"), record_id=F("pk"), standard_number=F("number"),
                         version_no=Value(0), shown_title=F("title"), state=Value(""),
                         due_on=F("next_review_on"), due_at=Value(None, output_field=DateTimeField()))
               .order_by("next_review_on", "id").values_list(*columns)[:INBOX_ROWS])

    def versions(row: str, queryset, order_by):
        return (queryset.annotate(row=Value(row), record_id=F("pk"), standard_number=F("standard__number"),
                                  version_no=F("version"), shown_title=F("title"), state=F("status"),
                                  due_on=Value(None, output_field=DateField()), due_at_=F("due_at"))
                .order_by(*order_by).values_list(*columns[:-1], "due_at_")[:INBOX_ROWS])

    # The author: a draft the quality manager returned; the quality manager: revisions in review,
    # never their own (four eyes).
    branches = [versions("returned", StandardVersion.objects.filter(author=user, status=V.DRAFT, return_reason__gt=""),
                         ("updated_at", "id"))]
    if is_quality_manager(user):
        branches.append(versions("review", StandardVersion.objects.filter(status=V.REVIEW).exclude(author=user),
                                 ("due_at", "id")))
    standard_url, version_url = url_of("assessment:standard-detail"), url_of("assessment:standard-version-detail")
    waiting = {"returned": gettext("Correct the returned draft and submit it again"),
               "review": gettext("Approve or return the revision")}
    items: list[InboxItem] = []
    for row, pk, number, version, title, state, due_on, due_at in reviews.union(*branches, all=True):
        if row == "due":
            items.append(InboxItem(module=module, number=number, title=title,
                                   status_label=gettext("Review falling due"), url=standard_url(pk),
                                   due_at=_due(due_on), waiting_for=gettext("Review the standard and revise it if needed"),
                                   module_code="standards"))
        else:
            items.append(InboxItem(module=module, number=f"{number} v{version}", title=title,
                                   status_label=str(V(state).label), url=version_url(pk), due_at=due_at,
                                   waiting_for=waiting[row], module_code="standards"))
    return items


def register() -> None:
    for label in RECORD_PAGES:
        registry.register_record_section(label, applicable_section)
    registry.register_inbox(standards_inbox, module="standards")


__all__ = ["applicable_section", "register", "standards_inbox"]
