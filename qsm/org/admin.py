from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Contact, Customer, Department, Product, Role, User
from .selectors import department_managers

# ADMIN-1: permissions are stored with English names ("Can add access attempt"); the forms show them
# in the reader's language from their content type and codename: "登录保护 | 登录尝试 | 添加登录尝试".
PERMISSION_ACTIONS = {
    "add": pgettext_lazy("permission", "Add %(model)s"),
    "change": pgettext_lazy("permission", "Change %(model)s"),
    "delete": pgettext_lazy("permission", "Delete %(model)s"),
    "view": pgettext_lazy("permission", "View %(model)s"),
}


def permission_label(permission) -> str:
    model = permission.content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    if model is None or action not in PERMISSION_ACTIONS or model_name != model._meta.model_name:
        return str(permission)
    return f"{model._meta.app_config.verbose_name} | {model._meta.verbose_name} | " + (
        PERMISSION_ACTIONS[action] % {"model": model._meta.verbose_name})


class TranslatedPermissionsMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions") and field is not None:
            field.label_from_instance = permission_label
        return field



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
class UserAdmin(TranslatedPermissionsMixin, BaseUserAdmin):
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
    list_display = ["name", "kind", "phone", "email", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "phone", "email"]
    inlines = [ContactInline]
    show_full_result_count = False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "product_line", "list_price", "is_active"]
    list_filter = ["kind", "product_line", "is_active"]
    search_fields = ["code", "name"]


# ADMIN-1: a role group reads as its role (系统管理员) and keeps its code: ``has_role`` reads the code,
# so a role group is not renamed here (Group.__str__ gives the name, see OrgConfig.ready).
admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(TranslatedPermissionsMixin, BaseGroupAdmin):
    readonly_fields = ["role_name"]

    def get_fields(self, request, obj=None):
        if obj is not None and obj.name in Role.values:
            return ["role_name", "permissions"]
        return ["name", "permissions"]

    @admin.display(description=_("name"))
    def role_name(self, obj: Group) -> str:
        return str(obj)
