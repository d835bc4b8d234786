from django.contrib import admin

from qsm.workflow.admin import ViewOnlyAdmin

from .models import CalendarDay, Deadline, SlaPolicy, WorkCalendar


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 1


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "work_start", "lunch_start", "lunch_end", "work_end", "weekdays"]
    inlines = [CalendarDayInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "calendar"]
    list_filter = ["kind", "calendar"]
    date_hierarchy = "date"


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "record_type", "stage", "channel", "priority", "working_minutes", "remind_at_percent", "is_active"]
    list_filter = ["record_type", "stage", "is_active"]
    list_editable = ["working_minutes", "remind_at_percent", "is_active"]


@admin.register(Deadline)
class DeadlineAdmin(ViewOnlyAdmin):
    """A deadline moves only with its record's workflow (WF-1, SLA-2): shown, never edited."""

    list_display = ["title", "stage", "state", "owner", "due_at", "reminded_at", "overdue_at"]
    list_filter = ["state", "stage"]
    list_select_related = ["owner"]
    show_full_result_count = False
