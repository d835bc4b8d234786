from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError

from .models import Attachment, Event


class ViewOnlyAdmin(admin.ModelAdmin):
    """Records that change only through services, which write the timeline line (WF-2): the
    admin may show them, never add, change or delete them, even for a superuser."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ViewOnlyAdmin):
    """The audit trail is read-only, even for administrators (WF-2)."""

    list_display = ["created_at", "content_type", "object_id", "kind", "action", "from_state", "to_state", "actor_kind",
                    "actor", "actor_label", "via"]
    list_filter = ["kind", "via", "actor_kind", "content_type"]
    list_select_related = ["content_type", "actor"]
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(ViewOnlyAdmin):
    list_display = ["original_name", "content_type", "object_id", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["content_type", "uploaded_by"]
    show_full_result_count = False


class ServiceEditAdmin(admin.ModelAdmin):
    """An admin correction of a record goes through the module's update service, like a page edit:
    the same rules and root lock, a timeline line "corrected in the admin", and a refusal shown
    as a message instead of a silent save. A module declares ``service_fields`` (what the admin
    may correct) and ``save_through_service``."""

    service_fields: tuple[str, ...] = ()

    def save_through_service(self, request, obj, data: dict, comment: str) -> None:  # pragma: no cover
        raise NotImplementedError("a ServiceEditAdmin declares save_through_service()")

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in self.service_fields}
        if not data:
            return
        try:
            self.save_through_service(request, obj, data, str(_("Corrected in the admin")))
        except (PermissionDenied, TransitionNotAllowed, ValidationError) as exc:
            self.message_user(request, str(exc), level=messages.ERROR)

