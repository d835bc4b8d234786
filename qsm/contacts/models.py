"""The customer contact log every module keeps: what was said to or by the customer, on which channel.

One model for the inquiry's communication log (PRE-4), the order's progress updates and customer
questions (ORD-2), and the after-sales case's and complaint's contacts next. An entry hangs off any
record by content type + id (like the timeline's ``Event`` and ``Attachment``); a module declares a
``GenericRelation(ContactEntry)`` on its record to read its log. Entries are written only by
``qsm.contacts.services`` inside the owning module's root lock.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    # §3.1(1): 电话、邮件、在线客服 and the others the company uses
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Online chat")
    VISIT = "visit", _("Visit")
    OTHER = "other", _("Other")


class ContactEntry(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "in", _("From customer")
        OUTBOUND = "out", _("To customer")

    class Kind(models.TextChoices):
        COMMUNICATION = "communication", _("Communication")  # a contact logged on its own (PRE-4)
        UPDATE = "update", _("Progress update to customer")  # ORD-2, outbound
        QUESTION = "question", _("Question from customer")  # ORD-2, inbound, answered later

    # The kinds a progress log offers (ORD-2), and the direction each implies.
    PROGRESS_KINDS = (Kind.UPDATE, Kind.QUESTION)
    KIND_DIRECTION = {Kind.UPDATE: Direction.OUTBOUND, Kind.QUESTION: Direction.INBOUND}

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.BigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=13, choices=Kind.choices, default=Kind.COMMUNICATION)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    summary = models.TextField(_("what was said"))
    occurred_at = models.DateTimeField(_("when"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    # A default, not auto_now_add: the data migration keeps the original rows' times.
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("answered by"))

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("customer contact")
        verbose_name_plural = _("customer contacts")
        indexes = [models.Index(fields=["content_type", "object_id", "occurred_at"], name="contact_record_time_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(answered_at__isnull=True) | models.Q(kind="question"),
                                   name="contact_only_questions_answered"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def is_question(self) -> bool:
        return self.kind == self.Kind.QUESTION

    @property
    def awaits_answer(self) -> bool:
        return self.kind == self.Kind.QUESTION and self.answered_at is None
