"""After-sales on the core pages: "my work" (INBOX-1), the customer page (ORG-2) and the order page.

Registered in ``AftersalesConfig.ready`` with ``qsm.registry``: the core and the orders app ask the
providers and import nothing of this module (DESIGN.md: dependencies flow one way).

- "My work": the cases that wait on the user (owned, new in the department, a plan step the user
  owns, a special-solution discussion the user or the department was invited to) and the visits
  (owned; the unassigned ones of the user's department for its visit owner; re-checks requested,
  for the quality department), due first. PERF-1: each branch is one query cut short by its own partial
  index (``qsm.inbox.first_by_deadline``); one query per kind of record whatever their number.
- The customer page: the customer's cases (number, type, severity, state, times reopened) and
  visits (date, method, score), next to the inquiries and orders.
- The order page: the order's cases and its follow-up visits with their scores.

Every section lists only what the user may see (the visibility declared in aftersales.rules) and
reads its rows in one query.
"""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import DateField, Exists, F, OuterRef, QuerySet, Value
from django.utils.translation import gettext, gettext_noop, pgettext

from qsm.discussions.models import Discussion
from qsm.inbox import first_by_deadline
from qsm.org.rules import in_quality_department
from qsm.record_rows import labels as _labels
from qsm.record_rows import list_url as _list_url
from qsm.record_rows import local_day as _day
from qsm.record_rows import record_url_of as _url_of
from qsm.registry import HistorySection, InboxItem
from qsm.visibility import visible

from .models import VISIT_OPEN_STATES, WAITS_ON_OWNER, Case, PlanStep, Visit

CS, VS = Case.Status, Visit.Status
SECTION_ROWS = 50  # rows per section on the customer and order pages (the "All" link lists the rest)

# --- my work (INBOX-1) -------------------------------------------------------------------------------

_CASE_WAITING_FOR = {
    CS.NEW: gettext_noop("Reply to the customer"),
    CS.IN_PROGRESS: gettext_noop("Diagnose and solve the problem"),
    CS.SPECIAL: gettext_noop("Carry out the special solution"),
}
_STEP_WAITING_FOR = gettext_noop("Complete your step of the special solution plan")
_INVITED_WAITING_FOR = gettext_noop("Take part in the special-solution discussion")
_VISIT_WAITING_FOR = {
    VS.PLANNED: gettext_noop("Call the customer or send the survey link"),
    VS.LINK_SENT: gettext_noop("Wait for the survey answers; call if they do not come"),
}
_RECHECK_WAITING_FOR = gettext_noop("Re-check the phone visit with the customer")


def case_waiting_on(*, user, columns: dict | None = None) -> QuerySet[Case]:
    """INBOX-1: cases the user owns in a state that waits on the owner, new cases of the user's
    department (not yet answered), special-solution cases where the user owns an open plan step or
    was invited (by name or by department) to the discussion; due first, at most the core's cap."""
    department = user.department_id
    case_type = ContentType.objects.get_for_model(Case)
    # Matched on the discussion's own key columns (as presales does): no join back to the case.
    discussions = Discussion.objects.filter(content_type=case_type)

    def special_with(exists) -> QuerySet[Case]:
        return Case.objects.filter(status=CS.SPECIAL).filter(exists)

    open_step = PlanStep.objects.filter(plan__case_id=OuterRef("pk"), owner=user, status=PlanStep.Status.OPEN)
    # Only the columns "my work" shows, and whether the user owns an open step (what to do), for up
    # to 200 rows per call; ``columns``: named expressions instead (aftersales_inbox's rows).
    shown = (Case.objects.annotate(**columns, w_step=Exists(open_step)) if columns is not None else
             Case.objects.select_related("customer").only(
                 "number", "subject", "status", "due_at", "received_at", "owner_id", "customer__name").annotate(
                 owns_step=Exists(open_step)))
    return first_by_deadline(shown, [
        Case.objects.filter(owner=user, status__in=WAITS_ON_OWNER),
        Case.objects.filter(department_id=department, status=CS.NEW) if department else None,
        special_with(Exists(open_step)),
        special_with(Exists(discussions.filter(object_id=OuterRef("pk"), invited_users=user))),
        special_with(Exists(discussions.filter(object_id=OuterRef("pk"), invited_departments=department)))
        if department else None,
    ], order_by=("due_at", "received_at", "pk"))


def _is_visit_owner_of_department(user) -> bool:
    """VIS-1: the user is the visit owner (回访负责人) of the department they work in."""
    department = user.department if user.department_id else None
    return department is not None and department.visit_owner_id == user.pk


