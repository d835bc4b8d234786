"""One place that turns domain errors into HTTP answers for the API (STYLE.md).

Every error body has the shape the schema declares (``qsm.api.schema``, API-2):

- ``{"detail": "...", "code": "<ErrorCode>"}`` for 401, 403, 404, 405, 409, 415, 429 …;
- a 400 adds ``errors``, one ``{"field", "message", "code"}`` per message (nested input as a
  dotted path, ``lines.0.product``), and keeps each field's messages under the field's name as
  DRF sends them (``{"subject": ["This field is required."], ...}``).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from qsm.errors import TransitionNotAllowed

# The ``code`` of every error body (the ``ErrorCode`` enum of the schema).
ERROR_CODES = (
    "invalid", "parse_error", "not_authenticated", "authentication_failed", "permission_denied", "not_found",
    "method_not_allowed", "not_acceptable", "unsupported_media_type", "transition_not_allowed", "conflict",
    "throttled", "error",
)
_BY_STATUS = {400: "invalid", 401: "not_authenticated", 403: "permission_denied", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 415: "unsupported_media_type",
              429: "throttled"}
_RESERVED = {"detail", "code", "errors"}


def validation_error_detail(exc: DjangoValidationError) -> dict:
    """A Django ``ValidationError`` as DRF's field map, keeping each message's code."""
    def details(errors):
        return [exceptions.ErrorDetail(str(m), code=e.code or "invalid") for e in errors for m in e.messages]

    if hasattr(exc, "error_dict"):
        return {field: details(errors) for field, errors in exc.error_dict.items()}
    return {"non_field_errors": details(exc.error_list)}


def _field_errors(full, path: str = "") -> list[dict]:
    """Flatten DRF's ``get_full_details()`` into ``[{"field", "message", "code"}]``."""
    if isinstance(full, dict) and set(full) == {"message", "code"} and not isinstance(full["message"], (dict, list)):
        return [{"field": path or "non_field_errors", "message": str(full["message"]), "code": str(full["code"])}]
    out = []
    if isinstance(full, dict):
        for key, value in full.items():
            out += _field_errors(value, f"{path}.{key}" if path else str(key))
    elif isinstance(full, list):
        nested = any(isinstance(v, (dict, list)) and not (isinstance(v, dict) and set(v) == {"message", "code"})
                     for v in full)
        for index, value in enumerate(full):
            out += _field_errors(value, f"{path}.{index}" if nested and path else path)
    return out


def _code(exc, status_code: int) -> str:
    try:
        codes = exc.get_codes()
    except AttributeError:
        codes = None
    code = codes if isinstance(codes, str) else None
    if code in ERROR_CODES:
        return code
    return _BY_STATUS.get(status_code, "error")


def _validation_body(exc: exceptions.ValidationError) -> dict:
    detail = exc.detail
    if not isinstance(detail, dict):  # ValidationError("...") or a list: about the body as a whole
        detail = {"non_field_errors": detail if isinstance(detail, list) else [detail]}
        exc = exceptions.ValidationError(detail)
    body = {key: value for key, value in detail.items() if key not in _RESERVED}
    body.update({"detail": str(exceptions.ValidationError.default_detail), "code": "invalid",
                 "errors": _field_errors(exc.get_full_details())})
    return body


def exception_handler(exc, context):
    if isinstance(exc, TransitionNotAllowed):
        return Response({"detail": exc.message, "code": "transition_not_allowed"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None, code="permission_denied")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc)
    else:
        data = response.data if isinstance(response.data, dict) else {}
        detail = data.get("detail", "")
        response.data = {"detail": str(detail), "code": _code(exc, response.status_code)}
        if response.status_code == status.HTTP_400_BAD_REQUEST:  # a body that is not JSON: ParseError
            response.data["errors"] = []
    return response
