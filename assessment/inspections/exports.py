"""The inspection and finding exports (SEARCH-1, PERF-1), declared once for the pages, the API and
the export job (CSV streamed; Excel as a job)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy

from qsm.exports import Column, ExportSpec, register_export

from ..choices import Module
from .filters import FindingFilter, InspectionFilter
from .models import Finding, Inspection, ItemKind
from .selectors import finding_list, inspection_list

INSPECTIONS = "assessment.inspections"
FINDINGS = "assessment.findings"


def inspection_columns() -> list:
    return [
        Column(gettext_lazy("Number"), lambda i: i.number),
        Column(gettext_lazy("Kind"), lambda i: i.kind, Inspection.Kind.choices),
        Column(gettext_lazy("Title"), lambda i: i.title),
        Column(gettext_lazy("Module"), lambda i: i.module, Module.choices),
        Column(gettext_lazy("Inspected department"), lambda i: i.department.name),
        Column(gettext_lazy("Period from"), lambda i: i.period_start),
        Column(gettext_lazy("Period to"), lambda i: i.period_end),
        Column(gettext_lazy("Sample size"), lambda i: i.sample_size),
        Column(gettext_lazy("Random seed"), lambda i: i.seed),
        Column(gettext_lazy("Inspector"), lambda i: str(i.inspector)),
        Column(gettext_lazy("Status"), lambda i: i.status, Inspection.Status.choices),
        Column(gettext_lazy("To be done by"), lambda i: i.due_on),
        Column(gettext_lazy("Passed"), lambda i: i.pass_count),
        Column(gettext_lazy("Failed"), lambda i: i.fail_count),
        Column(gettext_lazy("Not applicable"), lambda i: i.na_count),
        Column(gettext_lazy("Completed at"), lambda i: i.completed_at),
        Column(gettext_lazy("Summary"), lambda i: i.summary),
    ]


def finding_columns() -> list:
    return [
        Column(gettext_lazy("Inspection"), lambda f: f.inspection.number),
        Column(gettext_lazy("Module"), lambda f: f.inspection.module, Module.choices),
        Column(gettext_lazy("Inspected department"), lambda f: f.inspection.department.name),
        Column(gettext_lazy("Inspected record"), lambda f: f.sample.number),
        Column(gettext_lazy("Item"), lambda f: f.item.text),
        Column(gettext_lazy("Kind"), lambda f: f.kind, ItemKind.choices),
        Column(gettext_lazy("Result"), lambda f: f.result, Finding.Result.choices),
        Column(gettext_lazy("Comment"), lambda f: f.comment),
        Column(gettext_lazy("Judged by"), lambda f: str(f.judged_by) if f.judged_by_id else ""),
        Column(gettext_lazy("Judged at"), lambda f: f.judged_at),
    ]


def register() -> None:
    register_export(ExportSpec(
        name=INSPECTIONS, filterset_class=InspectionFilter, queryset=inspection_list, columns=inspection_columns,
        filename="inspections", title=gettext_lazy("Inspections")))
    register_export(ExportSpec(
        name=FINDINGS, filterset_class=FindingFilter, queryset=finding_list, columns=finding_columns,
        filename="inspection-findings", title=gettext_lazy("Inspection findings")))
