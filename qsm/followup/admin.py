from django.contrib import admin

from qsm.workflow.admin import ViewOnlyAdmin

from .models import FollowUp


@admin.register(FollowUp)
class FollowUpAdmin(ViewOnlyAdmin):
    """Read-only: rows are written by the modules' services and consumed by the visit scheduler."""

    list_display = ["due_at", "reason", "content_type", "object_id", "customer", "department", "consumed_at"]
    list_filter = ["reason", "content_type"]
    list_select_related = ["content_type", "customer", "department"]
    show_full_result_count = False
