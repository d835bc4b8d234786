from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Contact, Customer, Department, Product, Role, User
from .selectors import department_managers


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "managers", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]

    # ORG-1: a department's managers are its members with the manager role (assigned on the user).
    @admin.display(description=Role.MANAGER.label)
    def managers(self, obj: Department) -> str:
        return ", ".join(str(u) for u in department_managers(department=obj))


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "department", "email", "is_active"]
    list_filter = ["department", "groups", "is_active"]
    search_fields = ["username", "display_name", "email"]
    list_select_related = ["department"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("QSM"), {"fields": ["department", "display_name", "phone", "language"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("QSM"), {"fields": ["department", "display_name", "email"]}),)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "phone", "email", "credit_code", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "phone", "email", "credit_code"]
    inlines = [ContactInline]
    show_full_result_count = False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "product_line", "list_price", "whole_units", "is_active"]
    list_filter = ["kind", "product_line", "whole_units", "is_active"]
    search_fields = ["code", "name"]
