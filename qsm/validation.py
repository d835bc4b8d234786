"""SEC-1 on the service level (every module's services; first written for complaints): what a page
form or the API already refuses is refused here too,
so a caller that skips the form (a builder, a script, the next module) cannot store hostile text
(NUL and other control characters, lone surrogates, 10,000 characters in a subject) or a date in
year 1 or 9999. Messages are field errors (``qsm.errors.ValidationError``); ``require`` refuses an
actor (``PermissionDenied``) before anything is locked."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _

from qsm.errors import PermissionDenied
from qsm.fields import MULTI_LINE_MAX, SINGLE_LINE_MAX, CleanTextValidator, DateRangeValidator


def clean_text(errors: dict, name: str, value, *, multiline: bool = True, max_length: int | None = None,
               required: str = "") -> str:
    """``value`` stripped, or "" with a message in ``errors[name]`` (``required``: the message when blank)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = _("Enter text.")
        return ""
    text = value.strip()
    limit = max_length or (MULTI_LINE_MAX if multiline else SINGLE_LINE_MAX)
    try:
        CleanTextValidator(multiline=multiline)(text)
    except DjangoValidationError as e:
        errors[name] = e.messages[0]
        return ""
    if len(text) > limit:
        errors[name] = _("Enter at most %(max)d characters.") % {"max": limit}
        return ""
    if required and not text:
        errors[name] = required
    return text


def clean_date(errors: dict, name: str, value, *, past: bool = False, required: str = ""):
    """A date or date-time between 2000 and 2100 (``past``: not later than now)."""
    if value is None:
        if required:
            errors[name] = required
        return None
    if not isinstance(value, (dt.date, dt.datetime)):
        errors[name] = _("Enter a valid date.")
        return None
    try:
        DateRangeValidator(past=past)(value)
    except DjangoValidationError as e:
        errors[name] = e.messages[0]
        return None
    return value


def require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)
