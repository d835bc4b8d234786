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
from qsm.parsing import CONTROL_OR_BREAK, LONE_SURROGATE

from . import engine
from .models import Attachment, Event

# What the first bytes of a file of each type must be. A file whose content does not match its
# extension is refused: an HTML page renamed .pdf would otherwise be served as a "PDF".
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),  # plus "WEBP" at offset 8, checked below
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf"),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
# Content that browsers would execute is refused whatever its extension claims (text types have
# no signature, so they are checked for markup and executables instead).
_DANGEROUS_PREFIXES = (b"MZ", b"\x7fELF")
_MARKUP = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<iframe", b"<object",
           b"<embed", b"<meta", b"<?xml")
_SNIFF_BYTES = 512


def _content_refused(ext: str, head: bytes) -> bool:
    signatures = _SIGNATURES.get(ext)
    if signatures is not None:
        if not head.startswith(signatures):
            return True
        return ext == "webp" and head[8:12] != b"WEBP"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(_DANGEROUS_PREFIXES):
        return True
    text = text.lower()
    return text.startswith(b"<") and any(tag in text for tag in _MARKUP)


def _base_name(name: str) -> str:
    # Browsers on Windows may send "C:\\Users\\me\\scan.pdf": keep the last part only.
    return PurePath((name or "").replace("\\", "/")).name


def _refuse(message: str, code: str) -> ValidationError:
    # The code sits on the field's error (a code given next to a dict is dropped by Django), so
    # pages and the API can tell the reasons apart.
    return ValidationError({"file": ValidationError(message, code=code)})


def attachment_validate(upload: UploadedFile) -> None:
    name = _base_name(upload.name)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = [e.lower() for e in settings.ATTACHMENT_ALLOWED_EXTENSIONS]
    if ext not in allowed:
        raise _refuse(_("Files of type “%(ext)s” cannot be attached. Allowed: %(allowed)s.")
                      % {"ext": ext or "?", "allowed": ", ".join(allowed)}, "file_type")
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise _refuse(_("The file is %(size)s; the limit is %(limit)s.")
                      % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)},
                      "file_size")
    if not upload.size:
        raise _refuse(_("The file is empty."), "file_empty")
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    if _content_refused(ext, head):
        raise _refuse(_("The file's content is not a valid “%(ext)s” file.") % {"ext": ext}, "file_content")


def attachment_add(*, record, upload: UploadedFile, actor, description: str = "") -> Attachment:
    attachment_validate(upload)
    # Kept as text only (SEC-1): no control character reaches a header, a page or an export;
    # the stored file gets a short generated name (``attachment_path``).
    name = LONE_SURROGATE.sub("_", CONTROL_OR_BREAK.sub("_", _base_name(upload.name)))[:255]
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
        attachment.file.save(name[-60:], upload, save=False)
        try:
            attachment.save()
            engine.note(record, actor=actor, kind=Event.Kind.ATTACHMENT, comment=name, action="attach")
        except Exception:
            # The row was not written: do not leave the stored file behind without a record.
            attachment.file.delete(save=False)
            raise
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