def visit_waiting_on(*, user, columns: dict | None = None) -> QuerySet[Visit]:
    """INBOX-1: open visits the user owns; the open visits nobody owns yet of the user's department
    when the user is its visit owner; for the quality department, the phone visits marked for
    re-check; due first, at most the core's cap."""
    shown = (Visit.objects.annotate(**columns) if columns is not None else Visit.objects.select_related(
        "customer").only("number", "reason", "status", "due_at", "planned_for", "owner_id", "recheck_status",
                         "customer__name"))
    return first_by_deadline(shown, [
        Visit.objects.filter(owner=user, status__in=VISIT_OPEN_STATES),
        Visit.objects.filter(department_id=user.department_id, owner__isnull=True, status__in=VISIT_OPEN_STATES)
        if _is_visit_owner_of_department(user) else None,
        Visit.objects.filter(recheck_status=Visit.Recheck.REQUESTED) if in_quality_department(user) else None,
    ], order_by=("due_at", "planned_for", "pk"))


# One row shape for both kinds, so that "my work" reads the module's cases and visits in one query
# (``UNION ALL`` of the two lists, each due first and cut at the cap).
_ROW = ("w_kind", "w_id", "w_number", "w_title", "w_status", "w_due", "w_owner", "w_customer", "w_reason",
        "w_recheck", "w_planned", "w_step")


def _case_columns_for_inbox() -> dict:
    return {"w_kind": Value("case"), "w_id": F("pk"), "w_number": F("number"), "w_title": F("subject"),
            "w_status": F("status"), "w_due": F("due_at"), "w_owner": F("owner_id"), "w_customer": F("customer__name"),
            "w_reason": Value(""), "w_recheck": Value(""), "w_planned": Value(None, output_field=DateField())}


def _visit_columns_for_inbox() -> dict:
    return {"w_kind": Value("visit"), "w_id": F("pk"), "w_number": F("number"), "w_title": Value(""),
            "w_status": F("status"), "w_due": F("due_at"), "w_owner": F("owner_id"), "w_customer": F("customer__name"),
            "w_reason": F("reason"), "w_recheck": F("recheck_status"), "w_planned": F("planned_for"),
            "w_step": Value(False)}


def aftersales_waiting_on(*, user) -> list[dict]:
    """INBOX-1: the cases (``case_waiting_on``) and visits (``visit_waiting_on``) that wait on the
    user, each kind due first and at most the core's cap, read in one query."""
    cases = case_waiting_on(user=user, columns=_case_columns_for_inbox()).values_list(*_ROW)
    visits = visit_waiting_on(user=user, columns=_visit_columns_for_inbox()).values_list(*_ROW)
    return [dict(zip(_ROW, row, strict=True)) for row in cases.union(visits, all=True)]


def aftersales_inbox(user) -> list[InboxItem]:
    from qsm.followup.reasons import reason_label
    from qsm.sla.calendar import default_calendar, end_of_working_day

    # PERF-1: labels translated and URLs reversed once per call, not per row.
    case_module, visit_module = pgettext("inbox", "After-sales"), pgettext("inbox", "Follow-up visits")
    case_labels, visit_labels = _labels(CS.choices), _labels(VS.choices)
    case_url, visit_url = _url_of("aftersales:case-detail"), _url_of("aftersales:visit-detail")
    case_waiting = {status: gettext(text) for status, text in _CASE_WAITING_FOR.items()}
    visit_waiting = {status: gettext(text) for status, text in _VISIT_WAITING_FOR.items()}
    step, invited, recheck = gettext(_STEP_WAITING_FOR), gettext(_INVITED_WAITING_FOR), gettext(_RECHECK_WAITING_FOR)
    reasons: dict[str, str] = {}
    items, calendar = [], None
    for row in aftersales_waiting_on(user=user):
        status, due = row["w_status"], row["w_due"]
        if row["w_kind"] == "case":
            if row["w_owner"] == user.pk or status != CS.SPECIAL:
                waiting = case_waiting.get(status, "")
            else:  # a special-solution case of someone else: a step of its plan, or its discussion
                waiting = step if row["w_step"] else invited
            items.append(InboxItem(module=case_module, module_code="aftersales", number=row["w_number"],
                                   title=f"{row['w_title']} · {row['w_customer']}",
                                   status_label=case_labels.get(status, status), url=case_url(row["w_id"]),
                                   due_at=due, waiting_for=waiting))
            continue
        if due is None and status in VISIT_OPEN_STATES and row["w_planned"]:
            calendar = calendar or default_calendar()
            due = end_of_working_day(row["w_planned"], calendar)  # as the visit clock counts it
        reason = row["w_reason"]
        if reason not in reasons:
            reasons[reason] = str(reason_label(reason))
        waiting = recheck if row["w_recheck"] == Visit.Recheck.REQUESTED and status == VS.DONE else (
            visit_waiting.get(status, ""))
        items.append(InboxItem(module=visit_module, module_code="aftersales", number=row["w_number"],
                               title=f"{row['w_customer']} · {reasons[reason]}",
                               status_label=visit_labels.get(status, status), url=visit_url(row["w_id"]), due_at=due,
                               waiting_for=waiting))
    return items


