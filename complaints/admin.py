"""ADMIN-1 for complaints: read-mostly records. Complaints, plans, measures, answers, reports and
preventive measures change only through their services and workflow tables (WF-1, WF-2): here they
are shown, never added, changed or deleted. The cause taxonomy is after-sales' (shared)."""
from django.contrib import admin

from qsm.workflow.admin import ShownInline, ViewOnlyAdmin

from .models import CaseReport, Complaint, CustomerAnswer, HandlingPlan, Measure, PreventiveMeasure


class MeasureInline(ShownInline):
    model = Measure
    fields = ["position", "description", "owner", "department", "due_date", "status", "done_at", "done_by"]


class CustomerAnswerInline(ShownInline):
    model = CustomerAnswer
    fields = ["round", "plan", "method", "satisfied", "objections", "answered_at", "recorded_by"]


class PreventiveMeasureInline(ShownInline):
    model = PreventiveMeasure
    fields = ["description", "owner", "department", "due_date", "status", "done_at"]


@admin.register(Complaint)
class ComplaintAdmin(ViewOnlyAdmin):
    list_display = ["number", "received_at", "customer", "severity", "status", "receiving_department",
                    "responsible_department", "investigator", "round", "due_at"]
    list_filter = ["status", "severity", "channel", "responsible_department"]
    search_fields = ["number", "customer__name", "subject"]
    list_select_related = ["customer", "receiving_department", "responsible_department", "investigator"]
    inlines = [CustomerAnswerInline, PreventiveMeasureInline]
    show_full_result_count = False  # no COUNT(*) over the whole table on every page (STYLE.md 6)


@admin.register(HandlingPlan)
class HandlingPlanAdmin(ViewOnlyAdmin):
    list_display = ["complaint", "version", "round", "status", "author", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["complaint__number"]
    list_select_related = ["complaint", "author", "decided_by"]
    inlines = [MeasureInline]
    show_full_result_count = False


@admin.register(CaseReport)
class CaseReportAdmin(ViewOnlyAdmin):
    list_display = ["complaint", "status", "written_by", "written_at"]
    list_filter = ["status"]
    search_fields = ["complaint__number"]
    list_select_related = ["complaint", "written_by"]
    show_full_result_count = False
