"""Text a complaint service stores, checked at the service (the API and pages check it too, but a
service is also called by the demo builder, a shell or a task): SEC-1's rules, one place."""
from __future__ import annotations

from django.utils.translation import gettext as _

from qsm.errors import ValidationError
from qsm.fields import CleanTextValidator


def clean_text(name: str, value, *, max_length: int, required: bool = False, multiline: bool = True,
               required_message: str | None = None) -> str:
    """``value`` stripped; a field error keyed ``name`` when it is missing, too long, or holds
    control characters (NUL ...) or lone surrogates."""
    text = value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())
    if required and not text:
        raise ValidationError({name: ValidationError(required_message or _("This field is required."),
                                                     code="required")})
    if len(text) > max_length:
        raise ValidationError({name: ValidationError(_("At most %(n)s characters.") % {"n": max_length},
                                                     code="too_long")})
    try:
        CleanTextValidator(multiline=multiline)(text)
    except ValidationError as exc:
        raise ValidationError({name: exc}) from None
    return text
