"""Small helpers of the complaint tests (services, API, pages)."""
from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from qsm.org.models import User

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def fresh(record):
    return type(record).objects.get(pk=record.pk)


def in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def photo(name: str = "现场照片.png") -> SimpleUploadedFile:
    """A small real PNG (the attachment checks read the content)."""
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def stored(user) -> User:
    """``user`` as stored now: each builder call sets the cast's passwords again, which signs out a
    session opened with the object read before it (sign in after building, with this)."""
    return User.objects.get(pk=user.pk)
