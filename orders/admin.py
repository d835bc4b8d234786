"""ADMIN-1 for orders: support staff can find and read every order, review round, delivery,
installation and progress note.

Orders change only through the orders services (review rounds, delivery, installation), which
fire the workflow and write the timeline (WF-1, WF-2); the admin therefore never moves a record
between states: status and the dates the workflow sets are read-only, nothing is added here (an
order comes from intake or a converted inquiry, the rest from its record page) and nothing is
deleted. The order's own intake fields may be corrected while it is in review or returned, and
only through ``order_update``, so the correction lands on the order's timeline like any other edit.
"""
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from qsm.followup.reasons import reason_label
from qsm.workflow.admin import ServiceEditAdmin

from . import services
from .models import (
    AcceptanceRound,
    CommissioningRound,
    Delivery,
    DeliveryLine,
    Installation,
    Order,
    OrderLine,
    ProductionStep,
    ReviewFinding,
    ReviewRound,
)
from .rules import can_work_order


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the workflow: shown, never added, changed or deleted in the admin."""

    show_full_result_count = False  # no COUNT(*) over the whole table on every page (STYLE.md 6)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
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


# --- orders ---------------------------------------------------------------------------------------

class ShownOnlyFormSet(BaseInlineFormSet):
    """An inline that is only shown: never bound to a post, so saving the order's own fields does
    not ask for its management form, and nothing in a post can reach its rows."""

    def __init__(self, data=None, files=None, *args, **kwargs):
        super().__init__(None, None, *args, **kwargs)

    def is_valid(self):
        return True

    def has_changed(self):
        return False

    def save(self, commit=True):
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        return []


class ProductionStepInline(ReadOnlyInline):
    """ORD-2, §3.2(2): the production steps reported on the order, shown read-only (they are
    recorded from the order's page by the production department, never edited)."""

    model = ProductionStep
    formset = ShownOnlyFormSet
    fields = ["stage", "note", "occurred_at", "recorded_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["product", "quantity", "unit_price", "delivered_quantity"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")


@admin.register(Order)
class OrderAdmin(ServiceEditAdmin):
    list_display = ["number", "received_at", "customer", "status", "promised_date", "installation_required",
                    "department", "owner", "source_inquiry"]
    list_filter = ["status", "department", "installation_required"]
    search_fields = ["number", "customer__name", "customer_reference", "source_inquiry__number"]
    list_select_related = ["customer", "department", "owner", "source_inquiry"]
    inlines = [OrderLineInline, ProductionStepInline]
    show_full_result_count = False  # no COUNT(*) over the whole table on every page (STYLE.md 6)
    fieldsets = [
        (None, {"fields": ["number", "status", "customer", "customer_reference", "source_inquiry", "needs"]}),
        (_("Delivery and installation"), {"fields": ["promised_date", "installation_required", "site_address",
                                                     "site_contact"]}),
        (_("Responsibility"), {"fields": ["department", "owner", "due_at", "cancel_reason"]}),
        (_("Dates"), {"fields": ["received_at", "approved_at", "delivered_at", "accepted_at", "risk_flagged_at",
                                 "created_at", "updated_at"]}),
        (_("Follow-up visit"), {"fields": ["follow_up_due_at", "follow_up_reason_name"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in Order._meta.get_fields() if f.concrete] + ["follow_up_reason_name"]
        if obj is not None and self.has_change_permission(request, obj):
            return [n for n in names if n not in Order.TRACKED_FIELDS]
        return names

    @admin.display(description=_("follow-up reason"))
    def follow_up_reason_name(self, obj: Order) -> str:
        return reason_label(obj.follow_up_reason) if obj.follow_up_reason else ""

    def has_add_permission(self, request):
        return False  # intake numbers the order and starts its review clock

    def has_delete_permission(self, request, obj=None):
        return False  # WF-2: nothing is hard-deleted; a mistaken order is cancelled

    def has_change_permission(self, request, obj=None):
        # Only an order still being reviewed or amended, and only by someone the service lets
        # amend it; everyone else sees it read-only.
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or (obj.status in (Order.Status.REVIEW, Order.Status.RETURNED)
                               and can_work_order(request.user, obj))

    service_fields = Order.TRACKED_FIELDS

    def save_through_service(self, request, obj, data, comment):
        services.order_update(order=Order.objects.get(pk=obj.pk), actor=request.user, data=data, comment=comment)

    def save_related(self, request, form, formsets, change):
        """Nothing to save: order_update saved the order's fields in save_model, and the lines are
        read-only. The change message still asks each formset what it saved: nothing."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


# --- review rounds (ORD-1) --------------------------------------------------------------------------

class ReviewFindingInline(ReadOnlyInline):
    model = ReviewFinding
    fields = ["item", "result", "note"]


@admin.register(ReviewRound)
class ReviewRoundAdmin(ReadOnlyAdmin):
    list_display = ["order", "number", "outcome", "reviewer", "started_at", "decided_at"]
    list_filter = ["outcome"]
    search_fields = ["order__number", "order__customer__name"]
    list_select_related = ["order", "reviewer"]
    inlines = [ReviewFindingInline]


# --- production and delivery (ORD-2) --------------------------------------------------------------

class DeliveryLineInline(ReadOnlyInline):
    model = DeliveryLine
    fields = ["order_line", "quantity"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order_line__product")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["order", "number", "status", "shipped_at", "delivered_at", "carrier", "recorded_by"]
    list_filter = ["status"]
    search_fields = ["order__number", "order__customer__name", "carrier"]
    list_select_related = ["order", "recorded_by"]
    inlines = [DeliveryLineInline]


# --- installation and acceptance (ORD-3) ------------------------------------------------------------

class AcceptanceRoundInline(ReadOnlyInline):
    model = AcceptanceRound
    fields = ["number", "result", "remarks", "customer_feedback", "customer_signatory", "recorded_by", "decided_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class CommissioningRoundInline(ReadOnlyInline):
    model = CommissioningRound
    fields = ["number", "site_work", "checklist_lines", "measurement_lines", "notes", "recorded_by",
              "commissioned_at"]

    # The stored lists read as lines, not as JSON (ADMIN-1): "接地检查：合格", "噪声：62 dB".
    @admin.display(description=_("commissioning checklist"))
    def checklist_lines(self, obj: CommissioningRound) -> str:
        return format_html_join(mark_safe("<br>"), "{}: {}", (
            (c.get("item", ""), _("Pass") if c.get("ok") else _("Fail")) for c in obj.checklist or ()))

    @admin.display(description=_("measurements"))
    def measurement_lines(self, obj: CommissioningRound) -> str:
        return format_html_join(mark_safe("<br>"), "{}: {} {}", (
            (m.get("name", ""), m.get("value", ""), m.get("unit", "")) for m in obj.measurements or ()))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


@admin.register(Installation)
class InstallationAdmin(ReadOnlyAdmin):
    list_display = ["order", "status", "scheduled_for", "commissioned_at", "accepted_at"]
    list_filter = ["status"]
    search_fields = ["order__number", "order__customer__name"]
    list_select_related = ["order"]
    inlines = [CommissioningRoundInline, AcceptanceRoundInline]