# --- the customer page (ORG-2) and the order page ------------------------------------------------------


def _case_rows(cases) -> list[dict]:
    types, severities, states = _labels(Case.Type.choices), _labels(Case.Severity.choices), _labels(CS.choices)
    url = _url_of("aftersales:case-detail")
    return [{"url": url(c.pk) or None,
             "cells": [c.number, _day(c.received_at), types.get(c.case_type, c.case_type),
                       severities.get(c.severity, c.severity), states.get(c.status, c.status),
                       str(c.reopen_count) if c.reopen_count else ""]}
            for c in cases]


def _case_columns() -> list[str]:
    return [gettext("Number"), gettext("Received"), pgettext("customer page", "Case type"),
            pgettext("customer page", "Severity"), gettext("Status"), pgettext("customer page", "Times reopened")]


def _visit_rows(visits) -> list[dict]:
    methods, states = _labels(Visit.Method.choices), _labels(VS.choices)
    url = _url_of("aftersales:visit-detail")
    return [{"url": url(v.pk) or None,
             "cells": [v.number, _day(v.done_at) if v.done_at else _day(v.planned_for), methods.get(v.method, ""),
                       f"{v.satisfaction}/5" if v.satisfaction else "", states.get(v.status, v.status)]}
            for v in visits]


def _visit_columns() -> list[str]:
    return [gettext("Number"), gettext("Date"), pgettext("customer page", "Method"),
            pgettext("customer page", "Satisfaction"), gettext("Status")]


_CASE_COLUMNS = ("number", "received_at", "case_type", "severity", "status", "reopen_count")
_VISIT_COLUMNS = ("number", "planned_for", "done_at", "method", "satisfaction", "status")


def case_customer_history(customer, user) -> HistorySection:
    cases = (visible(Case, user).filter(customer=customer).only(*_CASE_COLUMNS)
             .order_by("-received_at", "-id")[:SECTION_ROWS])
    return HistorySection(title=pgettext("customer page", "After-sales cases"), columns=_case_columns(), rows=_case_rows(cases),
                          more_url=_list_url("aftersales:case-list", customer=customer.pk), key="aftersales-cases")


def visit_customer_history(customer, user) -> HistorySection:
    visits = (visible(Visit, user).filter(customer=customer).only(*_VISIT_COLUMNS)
              .order_by("-planned_for", "-id")[:SECTION_ROWS])
    return HistorySection(title=pgettext("customer page", "Follow-up visits"), columns=_visit_columns(), rows=_visit_rows(visits),
                          more_url=_list_url("aftersales:visit-list", customer=customer.pk), key="aftersales-visits")


def order_cases_section(order, user) -> HistorySection | None:
    """The order page: the after-sales cases logged for the order (none: no section)."""
    cases = list(visible(Case, user).filter(order_id=order.pk).only(*_CASE_COLUMNS)
                 .order_by("-received_at", "-id")[:SECTION_ROWS])
    if not cases:
        return None
    return HistorySection(title=pgettext("customer page", "After-sales cases"), columns=_case_columns(), rows=_case_rows(cases),
                          more_url=_list_url("aftersales:case-list", order=order.pk), key="order-cases")


def order_visits_section(order, user) -> HistorySection | None:
    """The order page: its follow-up visits with their scores (none yet: no section)."""
    visits = list(visible(Visit, user).filter(content_type=ContentType.objects.get_for_model(order),
                                              object_id=order.pk)
                  .only(*_VISIT_COLUMNS).order_by("-planned_for", "-id")[:SECTION_ROWS])
    if not visits:
        return None
    return HistorySection(title=pgettext("customer page", "Follow-up visits"), columns=_visit_columns(), rows=_visit_rows(visits),
                          key="order-visits")


def register() -> None:
    from qsm import registry

    registry.register_inbox(aftersales_inbox, module="aftersales")
    registry.register_customer_history(case_customer_history)
    registry.register_customer_history(visit_customer_history)
    registry.register_record_section("orders.order", order_visits_section)
    registry.register_record_section("orders.order", order_cases_section)
