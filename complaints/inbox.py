"""Complaints on the core pages: "my work" (INBOX-1), the customer page (ORG-2), the order page, and the
visit and case pages of after-sales (the complaints opened from them).

Registered in ``ComplaintsConfig.ready`` with ``qsm.registry``: the core, orders and after-sales ask the
providers and import nothing of this module (DESIGN.md: dependencies flow one way).

- "My work" (§5: what managers approve and the quality department tracks): the complaints the user
  investigates (to investigate, to plan, to ask the customer), the complaints the user received whose
  reply to the customer is still owed (the promised reply time), the new complaints waiting for an
  investigator (the quality department), the handling plans waiting for the user's approval (a manager
  who approves for the responsible department, the quality manager for every department; never the
  plan's author), and the measures and preventive measures the user owns that are open, due first.
  PERF-1: each branch is one query cut short by its own partial index (``qsm.inbox.first_by_deadline``)
  and the four kinds of rows are read in one ``UNION ALL``: one query for the module, whatever the
  number of records.
- The customer page and the order page: the complaints of the customer / the order (number, received,
  severity, state, rounds), within what the user may see (``complaint_scope``), in one query.
- A visit's and a case's page: the complaints opened from it (when that page renders the record
  sections of ``qsm.registry``).
"""
from __future__ import annotations

from django.db.models import CharField, DateField, Exists, F, IntegerField, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext, gettext_noop, pgettext

from qsm.inbox import first_by_deadline
from qsm.org.models import Role, User
from qsm.org.rules import in_quality_department
from qsm.record_rows import labels as _labels
from qsm.record_rows import list_url as _list_url
from qsm.record_rows import local_day as _day
from qsm.record_rows import record_url_of as _url_of
from qsm.registry import HistorySection, InboxItem

from .models import Complaint, HandlingPlan, Measure, PreventiveMeasure

CS, PS = Complaint.Status, HandlingPlan.Status
MS, PMS = Measure.Status, PreventiveMeasure.Status
SECTION_ROWS = 50  # rows per section on the customer and order pages (the "All" link lists the rest)

# What the complaint waits for from its investigator, by state.
INVESTIGATOR_STATES = (CS.INVESTIGATING, CS.PLANNING, CS.CONFIRMING)
# The reply to the customer is owed (the promised reply time) in these states until it is recorded.
REPLY_STATES = (CS.RECEIVED, CS.INVESTIGATING, CS.PLANNING)

_COMPLAINT_WAITING_FOR = {
    CS.INVESTIGATING: gettext_noop("Investigate: facts, root cause and responsibility"),
    CS.PLANNING: gettext_noop("Propose the handling plan"),
    CS.CONFIRMING: gettext_noop("Ask the customer whether they are satisfied"),
}
_REPLY_WAITING_FOR = gettext_noop("Reply to the customer by the promised time")
_ASSIGN_WAITING_FOR = gettext_noop("Assign an investigator")
_PLAN_WAITING_FOR = gettext_noop("Approve or reject the handling plan")
_MEASURE_WAITING_FOR = gettext_noop("Carry out the measure and record what was done")
_PREVENTIVE_WAITING_FOR = gettext_noop("Carry out the preventive measure")


# --- my work (INBOX-1) -------------------------------------------------------------------------------

# One row shape for the four kinds, so that "my work" reads them in one query (``UNION ALL``).
_ROW = ("w_kind", "w_id", "w_complaint", "w_number", "w_title", "w_status", "w_due", "w_due_date", "w_customer",
        "w_investigator", "w_received_by", "w_replied", "w_version")


def complaint_waiting_on(*, user, columns: dict | None = None) -> QuerySet[Complaint]:
    """INBOX-1: complaints the user investigates in a state that waits on the investigator; complaints
    the user received whose reply is still owed; for the quality department, the new ones without an
    investigator. Due first, at most the core's cap."""
    shown = (Complaint.objects.annotate(**columns) if columns is not None else
             Complaint.objects.select_related("customer"))
    return first_by_deadline(shown, [
        Complaint.objects.filter(investigator=user, status__in=INVESTIGATOR_STATES),
        Complaint.objects.filter(received_by=user, replied_at__isnull=True, status__in=REPLY_STATES),
        Complaint.objects.filter(status=CS.RECEIVED, investigator__isnull=True) if in_quality_department(user) else None,
    ], order_by=("due_at", "received_at", "pk"))


