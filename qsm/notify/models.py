"""NTF-1: in-app notifications; each may also be e-mailed, after its transaction commits.

E-mail is delivered at least once: see qsm.notify.services."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=40)
    # Rendered in the recipient's language when created: the text is what they were told.
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_wanted = models.BooleanField(_("e-mail wanted"), default=True)
    # A sender claims the e-mail (a short transaction of its own), sends it with no transaction
    # open, then sets emailed_at. A claim older than the lease belongs to a sender that died.
    email_claimed_at = models.DateTimeField(_("e-mail claimed at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notif_recipient_time_idx"),
            # The bell counts unread rows of one user: a small partial index answers it.
            models.Index(fields=["recipient"], name="notif_unread_idx", condition=Q(read_at__isnull=True)),
            models.Index(fields=["created_at"], name="notif_email_pending_idx",
                         condition=Q(email_wanted=True, emailed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.title
