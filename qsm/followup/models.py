"""ORD-4 and the coming visit plan: records that became due a follow-up visit wait here.

A module whose record becomes due a visit (an accepted order today; a resolved after-sales case
and a closed complaint later) writes a row; the visit scheduler claims due rows and plans visits.
Neither side imports the other.
"""
from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FollowUp(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.BigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    # A code chosen by the module: "accepted", "delivered", "case_resolved", "complaint_closed".
    reason = models.CharField(_("reason"), max_length=30)
    due_at = models.DateTimeField(_("due from"))
    customer = models.ForeignKey("org.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("customer"))
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("department"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Set when the scheduler claims the row (in the transaction that plans the visit).
    consumed_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            # One visit per record and reason: asking twice (a retried action) adds nothing.
            models.UniqueConstraint(fields=["content_type", "object_id", "reason"], name="follow_up_once_per_reason"),
        ]
        indexes = [
            # The scheduler reads only what is still waiting, oldest due first.
            models.Index(fields=["due_at"], name="follow_up_waiting_due_idx", condition=Q(consumed_at__isnull=True)),
            models.Index(fields=["content_type", "object_id"], name="follow_up_record_idx"),
        ]

    def __str__(self) -> str:
        from .reasons import reason_label

        return f"{reason_label(self.reason)} · {self.content_type} {self.object_id}"
