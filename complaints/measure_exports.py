"""The measure export (SEARCH-1, PERF-1), declared once for the measure list page, the API and the
export job."""
from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from qsm.exports import Column, ExportSpec, register_export

from .measure_filters import MeasureFilter
from .models import Complaint, Measure
from .selectors.work import measure_list


def measure_export_rows(qs: QuerySet[Measure]) -> QuerySet[Measure]:
    """Only what the columns read (a column reading a field left out here would cost a query a row)."""
    return qs.select_related(None).select_related("plan__complaint__customer", "owner", "department").only(
        "position", "description", "due_date", "status", "done_at", "done_note", "plan", "plan__version",
        "plan__complaint", "plan__complaint__number", "plan__complaint__subject", "plan__complaint__severity",
        "plan__complaint__customer", "plan__complaint__customer__name", "owner", "owner__display_name",
        "owner__first_name", "owner__last_name", "owner__username", "department", "department__name")


def measure_export_columns() -> list:
    return [
        Column(gettext_lazy("Complaint"), lambda m: m.plan.complaint.number),
        Column(gettext_lazy("Subject"), lambda m: m.plan.complaint.subject),
        Column(gettext_lazy("Customer"), lambda m: m.plan.complaint.customer.name),
        Column(gettext_lazy("Severity"), lambda m: m.plan.complaint.severity, Complaint.Severity.choices),
        Column(gettext_lazy("Version of the plan"), lambda m: m.plan.version),
        Column(gettext_lazy("Position"), lambda m: m.position),
        Column(gettext_lazy("Measure"), lambda m: m.description),
        Column(gettext_lazy("Person responsible"), lambda m: str(m.owner)),
        Column(gettext_lazy("Department"), lambda m: m.department.name),
        Column(gettext_lazy("Deadline"), lambda m: m.due_date),
        Column(gettext_lazy("Status"), lambda m: m.status, Measure.Status.choices),
        Column(gettext_lazy("Done at"), lambda m: m.done_at),
        Column(gettext_lazy("What was done"), lambda m: m.done_note),
    ]


def register() -> None:
    register_export(ExportSpec(
        name="complaints.measures", filterset_class=MeasureFilter, queryset=measure_list,
        columns=measure_export_columns, rows=measure_export_rows, filename="complaint-measures",
        title=gettext_lazy("Complaint measures")))