def plans_awaiting_approval(*, user, columns: dict | None = None) -> QuerySet[HandlingPlan]:
    """INBOX-1 / CMP-3: the submitted handling plans the user may decide: a manager approves for the
    complaint's responsible department, the quality manager for every department (``can_approve_for``),
    never the plan's author (four eyes). Oldest deadline first."""
    shown = (HandlingPlan.objects.annotate(**columns) if columns is not None else
             HandlingPlan.objects.select_related("complaint", "complaint__customer"))
    if not user.is_active:
        return shown.none()
    # The manager role is checked in the same query (a constant sub-select), not by loading the user's roles.
    is_manager = Exists(User.objects.filter(pk=user.pk, groups__name=Role.MANAGER))
    submitted = HandlingPlan.objects.filter(is_manager, status=PS.SUBMITTED).exclude(author=user)
    if in_quality_department(user):
        branch = submitted
    elif user.department_id:
        branch = submitted.filter(complaint__responsible_department_id=user.department_id)
    else:
        return shown.none()
    return first_by_deadline(shown, [branch], order_by=("due_at", "pk"))


def measures_due(*, user, columns: dict | None = None) -> QuerySet[Measure]:
    """INBOX-1 / CMP-3: the open measures of approved plans the user is responsible for, due first."""
    shown = (Measure.objects.annotate(**columns) if columns is not None else
             Measure.objects.select_related("plan__complaint", "plan__complaint__customer"))
    return first_by_deadline(shown, [Measure.objects.filter(owner=user, status=MS.OPEN)],
                             order_by=("due_at", "pk"))


def preventive_due(*, user, columns: dict | None = None) -> QuerySet[PreventiveMeasure]:
    """INBOX-1 / CMP-5: the open preventive measures the user owns, due first."""
    shown = (PreventiveMeasure.objects.annotate(**columns) if columns is not None else
             PreventiveMeasure.objects.select_related("complaint", "complaint__customer"))
    return first_by_deadline(shown, [PreventiveMeasure.objects.filter(owner=user, status=PMS.OPEN)],
                             order_by=("due_at", "pk"))


def _none_date():
    # Typed in the SQL: with three or more branches PostgreSQL would take two untyped NULLs for text.
    return Cast(Value(None), DateField())


def _complaint_columns() -> dict:
    return {"w_kind": Value("complaint"), "w_id": F("pk"), "w_complaint": F("pk"), "w_number": F("number"),
            "w_title": F("subject"), "w_status": F("status"), "w_due": F("due_at"), "w_due_date": _none_date(),
            "w_customer": F("customer__name"), "w_investigator": F("investigator_id"),
            "w_received_by": F("received_by_id"), "w_replied": F("replied_at"),
            "w_version": Value(0, output_field=IntegerField())}


def _plan_columns() -> dict:
    return {"w_kind": Value("plan"), "w_id": F("pk"), "w_complaint": F("complaint_id"),
            "w_number": Concat(F("complaint__number"), Value(" v"), F("version"), output_field=CharField()),
            "w_title": F("complaint__subject"), "w_status": F("status"), "w_due": F("due_at"),
            "w_due_date": _none_date(), "w_customer": F("complaint__customer__name"),
            "w_investigator": F("complaint__investigator_id"), "w_received_by": F("complaint__received_by_id"),
            "w_replied": F("complaint__replied_at"), "w_version": F("version")}


def _measure_columns(complaint: str) -> dict:
    return {"w_kind": Value("measure" if complaint == "plan__complaint" else "preventive"), "w_id": F("pk"),
            "w_complaint": F(f"{complaint}_id"), "w_number": F(f"{complaint}__number"), "w_title": F("description"),
            "w_status": F("status"), "w_due": F("due_at"), "w_due_date": F("due_date"),
            "w_customer": F(f"{complaint}__customer__name"), "w_investigator": F(f"{complaint}__investigator_id"),
            "w_received_by": F(f"{complaint}__received_by_id"), "w_replied": F(f"{complaint}__replied_at"),
            "w_version": Value(0, output_field=IntegerField())}


def complaints_waiting_on(*, user) -> list[dict]:
    """INBOX-1: the complaints, plans, measures and preventive measures that wait on the user, each kind
    due first and at most the core's cap, read in one query."""
    parts = [complaint_waiting_on(user=user, columns=_complaint_columns()).values_list(*_ROW),
             plans_awaiting_approval(user=user, columns=_plan_columns()).values_list(*_ROW),
             measures_due(user=user, columns=_measure_columns("plan__complaint")).values_list(*_ROW),
             preventive_due(user=user, columns=_measure_columns("complaint")).values_list(*_ROW)]
    parts = [p for p in parts if not p.query.is_empty()]
    if not parts:
        return []
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return [dict(zip(_ROW, row, strict=True)) for row in rows]


