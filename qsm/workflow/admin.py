from django.contrib import admin

from .models import Attachment, Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """The audit trail is read-only, even for administrators (WF-2)."""

    list_display = ["created_at", "content_type", "object_id", "kind", "action", "from_state", "to_state", "actor_kind",
                    "actor", "actor_label", "via"]
    list_filter = ["kind", "via", "actor_kind", "content_type"]
    list_select_related = ["content_type", "actor"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ViewOnlyAdmin(admin.ModelAdmin):
    """Records that change only through services, which write the timeline line (WF-2): the
    admin may show them, never add, change or delete them, even for a superuser."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attachment)
class AttachmentAdmin(ViewOnlyAdmin):
    list_display = ["original_name", "content_type", "object_id", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["content_type", "uploaded_by"]
    show_full_result_count = False
