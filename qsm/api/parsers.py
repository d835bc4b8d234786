"""The API's JSON parser: bounded in size and nesting (SEC-1).

DRF's parser hands the body to ``json.loads``; a body of ten thousand ``[`` overflows the
interpreter's recursion (a 500), and nothing bounds the size of a body the API will parse.
Here a body deeper than ``API_JSON_MAX_DEPTH`` or larger than ``API_JSON_MAX_BYTES`` is a 400.
"""
from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

DEFAULT_MAX_DEPTH = 20
DEFAULT_MAX_BYTES = 1024 * 1024


def json_depth_exceeds(text: str, limit: int) -> bool:
    """True if brackets nest deeper than ``limit`` outside strings (checked before parsing)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    # A scan over only the characters that matter: fast in CPython for any body size we accept.
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        max_bytes = getattr(settings, "API_JSON_MAX_BYTES", DEFAULT_MAX_BYTES)
        max_depth = getattr(settings, "API_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH)
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read(max_bytes + 1) if stream is not None else b""
        if len(raw) > max_bytes:
            raise ParseError(_("The request body is larger than %(limit)d bytes.") % {"limit": max_bytes})
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("The request body is not valid UTF-8 text.")) from exc
        if json_depth_exceeds(text, max_depth):
            raise ParseError(_("The JSON is nested more than %(limit)d levels deep.") % {"limit": max_depth})
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("The request body is not valid JSON.")) from exc


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON (RFC 8259); Python accepts them by default.
    raise ValueError(name)
