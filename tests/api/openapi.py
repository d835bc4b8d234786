"""The API's OpenAPI document in tests (API-2): generated once, and answers checked against it."""
from __future__ import annotations

import functools
import json
import re

from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from openapi_schema_validator import OAS30ReadValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

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
            for e in OAS30ReadValidator(body_schema, registry=_registry()).iter_errors(body)]


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
