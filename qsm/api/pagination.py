import re

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination as BaseCursorPagination

from qsm.parsing import BIGINT_MAX, has_control_chars, has_lone_surrogate

_BASE64 = re.compile(r"[A-Za-z0-9+/]{1,2000}={0,2}")


class CursorPagination(BaseCursorPagination):
    """Keyset pagination: constant cost at any depth and no COUNT(*) (API-1, performance).

    A cursor is read from the URL, so it is untrusted input (SEC-1): one that does not decode, or
    whose position is not a value of the ordering field (``1e999`` for an id, a date where an
    id is expected, a NUL), is a 400 with a ``cursor`` error — never a database error.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-id",)
    invalid_cursor_message = _("The page link is not valid; start again from the first page.")

    def paginate_queryset(self, queryset, request, view=None):
        self._model = getattr(queryset, "model", None)
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None and not _BASE64.fullmatch(encoded):
            # base64 decoding skips what is not in its alphabet: "!!!" would be a silent first page.
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None
        if cursor is not None and cursor.position is not None and not self._position_valid(cursor.position):
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        return cursor

    def _position_valid(self, position: str) -> bool:
        if has_lone_surrogate(position) or has_control_chars(position):
            return False
        model = getattr(self, "_model", None)
        if model is None:
            return True
        name = self.ordering[0].lstrip("-") if isinstance(self.ordering, (list, tuple)) else self.ordering.lstrip("-")
        try:
            field = model._meta.pk if name in ("id", "pk") else model._meta.get_field(name)
        except FieldDoesNotExist:  # ordered across a relation: the database checks the value's type
            return True
        try:
            value = field.to_python(position)
        except (DjangoValidationError, ValueError, TypeError, OverflowError, LookupError):
            return False
        if isinstance(field, (models.IntegerField, models.AutoField)) and not -BIGINT_MAX <= value <= BIGINT_MAX:
            return False
        return True
