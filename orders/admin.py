"""ADMIN-1 for orders: support staff can find and read every order with its lines.

Orders change only through the orders services (review rounds, delivery, installation), which
fire the workflow and write the timeline (WF-1, WF-2); the admin therefore shows them read-only:
no status edits, no adding (an order comes from intake or a converted inquiry), no deleting.
"""
from django.contrib import admin

from .models import Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "created_at", "customer", "status", "department", "owner", "source_inquiry"]
    list_filter = ["status", "department"]
    search_fields = ["number", "customer__name", "source_inquiry__number"]
    list_select_related = ["customer", "department", "owner", "source_inquiry"]
    inlines = [OrderLineInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
