from django.conf import settings
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
    list_display = ["name", "code", "kind", "is_production", "managers", "visit_owner", "is_active"]
    list_filter = ["kind", "is_production", "is_active"]
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
    actions = ["reset_password", "revoke_api_token"]

    # SEC-2: an administrator resets a password by issuing a one-time link (the old password stops
    # working); the links are shown once, on this page, to hand over. Recorded in the history.
    @admin.action(description=_("Reset password (one-time link)"), permissions=["change"])
    def reset_password(self, request, queryset):
        from django.template.response import TemplateResponse

        from .accounts import password_reset_link_issue

        links = [(user, password_reset_link_issue(user=user, actor=request.user)) for user in queryset]
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "links": links,
                   "title": _("Password reset links"),
                   "reset_timeout_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
        response = TemplateResponse(request, "admin/org/user/password_reset_links.html", context)
        response["Cache-Control"] = "private, no-store"
        return response

    @admin.action(description=_("Revoke API token"), permissions=["change"])
    def revoke_api_token(self, request, queryset):
        from .accounts import api_token_revoke

        revoked = [user for user in queryset if api_token_revoke(user=user)]
        for user in revoked:
            self.log_change(request, user, [{"deleted": {"name": "API token", "object": ""}}])
        self.message_user(request, _("API tokens revoked: %(count)d.") % {"count": len(revoked)})


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
# SEC-2: the API tokens list shows whose token it is and when it expires, never the secret itself;
# deleting a token (here, or the user action above) revokes it.
from rest_framework.authtoken.admin import TokenAdmin as _DrfTokenAdmin  # noqa: E402
from rest_framework.authtoken.models import TokenProxy  # noqa: E402

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(_DrfTokenAdmin):
    list_display = ["user", "created", "expires_at"]
    list_select_related = ["user"]

    @admin.display(description=_("expires at"))
    def expires_at(self, obj):
        from .accounts import api_token_expires_at

        return api_token_expires_at(obj)
