from django.contrib import admin

from qsm.workflow.admin import ViewOnlyAdmin

from .models import CalendarDay, Deadline, SlaPolicy, WorkCalendar
from .services import calendar_day_delete, calendar_day_save


def _old_date(obj: CalendarDay):
    if obj.pk is None:
        return None
    return CalendarDay.objects.filter(pk=obj.pk).values_list("date", flat=True).first()


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 1
    fields = ["date", "kind", "name", "source"]
    readonly_fields = ["source"]  # a day saved here is entered by hand (calendar_day_save)


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "work_start", "lunch_start", "lunch_end", "work_end", "weekdays"]
    inlines = [CalendarDayInline]

    def save_formset(self, request, form, formset, change):
        """Days edited inline move the running clocks too (SLA-1), through the same services."""
        if formset.model is not CalendarDay:
            return super().save_formset(request, form, formset, change)
        for day in formset.save(commit=False):
            calendar_day_save(day=day, old_date=_old_date(day), actor=request.user)
        for day in formset.deleted_objects:
            calendar_day_delete(day=day, actor=request.user)
        formset.save_m2m()


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "source", "calendar"]
    list_filter = ["source", "kind", "calendar"]
    date_hierarchy = "date"
    readonly_fields = ["source"]  # official / estimate come from a load; a day saved here is by hand

    # A holiday announced late or a make-up workday added moves the running clocks (SLA-1):
    # the admin saves through the service, which recomputes them and notes it on each record.
    def save_model(self, request, obj, form, change):
        calendar_day_save(day=obj, old_date=_old_date(obj) if change else None, actor=request.user)

    def delete_model(self, request, obj):
        calendar_day_delete(day=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for day in queryset.select_related("calendar"):
            calendar_day_delete(day=day, actor=request.user)


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
