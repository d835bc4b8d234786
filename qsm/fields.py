"""Field types every page form and API serializer uses, defined once (SEC-1).

Hostile input must never become a 500 or a stored value that cannot be read back:

* text refuses control characters (tab and line breaks are kept in multi-line text only) and has a
  length limit (single line 200, multi-line 5,000 unless the field says otherwise);
* dates and date-times lie between 2000-01-01 and 2100-12-31 (before 1901 Asia/Shanghai is
  +08:05:43 and ``0001-01-01T00:00`` becomes a BC timestamp that Python cannot read back); a past
  event is also not later than now (a few minutes' tolerance for clocks).

The page form base (:class:`qsm.org.forms.BootstrapFormMixin`) and the API serializer base
(:mod:`qsm.api.drf`) run :func:`harden_form_field` / ``harden_serializer_field`` over every field
they hold, so a plain ``forms.CharField`` in the next module gets the same protection; the
explicit classes below say more (``past=True``, ``multiline=True``, a length).
"""
from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import formats, timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from qsm.parsing import has_control_chars, has_lone_surrogate

DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
SINGLE_LINE_MAX = 200
MULTI_LINE_MAX = 5000


@deconstructible
class CleanTextValidator:
    """Refuses control characters (and, in a single line, line breaks) and lone surrogates."""

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value):
        if not isinstance(value, str):
            return
        if has_lone_surrogate(value):
            raise ValidationError(_("The text contains characters that cannot be stored."), code="surrogate")
        if has_control_chars(value, multiline=self.multiline):
            if self.multiline:
                raise ValidationError(_("Remove the control characters from the text."), code="control_characters")
            raise ValidationError(_("Enter one line of text, without line breaks or control characters."),
                                  code="control_characters")

    def __eq__(self, other):
        return isinstance(other, CleanTextValidator) and other.multiline == self.multiline


@deconstructible
class DateRangeValidator:
    """A date (or the local date of a date-time) within [DATE_MIN, DATE_MAX]; ``past``: not after now."""

    def __init__(self, *, past: bool = False):
        self.past = past

    def __call__(self, value):
        if not isinstance(value, (dt.date, dt.datetime)):
            return
        # The wall-clock date the person typed (the field made it aware in the current zone):
        # no conversion, which could itself overflow near year 1 or 9999.
        day = value.date() if isinstance(value, dt.datetime) else value
        if not DATE_MIN <= day <= DATE_MAX:
            raise ValidationError(
                _("Enter a date between %(min)s and %(max)s."),
                code="date_out_of_range",
                params={"min": formats.date_format(DATE_MIN, "Y-m-d"), "max": formats.date_format(DATE_MAX, "Y-m-d")},
            )
        if self.past:
            if isinstance(value, dt.datetime):
                late = value > timezone.now() + FUTURE_TOLERANCE if timezone.is_aware(value) else False
            else:
                late = value > timezone.localdate()
            if late:
                raise ValidationError(_("This cannot be in the future."), code="future")

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator) and other.past == self.past


def _has(validators, kind) -> bool:
    return any(isinstance(v, kind) for v in validators)


def harden_form_field(field: forms.Field) -> forms.Field:
    """Give a page form field the SEC-1 rules of its type, once (idempotent)."""
    if isinstance(field, forms.CharField):
        multiline = getattr(field, "multiline", None)
        if multiline is None:
            multiline = isinstance(field.widget, forms.Textarea)
        if not _has(field.validators, CleanTextValidator):
            field.validators.append(CleanTextValidator(multiline=multiline))
        if field.max_length is None:
            field.max_length = MULTI_LINE_MAX if multiline else SINGLE_LINE_MAX
            field.validators.append(MaxLengthValidator(field.max_length))
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("maxlength", str(field.max_length))
    elif isinstance(field, (forms.DateField, forms.DateTimeField)):
        if not _has(field.validators, DateRangeValidator):
            field.validators.append(DateRangeValidator())
    return field


class CleanCharField(forms.CharField):
    """Text of one line (default, 200 characters) or several (``multiline=True``, 5,000)."""

    def __init__(self, *, multiline: bool = False, max_length: int | None = None, **kwargs):
        self.multiline = multiline
        if multiline and "widget" not in kwargs:
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3})
        super().__init__(max_length=max_length or (MULTI_LINE_MAX if multiline else SINGLE_LINE_MAX), **kwargs)
        harden_form_field(self)


class BoundedDateField(forms.DateField):
    def __init__(self, *, past: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(DateRangeValidator(past=past))


class BoundedDateTimeField(forms.DateTimeField):
    """``past=True`` for an event that has happened (a call, a meeting, a shipment)."""

    def __init__(self, *, past: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(DateRangeValidator(past=past))


class SearchFormMixin:
    """A filter bar's form: its text gets the rules of single-line text. Its dates keep any value:
    a query stores nothing, PostgreSQL compares any date, and "created from 2999" finds nothing
    rather than being an error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                harden_form_field(field)
