from django.contrib import admin

from qsm.workflow.admin import ViewOnlyAdmin

from .models import SignedLink


@admin.register(SignedLink)
class SignedLinkAdmin(ViewOnlyAdmin):
    """Read-only: links are issued and revoked by services, and the token is never shown."""

    list_display = ["id", "purpose", "content_type", "object_id", "contact_name", "created_at", "expires_at",
                    "used_at", "revoked_at"]
    list_filter = ["purpose"]
    list_select_related = ["content_type"]
    exclude = ["token_hash"]
    show_full_result_count = False
