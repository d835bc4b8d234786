"""Renderers that only let a file format through content negotiation (SEARCH-1 exports).

DRF reads ``?format=`` itself: without a renderer registered for ``csv`` / ``xlsx`` it would
answer 404 before the view runs. The export view builds the file response itself, so these
renderers are never asked to render a file; errors on such a request are sent as JSON.
"""
from __future__ import annotations

from rest_framework.renderers import BaseRenderer
from rest_framework.renderers import JSONRenderer as _DrfJSONRenderer


class JSONRenderer(_DrfJSONRenderer):
    """DRF's JSON renderer that never fails on a lone surrogate (SEC-1).

    A value echoed in an error (``"\\ud800" is not a valid choice``) cannot be encoded as UTF-8;
    such a body is written with ASCII escapes instead, which is the same JSON.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            renderer = _DrfJSONRenderer()
            renderer.ensure_ascii = True
            return renderer.render(data, accepted_media_type, renderer_context)


class _FileFormatRenderer(BaseRenderer):
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data, "application/json", renderer_context)


class CSVRenderer(_FileFormatRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(_FileFormatRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_FORMAT_CHOICES = [(f, f) for f in EXPORT_FORMATS]  # the schema's ExportFormat enum (ENUM_NAME_OVERRIDES)
