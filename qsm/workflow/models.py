"""WF-2 timeline events and WF-3 attachments, attached to any record by content type."""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .actors import ActorKind, Via


class Event(models.Model):
    """One line of a record's timeline. Written only by the workflow module, never edited.

    Stored in no one's language: field names, raw values and codes. ``selectors.timeline`` turns
    them into labels in the reader's language.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        TRANSITION = "transition", _("Status change")
        EDIT = "edit", _("Edit")
        COMMENT = "comment", _("Comment")
        ATTACHMENT = "attachment", _("Attachment")
        SOLUTION = "solution", _("Solution")  # a version of a tailored / special solution
        MEETING_NOTE = "meeting_note", _("Meeting note")  # minutes of a discussion
        COMMUNICATION = "communication", _("Communication")  # a contact with the customer
        REVIEW = "review", _("Review")  # checklist results of a review round

    Via = Via
    ActorKind = ActorKind

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.BigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    action = models.CharField(_("action"), max_length=50, blank=True)
    from_state = models.CharField(_("from"), max_length=40, blank=True)
    to_state = models.CharField(_("to"), max_length=40, blank=True)
    # [{"field": name, "old": raw, "new": raw}, ...]: raw = code, id, ISO date, number as text, bool,
    # None, a list of ids (many-to-many) or a list of {field: raw} (child rows such as order lines).
    # Rows from before 2026-11 that could not be mapped back keep {"label", "old", "new"} as texts.
    changes = models.JSONField(_("changes"), default=list, blank=True)
    # Who: a staff user (actor), the customer through a link (actor_label = contact name, link),
    # or the system (actor_label = the job's code). Via: through what it came.
    # Raw parameters of a service's line (a solution's version and title, review results by item
    # code); the module that wrote it renders the sentence when read (selectors.register_event_text).
    data = models.JSONField(_("data"), default=dict, blank=True)
    actor_kind = models.CharField(_("actor kind"), max_length=10, choices=ActorKind.choices, default=ActorKind.USER)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("actor"))
    actor_label = models.CharField(_("actor name"), max_length=100, blank=True)
    link = models.ForeignKey("links.SignedLink", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("customer link"))
    # Blank only on events written before via was recorded (2026-11).
    via = models.CharField(_("via"), max_length=10, choices=Via.choices, default=Via.SYSTEM, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="event_record_time_idx")]

    def __str__(self) -> str:  # the admin's title: the kind of line, not "Event object (12)"
        return f"{self.get_kind_display()} · {self.content_type} {self.object_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Random folder per upload: two files with one name never collide, and names are not guessable.
    # The stored name is short and ASCII (``file.pdf``): 90 Chinese characters are 270 bytes, past
    # the file system's 255 (ENAMETOOLONG). The name the person gave is ``original_name`` (SEC-1).
    import re
    import uuid

    ext = filename.rsplit(".", 1)[-1] if "." in filename else ""
    ext = ext.lower() if re.fullmatch(r"[A-Za-z0-9]{1,10}", ext) else ""
    return f"attachments/{instance.content_type.app_label}/{uuid.uuid4().hex}/file{'.' + ext if ext else ''}"


class Attachment(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("record type"))
    object_id = models.BigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    mime_type = models.CharField(_("type"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_record_idx")]

    def __str__(self) -> str:
        return self.original_name


class NumberSequence(models.Model):
    """Yearly counters for human-readable record numbers (INQ-2026-000123)."""

    prefix = models.CharField(_("prefix"), max_length=10)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="number_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
