"""Signed, single-use, expiring links that let a customer act on one record for one purpose.

Only the SHA-256 of the token is stored: a copy of the database does not hand out working links.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignedLink(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.BigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    # A code registered by the module that handles the link ("visit_feedback", "complaint_confirm").
    purpose = models.CharField(_("purpose"), max_length=50)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Who the link was given to: becomes the actor's name on the timeline.
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("issued by"))
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("customer link")
        verbose_name_plural = _("customer links")
        indexes = [models.Index(fields=["content_type", "object_id", "purpose"], name="link_record_purpose_idx")]

    def __str__(self) -> str:
        from .registry import purpose_for

        purpose = purpose_for(self.purpose)  # named by the module that handles it (ADMIN-1)
        return f"{purpose.label if purpose is not None else self.purpose} #{self.pk}"
