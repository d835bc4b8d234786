"""Reads of the complaint itself (CMP-1, SEARCH-1): the list, the clocks, the contact log, the export rows; every one
scoped by ``complaint_scope`` (complaints.selectors), so another department's complaint is a 404."""
from __future__ import annotations

from django.db.models import QuerySet

from qsm.contacts.selectors import contact_log
from qsm.sla.models import Deadline
from qsm.sla.selectors import deadlines_of

from ..models import Complaint
from . import complaint_scope

# What a row of the list (page, API, export) shows, loaded with it.
LIST_RELATED = ("customer", "receiving_department", "responsible_department", "investigator", "cause",
                "cause__parent")


def complaint_list(*, user) -> QuerySet[Complaint]:
    """The list page, the endpoint and the export: scoped, newest first (the received_at index)."""
    return complaint_scope(user).select_related(*LIST_RELATED).order_by("-received_at", "-id")


def complaint_deadlines(complaint: Complaint) -> list[Deadline]:
    """The complaint's clocks (reply, investigation, resolution), oldest first."""
    return list(deadlines_of(complaint))


def complaint_contacts(complaint: Complaint) -> list:
    """The contact log with the customer: the acknowledgement, the reply, progress reports."""
    return list(contact_log(complaint))


def complaint_export_rows(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """Only what the export's columns read (the long texts stay in the database)."""
    return qs.only(
        "number", "received_at", "channel", "severity", "contact_name", "subject", "status", "round",
        "plan_version", "promised_reply_at", "replied_at", "closed_at", "closed_satisfied", "due_at",
        "customer", "customer__name", "receiving_department", "receiving_department__name",
        "responsible_department", "responsible_department__name", "investigator", "investigator__display_name",
        "investigator__first_name", "investigator__last_name", "investigator__username", "cause", "cause__name",
        "cause__parent", "cause__parent__name")


def cause_label(complaint: Complaint) -> str:
    if complaint.cause_id is None:
        return ""
    cause = complaint.cause
    return f"{cause.parent.name} / {cause.name}" if cause.parent_id else cause.name


def complaint_export_columns() -> list:
    """The columns of the complaint export (page, API, export job)."""
    from django.utils.translation import gettext_lazy

    from qsm.exports import Column, yes_no

    return [
        Column(gettext_lazy("Number"), lambda c: c.number),
        Column(gettext_lazy("Received"), lambda c: c.received_at),
        Column(gettext_lazy("Channel"), lambda c: c.channel, Complaint._meta.get_field("channel").choices),
        Column(gettext_lazy("Severity"), lambda c: c.severity, Complaint.Severity.choices),
        Column(gettext_lazy("Customer"), lambda c: c.customer.name),
        Column(gettext_lazy("Contact person"), lambda c: c.contact_name),
        Column(gettext_lazy("Subject"), lambda c: c.subject),
        Column(gettext_lazy("Status"), lambda c: c.status, Complaint.Status.choices),
        Column(gettext_lazy("Receiving department"), lambda c: c.receiving_department.name
               if c.receiving_department_id else ""),
        Column(gettext_lazy("Investigator"), lambda c: str(c.investigator) if c.investigator_id else ""),
        Column(gettext_lazy("Cause"), cause_label),
        Column(gettext_lazy("Responsible department"), lambda c: c.responsible_department.name
               if c.responsible_department_id else ""),
        Column(gettext_lazy("Round"), lambda c: c.round),
        Column(gettext_lazy("Plan version"), lambda c: c.plan_version),
        Column(gettext_lazy("Promised reply by"), lambda c: c.promised_reply_at),
        Column(gettext_lazy("Replied at"), lambda c: c.replied_at),
        Column(gettext_lazy("Closed at"), lambda c: c.closed_at),
        Column(gettext_lazy("Customer satisfied"), lambda c: c.closed_satisfied, yes_no()),
    ]
