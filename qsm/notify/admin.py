from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .kinds import kind_label, kinds
from .models import Notification


class KindFilter(admin.SimpleListFilter):
    """Notification kinds by their names, not their codes (ADMIN-1)."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return sorted(((code, str(label)) for code, label in kinds().items()), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind_name", "title", "created_at", "read_at", "emailed_at"]
    list_filter = [KindFilter]
    raw_id_fields = ["recipient"]
    list_select_related = ["recipient"]
    readonly_fields = ["kind_name"]
    fields = ["recipient", "kind_name", "title", "body", "url", "read_at", "email_wanted", "email_claimed_at",
              "emailed_at"]
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        # A new row (rare: services write them) takes the code; an existing one shows its name.
        return self.fields if obj is not None else [("kind" if f == "kind_name" else f) for f in self.fields]

    @admin.display(description=_("kind"), ordering="kind")
    def kind_name(self, obj: Notification) -> str:
        return kind_label(obj.kind)
