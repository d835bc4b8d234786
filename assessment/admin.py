"""ADMIN-1 for quality control: read-mostly records. Standards, inspections, notices, plans and
training change only through their services and workflow tables (WF-1, WF-2): here they are shown,
never added, changed or deleted."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from qsm.workflow.admin import ShownInline, ViewOnlyAdmin

from .models import (
    Attendance,
    Checklist,
    ChecklistItem,
    Finding,
    InspectedRecord,
    Inspection,
    InspectionPlan,
    Notice,
    RectificationMeasure,
    RectificationPlan,
    Standard,
    StandardVersion,
    TrainingPlan,
    TrainingSession,
)


class StandardVersionInline(ShownInline):
    model = StandardVersion
    fields = ["version", "status", "title", "effective_on", "review_on", "author", "approved_by", "approved_at"]


@admin.register(Standard)
class StandardAdmin(ViewOnlyAdmin):
    list_display = ["number", "title", "kind", "owner", "current_version", "next_review_on", "retired"]
    list_filter = ["kind", "retired"]
    search_fields = ["number", "title"]
    list_select_related = ["owner", "current_version"]
    inlines = [StandardVersionInline]
    exclude = ["modules"]
    readonly_fields = ["module_names"]
    show_full_result_count = False

    @admin.display(description=_("modules"))
    def module_names(self, obj):
        return "、".join(obj.module_labels())


class ChecklistItemInline(ShownInline):
    model = ChecklistItem
    fields = ["position", "text", "kind", "standard", "standard_version"]


@admin.register(Checklist)
class ChecklistAdmin(ViewOnlyAdmin):
    list_display = ["name", "module", "owner", "active"]
    list_filter = ["module", "active"]
    search_fields = ["name"]
    inlines = [ChecklistItemInline]
    show_full_result_count = False


@admin.register(InspectionPlan)
class InspectionPlanAdmin(ViewOnlyAdmin):
    list_display = ["title", "department", "module", "frequency", "sample_size", "inspector", "next_run_on", "active"]
    list_filter = ["module", "frequency", "active"]
    list_select_related = ["department", "inspector"]
    show_full_result_count = False


class InspectedRecordInline(ShownInline):
    model = InspectedRecord
    fields = ["position", "number", "title", "department"]


@admin.register(Inspection)
class InspectionAdmin(ViewOnlyAdmin):
    list_display = ["number", "kind", "department", "module", "period_start", "period_end", "sample_size",
                    "inspector", "status", "fail_count", "due_on"]
    list_filter = ["kind", "status", "module"]
    search_fields = ["number", "title"]
    list_select_related = ["department", "inspector"]
    inlines = [InspectedRecordInline]
    show_full_result_count = False


@admin.register(Finding)
class FindingAdmin(ViewOnlyAdmin):
    list_display = ["sample", "item", "kind", "result", "judged_by", "judged_at"]
    list_filter = ["result", "kind"]
    list_select_related = ["sample", "item", "judged_by"]
    show_full_result_count = False


class RectificationPlanInline(ShownInline):
    model = RectificationPlan
    fields = ["version", "round", "status", "author", "decided_by", "decided_at", "reject_reason"]


@admin.register(Notice)
class NoticeAdmin(ViewOnlyAdmin):
    list_display = ["number", "title", "department", "source", "deadline", "status", "round", "issued_at"]
    list_filter = ["status", "source", "department"]
    search_fields = ["number", "title"]
    list_select_related = ["department"]
    inlines = [RectificationPlanInline]
    show_full_result_count = False


class RectificationMeasureInline(ShownInline):
    model = RectificationMeasure
    fields = ["position", "description", "owner", "due_on", "done"]


@admin.register(RectificationPlan)
class RectificationPlanAdmin(ViewOnlyAdmin):
    list_display = ["notice", "version", "status", "author", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["notice", "author", "decided_by"]
    inlines = [RectificationMeasureInline]
    show_full_result_count = False


@admin.register(TrainingPlan)
class TrainingPlanAdmin(ViewOnlyAdmin):
    list_display = ["number", "title", "department", "period_start", "period_end", "target_hours", "status"]
    list_filter = ["status", "department"]
    search_fields = ["number", "title"]
    list_select_related = ["department"]
    exclude = ["topics"]
    readonly_fields = ["topic_names"]
    show_full_result_count = False

    @admin.display(description=_("topics"))
    def topic_names(self, obj):
        return "、".join(obj.topic_labels())


class AttendanceInline(ShownInline):
    model = Attendance
    fields = ["person", "attended", "score", "comment"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(ViewOnlyAdmin):
    list_display = ["number", "title", "topic", "trainer", "starts_at", "hours", "status"]
    list_filter = ["status", "topic"]
    search_fields = ["number", "title"]
    list_select_related = ["trainer"]
    inlines = [AttendanceInline]
    show_full_result_count = False
