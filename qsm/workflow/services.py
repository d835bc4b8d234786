"""Writes of the workflow core that are not transitions: attachments (WF-3)."""
from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from qsm.errors import ValidationError

from . import engine
from .models import Attachment, Event

# Content that browsers would execute is refused whatever its extension claims.
_DANGEROUS_PREFIXES = (b"<!doctype html", b"<html", b"<script", b"<svg", b"MZ", b"\x7fELF")


def attachment_validate(upload: UploadedFile) -> None:
    name = PurePath(upload.name or "").name
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = [e.lower() for e in settings.ATTACHMENT_ALLOWED_EXTENSIONS]
    if ext not in allowed:
        raise ValidationError(
            {"file": _("Files of type “%(ext)s” cannot be attached. Allowed: %(allowed)s.")
             % {"ext": ext or "?", "allowed": ", ".join(allowed)}},
            code="file_type",
        )
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is %(size)s; the limit is %(limit)s.")
             % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}},
            code="file_size",
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")}, code="file_empty")
    head = upload.read(64)
    upload.seek(0)
    if head.lstrip().lower().startswith(_DANGEROUS_PREFIXES):
        raise ValidationError({"file": _("This file's content is not allowed.")}, code="file_content")


def attachment_add(*, record, upload: UploadedFile, actor, description: str = "") -> Attachment:
    attachment_validate(upload)
    name = PurePath(upload.name).name
    with transaction.atomic():
        attachment = Attachment(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            original_name=name[:255],
            size=upload.size,
            mime_type=(mimetypes.guess_type(name)[0] or "application/octet-stream")[:100],
            description=description[:200],
            uploaded_by=actor,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        engine.note(record, actor=actor, kind=Event.Kind.ATTACHMENT, comment=name, action="attach")
    return attachment


def next_number(prefix: str, *, when=None) -> str:
    """Allocate the next number of a yearly sequence; concurrent callers queue on the row lock."""
    from django.utils import timezone

    from .models import NumberSequence

    year = timezone.localtime(when or timezone.now()).year
    with transaction.atomic():
        seq, _created = NumberSequence.objects.select_for_update().get_or_create(prefix=prefix, year=year)
        seq.last += 1
        seq.save(update_fields=["last"])
    return f"{prefix}-{year}-{seq.last:06d}"
