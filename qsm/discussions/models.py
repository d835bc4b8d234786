"""The discussion with invited departments and people, its meeting notes and its versioned solutions.

PRE-3 (the inquiry's cross-department discussion and tailored solution) today; after-sales special
solutions and complaint investigations next. A discussion hangs off any record by content type + id
(one per record); a module declares ``GenericRelation(Discussion, related_query_name=...)`` on its
record to read it. Rows are written only by ``qsm.discussions.services`` inside the owning module's
root lock.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qsm.contacts.models import Channel


class Discussion(models.Model):
    """A discussion of a record with invited departments and people (§3.1(2))."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.BigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    topic = models.CharField(_("topic"), max_length=200)
    invited_departments = models.ManyToManyField("org.Department", blank=True, related_name="+",
                                                 verbose_name=_("invited departments"))
    invited_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="invited_discussions",
                                           verbose_name=_("invited people"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("opened by"))
    # Defaults, not auto_now_add: the data migration keeps the original rows' times.
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)

    class Meta:
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id"], name="discussion_one_per_record")]

    def __str__(self) -> str:
        return self.topic


class DiscussionNote(models.Model):
    discussion = models.ForeignKey(Discussion, on_delete=models.PROTECT, related_name="notes",
                                   verbose_name=_("discussion"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author"))
    meeting_at = models.DateTimeField(_("meeting time"), null=True, blank=True)
    body = models.TextField(_("notes"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("discussion note")
        verbose_name_plural = _("discussion notes")

    def __str__(self) -> str:
        return f"{self.discussion} · {self._meta.verbose_name}"


class Solution(models.Model):
    """A tailored solution (个性化解决方案); every change is a new version, none is edited."""

    discussion = models.ForeignKey(Discussion, on_delete=models.PROTECT, related_name="solutions",
                                   verbose_name=_("discussion"))
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("solution"))
    products = models.ManyToManyField("org.Product", blank=True, related_name="+", verbose_name=_("products"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("author"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent to customer at"), null=True, blank=True)
    sent_via = models.CharField(_("sent via"), max_length=10, choices=Channel.choices, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("tailored solution")
        verbose_name_plural = _("tailored solutions")
        constraints = [models.UniqueConstraint(fields=["discussion", "version"], name="discussion_solution_version_unique")]

    def __str__(self) -> str:
        return f"v{self.version} {self.title}"
