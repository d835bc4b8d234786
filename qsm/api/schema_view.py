"""The live schema (``/api/schema/``): one English document for every caller (API-2).

Apart from ``qsm.api.schema`` because drf-spectacular's views import the schema class at import time.
"""
from __future__ import annotations

import json

from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView


class SchemaView(SpectacularAPIView):
    """``/api/schema/``: the same English document whatever the caller's language or cookie."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        # ``?lang=`` is ignored too. The labels are lazy strings: evaluated here, in English.
        with translation.override("en"):
            response = self._get_schema_response(request)
            response.data = json.loads(json.dumps(response.data, default=str))
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = "en"
        return response
