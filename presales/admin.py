"""ADMIN-1 for pre-sales: support staff can find and read every inquiry.

The admin never moves a record between states (WF-1): status and the dates the workflow sets
are read-only, inquiries are created through intake (numbering, the first-response clock) and
nothing is deleted (WF-2). The few intake fields that may be corrected here go through
``inquiry_update``, so the correction lands on the record's timeline like any other edit.
"""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from qsm.workflow.admin import ServiceEditAdmin

from . import services
from .models import Inquiry
from .rules import can_work_inquiry

# What inquiry_update accepts; everything else on the page is read-only.
EDITABLE_FIELDS = ("channel", "priority", "customer", "contact_name", "contact_phone", "subject", "question", "products")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the workflow: shown, never added, changed or deleted in the admin."""

    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Inquiry)
class InquiryAdmin(ServiceEditAdmin):
    list_display = ["number", "received_at", "channel", "customer", "subject", "status", "department", "owner", "due_at"]
    list_filter = ["status", "channel", "department"]
    search_fields = ["number", "subject", "customer__name"]
    list_select_related = ["customer", "department", "owner"]
    autocomplete_fields = ["customer", "products"]
    show_full_result_count = False  # no COUNT(*) over the whole table on every page (STYLE.md 6)
    fieldsets = [
        (None, {"fields": ["number", "status", "channel", "priority", "received_at", "customer", "contact_name",
                           "contact_phone", "subject", "question", "products"]}),
        (_("Answer and needs"), {"fields": ["answer", "needs_analysis", "recommendation", "recommended_products",
                                            "is_complex"]}),
        (_("Responsibility"), {"fields": ["department", "owner", "handover_department", "handover_note",
                                          "acknowledged_by"]}),
        (_("Dates"), {"fields": ["responded_at", "handed_over_at", "acknowledged_at", "closed_at", "due_at",
                                 "created_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in Inquiry._meta.get_fields() if f.concrete or f.many_to_many]
        if obj is not None and self.has_change_permission(request, obj):
            return [n for n in names if n not in EDITABLE_FIELDS]
        return names

    def has_add_permission(self, request):
        return False  # intake numbers the inquiry and starts its first-response clock

    def has_delete_permission(self, request, obj=None):
        return False  # WF-2: nothing is hard-deleted; a mistaken inquiry is withdrawn

    def has_change_permission(self, request, obj=None):
        # Only an open inquiry, only by someone the service lets edit it; others see it read-only.
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or (obj.is_open and can_work_inquiry(request.user, obj))

    service_fields = EDITABLE_FIELDS

    def save_through_service(self, request, obj, data, comment):
        services.inquiry_update(inquiry=Inquiry.objects.get(pk=obj.pk), actor=request.user, data=data,
                                comment=comment)

    def save_related(self, request, form, formsets, change):
        """Products were saved by the service in save_model, with a timeline entry."""