def complaints_inbox(user) -> list[InboxItem]:
    from qsm.sla.calendar import default_calendar, end_of_working_day

    # PERF-1: labels translated and URLs reversed once per call, not per row.
    module = pgettext("inbox", "Complaints")
    complaint_labels, plan_labels = _labels(CS.choices), _labels(PS.choices)
    measure_labels, preventive_labels = _labels(MS.choices), _labels(PMS.choices)
    url = _url_of("complaints:complaint-detail")
    waiting = {status: gettext(text) for status, text in _COMPLAINT_WAITING_FOR.items()}
    reply, assign = gettext(_REPLY_WAITING_FOR), gettext(_ASSIGN_WAITING_FOR)
    plan, measure, preventive = gettext(_PLAN_WAITING_FOR), gettext(_MEASURE_WAITING_FOR), gettext(_PREVENTIVE_WAITING_FOR)
    items, calendar = [], None
    for row in complaints_waiting_on(user=user):
        kind, status, due = row["w_kind"], row["w_status"], row["w_due"]
        if due is None and row["w_due_date"] is not None:  # a date clock not mirrored yet: as it counts
            calendar = calendar or default_calendar()
            due = end_of_working_day(row["w_due_date"], calendar)
        if kind == "complaint":
            if row["w_investigator"] == user.pk and status in waiting:
                what = waiting[status]
            elif row["w_received_by"] == user.pk and row["w_replied"] is None and status in REPLY_STATES:
                what = reply
            else:
                what = assign
            status_label, title = complaint_labels.get(status, status), f"{row['w_title']} · {row['w_customer']}"
        elif kind == "plan":
            what, status_label = plan, plan_labels.get(status, status)
            title = f"{row['w_title']} · {row['w_customer']}"
        else:
            what = measure if kind == "measure" else preventive
            labels = measure_labels if kind == "measure" else preventive_labels
            status_label, title = labels.get(status, status), f"{row['w_title'][:120]} · {row['w_customer']}"
        items.append(InboxItem(module=module, module_code="complaints", number=row["w_number"], title=title,
                               status_label=status_label, url=url(row["w_complaint"]), due_at=due,
                               waiting_for=what))
    return items


# --- the customer page (ORG-2), the order page, the visit and case pages --------------------------------

_COLUMNS = ("number", "received_at", "subject", "severity", "status", "round")


def _rows(complaints) -> list[dict]:
    severities, states = _labels(Complaint.Severity.choices), _labels(CS.choices)
    url = _url_of("complaints:complaint-detail")
    return [{"url": url(c.pk) or None,
             "cells": [c.number, _day(c.received_at), c.subject, severities.get(c.severity, c.severity),
                       states.get(c.status, c.status), str(c.round) if c.round > 1 else ""]}
            for c in complaints]


def _columns() -> list[str]:
    return [gettext("Number"), gettext("Received"), gettext("Subject"), pgettext("customer page", "Severity"),
            gettext("Status"), pgettext("customer page", "Confirmation rounds")]


def _visible(user) -> QuerySet[Complaint]:
    from .selectors import complaint_scope

    return complaint_scope(user).only(*_COLUMNS)


def _section(complaints, *, key: str, more_url: str | None = None) -> HistorySection:
    return HistorySection(title=pgettext("customer page", "Complaints"), columns=_columns(), rows=_rows(complaints),
                          more_url=more_url, key=key)


def complaint_customer_history(customer, user) -> HistorySection:
    """ORG-2: the customer's complaints the user may see (newest first), next to the inquiries, orders and
    after-sales cases."""
    complaints = _visible(user).filter(customer_id=customer.pk).order_by("-received_at", "-id")[:SECTION_ROWS]
    return _section(complaints, key="complaints", more_url=_list_url("complaints:complaint-list", customer=customer.pk))


def order_complaints_section(order, user) -> HistorySection | None:
    """The order page: the complaints about the order (none: no section)."""
    complaints = list(_visible(user).filter(order_id=order.pk).order_by("-received_at", "-id")[:SECTION_ROWS])
    if not complaints:
        return None
    return _section(complaints, key="order-complaints", more_url=_list_url("complaints:complaint-list", order=order.pk))


def visit_complaints_section(visit, user) -> HistorySection | None:
    """A follow-up visit's page: the complaints opened from it (CMP-1)."""
    complaints = list(_visible(user).filter(source_visit_id=visit.pk).order_by("-received_at", "-id")[:SECTION_ROWS])
    return _section(complaints, key="visit-complaints") if complaints else None


def case_complaints_section(case, user) -> HistorySection | None:
    """An after-sales case's page: the complaints opened from it (CMP-1)."""
    complaints = list(_visible(user).filter(source_case_id=case.pk).order_by("-received_at", "-id")[:SECTION_ROWS])
    return _section(complaints, key="case-complaints") if complaints else None


def register() -> None:
    from qsm import registry

    registry.register_inbox(complaints_inbox, module="complaints")
    registry.register_customer_history(complaint_customer_history)
    registry.register_record_section("orders.order", order_complaints_section)
    registry.register_record_section("aftersales.visit", visit_complaints_section)
    registry.register_record_section("aftersales.case", case_complaints_section)
