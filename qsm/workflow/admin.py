from django.contrib import admin, messages
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError

from .models import Attachment, Event
from .selectors import action_choices, action_label, event_text, state_label


class ViewOnlyAdmin(admin.ModelAdmin):
    """Records that change only through services, which write the timeline line (WF-2): the
    admin may show them, never add, change or delete them, even for a superuser."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ActionFilter(admin.SimpleListFilter):
    """The timeline's actions by their names (交接, 批准 …), not their codes (ADMIN-1)."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return action_choices()

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(Event)
class EventAdmin(ViewOnlyAdmin):
    """The audit trail is read-only, even for administrators (WF-2). Stored in codes; shown, like
    the record's timeline, in the reader's language (ADMIN-1)."""

    list_display = ["created_at", "content_type", "object_id", "kind", "action_name", "from_name", "to_name",
                    "actor_kind", "actor", "actor_label", "via"]
    list_filter = ["kind", ActionFilter, "via", "actor_kind", "content_type"]
    list_select_related = ["content_type", "actor"]
    fields = ["created_at", "content_type", "object_id", "kind", "action_name", "from_name", "to_name", "summary",
              "change_lines", "comment", "actor_kind", "actor", "actor_label", "link", "via"]
    show_full_result_count = False

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, obj: Event) -> str:
        return action_label(obj.content_type.model_class(), obj.action)

    @admin.display(description=_("from"))
    def from_name(self, obj: Event) -> str:
        return state_label(obj.content_type.model_class(), obj.from_state)

    @admin.display(description=_("to"))
    def to_name(self, obj: Event) -> str:
        return state_label(obj.content_type.model_class(), obj.to_state)

    @admin.display(description=_("summary"))
    def summary(self, obj: Event) -> str:
        return event_text(obj)[1]

    @admin.display(description=_("changes"))
    def change_lines(self, obj: Event) -> str:
        return format_html_join(mark_safe("<br>"), "{}: {} → {}",
                                ((c["label"], c["old"], c["new"]) for c in event_text(obj)[0]))


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


class ShownInline(admin.TabularInline):
    """Rows written by the services: shown with their record, never added, changed or deleted."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
