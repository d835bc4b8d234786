from django.contrib import admin

from qsm.workflow.admin import ViewOnlyAdmin

from .models import Discussion, DiscussionNote, Solution


class DiscussionNoteInline(admin.TabularInline):
    model = DiscussionNote
    extra = 0
    fields = ["author", "meeting_at", "body", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Discussion)
class DiscussionAdmin(ViewOnlyAdmin):
    """Discussions are written by the modules' services only; the admin shows them."""

    list_display = ["topic", "content_type", "object_id", "opened_by", "opened_at"]
    list_filter = ["content_type"]
    list_select_related = ["content_type", "opened_by"]
    search_fields = ["topic"]
    inlines = [DiscussionNoteInline]
    show_full_result_count = False


@admin.register(Solution)
class SolutionAdmin(ViewOnlyAdmin):
    list_display = ["discussion", "version", "title", "created_by", "created_at", "sent_at", "sent_via"]
    list_select_related = ["discussion", "created_by"]
    search_fields = ["title", "content"]
    show_full_result_count = False
