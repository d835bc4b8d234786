from django.contrib import admin

from .models import FollowUp


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    """Read-only: rows are written by the modules' services and consumed by the visit scheduler."""

    list_display = ["due_at", "reason", "content_type", "object_id", "customer", "department", "consumed_at"]
    list_filter = ["reason", "content_type"]
    list_select_related = ["content_type", "customer", "department"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
