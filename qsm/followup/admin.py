from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from qsm.workflow.admin import ViewOnlyAdmin

from .models import FollowUp
from .reasons import reason_label, reasons


class ReasonFilter(admin.SimpleListFilter):
    title = _("reason")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return [(code, str(label)) for code, label in reasons().items()]

    def queryset(self, request, queryset):
        return queryset.filter(reason=self.value()) if self.value() else queryset


@admin.register(FollowUp)
class FollowUpAdmin(ViewOnlyAdmin):
    """Read-only: rows are written by the modules' services and consumed by the visit scheduler."""

    list_display = ["due_at", "reason_name", "content_type", "object_id", "customer", "department", "consumed_at"]
    list_filter = [ReasonFilter, "content_type"]
    list_select_related = ["content_type", "customer", "department"]
    fields = ["content_type", "object_id", "reason_name", "due_at", "customer", "department", "created_at",
              "consumed_at"]
    show_full_result_count = False

    @admin.display(description=_("reason"), ordering="reason")
    def reason_name(self, obj: FollowUp) -> str:
        return reason_label(obj.reason)
