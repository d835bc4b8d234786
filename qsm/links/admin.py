from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from qsm.workflow.admin import ViewOnlyAdmin

from .models import SignedLink
from .registry import purpose_for


@admin.register(SignedLink)
class SignedLinkAdmin(ViewOnlyAdmin):
    """Read-only: links are issued and revoked by services, and the token is never shown."""

    list_display = ["id", "purpose_name", "content_type", "object_id", "contact_name", "created_at", "expires_at",
                    "used_at", "revoked_at"]
    list_filter = ["content_type"]
    list_select_related = ["content_type"]
    fields = ["purpose_name", "content_type", "object_id", "contact_name", "created_by", "created_at", "expires_at",
              "used_at", "revoked_at"]
    show_full_result_count = False

    @admin.display(description=_("purpose"), ordering="purpose")
    def purpose_name(self, obj: SignedLink) -> str:
        # The module that handles the link names its purpose; one no longer registered keeps its code.
        purpose = purpose_for(obj.purpose)
        return str(purpose.label) if purpose is not None else obj.purpose
