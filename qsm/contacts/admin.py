from django.contrib import admin

from qsm.workflow.admin import ViewOnlyAdmin

from .models import ContactEntry


@admin.register(ContactEntry)
class ContactEntryAdmin(ViewOnlyAdmin):
    """The contact log is written by the modules' services only; the admin shows it."""

    list_display = ["occurred_at", "content_type", "object_id", "kind", "channel", "direction", "recorded_by",
                    "summary", "answered_at"]
    list_filter = ["kind", "channel", "direction", "content_type"]
    list_select_related = ["content_type", "recorded_by"]
    search_fields = ["summary", "answer"]
    show_full_result_count = False
