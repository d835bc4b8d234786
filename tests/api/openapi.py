"""The API's OpenAPI document in tests (API-2): generated once, and answers checked against it."""
from __future__ import annotations

import functools
import json
import re

from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from rest_framework.test import APIClient

BASE = "urn:qsm-api"


@functools.cache
def schema() -> dict:
    """The document as ``/api/schema/`` serves it (English, plain JSON values)."""
    with translation.override("en"):
        return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


def operations():
    """``(path, method, operation)`` for every operation of the document."""
    for path, item in schema()["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method.upper(), operation


@functools.cache
def _path_patterns() -> list[tuple[re.Pattern, str]]:
    out = []
    for path in schema()["paths"]:
        out.append((re.compile("^" + re.sub(r"\\{[^}]+\\}", r"[^/]+", re.escape(path)) + "$"), path))
    # a literal segment wins over a parameter ("/orders/from-inquiry/" is not "/orders/{id}/")
    return sorted(out, key=lambda pair: pair[1].count("{"))


def operation_for(method: str, url_path: str) -> tuple[str, dict] | None:
    for pattern, path in _path_patterns():
        if pattern.match(url_path):
            operation = schema()["paths"][path].get(method.lower())
            return (path, operation) if operation else None
    return None


@functools.cache
def _registry() -> Registry:
    return Registry().with_resource(BASE, Resource.from_contents(_absolute(schema()), default_specification=DRAFT4))


def response_errors(method: str, url_path: str, status: int, body) -> list[str]:
    """What is wrong with a JSON answer, measured by the document (empty when it matches).

    An answer whose status the operation does not declare is an error too."""
    found = operation_for(method, url_path)
    if found is None:
        if status == 405 and any(p.match(url_path) for p, _path in _path_patterns()):
            return []  # a method the path does not offer: refused, as the document says by leaving it out
        return [f"{method} {url_path} is not in the schema"]
    path, operation = found
    declared = operation["responses"].get(str(status))
    if declared is None:
        return [f"{method} {path} answered {status}, which it does not declare ({sorted(operation['responses'])})"]
    content = declared.get("content", {}).get("application/json")
    if content is None:
        return []  # a file, or no body
    body_schema = _absolute(content["schema"])
    return [f"{method} {path} {status}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in OAS30ReadValidator(body_schema, registry=_registry(),
                                        format_checker=oas30_format_checker).iter_errors(body)]


def _absolute(node):
    """Refs made absolute, and ``nullable: true`` read as "or null" (also around an ``allOf``/enum,
    which drf-spectacular writes for a nullable nested object or enum and OAS 3.0 validators refuse)."""
    if isinstance(node, dict):
        node = {k: (BASE + v if k == "$ref" and v.startswith("#") else _absolute(v)) for k, v in node.items()}
        if node.pop("nullable", False):
            return {"anyOf": [node, {"enum": [None]}]}
        return node
    if isinstance(node, list):
        return [_absolute(v) for v in node]
    return node


class ContractClient(APIClient):
    """DRF's test client that checks every JSON answer of the API against the document (API-2):
    a body, a status or an error shape the schema does not declare fails the test that got it."""

    def request(self, **kwargs):
        response = super().request(**kwargs)
        path = kwargs.get("PATH_INFO", "")
        content_type = response.get("Content-Type", "")
        if (path.startswith("/api/") and not path.startswith(("/api/schema/", "/api/docs/"))
                and content_type.startswith("application/json") and response.status_code < 500):
            errors = response_errors(kwargs["REQUEST_METHOD"], path, response.status_code, response.json())
            assert errors == [], errors
        return response
