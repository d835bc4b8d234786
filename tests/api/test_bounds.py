"""SEC-1 / API-2: every free-text field a client sends has its length limit in the published schema.

The services refuse text past its limit (``qsm.validation.clean_text``) and the serializers refuse it
before (``qsm.api.fields.CleanCharField``); a generated client only knows the limit if the schema
declares it. Strings with an ``enum`` or a ``format`` (date, date-time, uuid, binary, uri ...) are
bounded by their format.
"""
from __future__ import annotations

import pytest

from tests.api.openapi import schema


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value.rsplit("/", 1)[1]
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def request_components(doc: dict) -> set[str]:
    """The components a request body uses, directly or nested (``OrderLineInput`` in ``OrderCreate``)."""
    components = doc["components"]["schemas"]
    found: set[str] = set()
    todo = [name for item in doc["paths"].values() for operation in item.values()
            if isinstance(operation, dict) for name in _refs(operation.get("requestBody", {}))]
    while todo:
        name = todo.pop()
        if name not in found and name in components:
            found.add(name)
            todo.extend(_refs(components[name]))
    return found


def _strings(prop: dict, where: str):
    """(where, schema) for each string a property holds: itself, an array's items, an allOf/oneOf branch."""
    if prop.get("type") == "string":
        yield where, prop
    if isinstance(prop.get("items"), dict):
        yield from _strings(prop["items"], where + "[]")
    for key in ("allOf", "oneOf", "anyOf"):
        for branch in prop.get(key, ()):
            yield from _strings(branch, where)


def unbounded_request_strings(doc: dict) -> list[str]:
    components = doc["components"]["schemas"]
    requests = request_components(doc)
    offenders = []
    for name, component in sorted(components.items()):
        for prop_name, prop in component.get("properties", {}).items():
            if prop.get("readOnly"):
                continue
            if name not in requests and not prop.get("writeOnly"):
                continue
            for where, string in _strings(prop, f"{name}.{prop_name}"):
                if "enum" in string or "format" in string or "maxLength" in string:
                    continue
                offenders.append(where)
    return offenders


@pytest.mark.spec("SEC-1", "API-2")
def test_every_free_text_a_client_sends_declares_its_max_length(db):
    doc = schema()
    assert len(request_components(doc)) > 50  # the walk found the request bodies (it is not vacuous)
    offenders = unbounded_request_strings(doc)
    assert offenders == [], "request strings without maxLength: " + ", ".join(offenders)


@pytest.mark.spec("SEC-1", "API-2")
def test_the_check_sees_an_unbounded_request_string():
    # given a request body with a bounded text, a date, a choice and one unbounded text
    doc = {"paths": {"/x/": {"post": {"requestBody": {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/XRequest"}}}}}}},
        "components": {"schemas": {"XRequest": {"properties": {
            "ok": {"type": "string", "maxLength": 200},
            "day": {"type": "string", "format": "date"},
            "kind": {"type": "string", "enum": ["a"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "loose": {"type": "string"}}}}}}
    # then only the unbounded ones are named
    assert unbounded_request_strings(doc) == ["XRequest.tags[]", "XRequest.loose"]


@pytest.mark.spec("SEC-1", "API-2")
def test_the_committed_schema_declares_the_same_bounds(db):
    """docs/api/openapi.yaml is what clients are generated from: it must carry the limits too."""
    from pathlib import Path

    import yaml
    from django.conf import settings

    committed = yaml.safe_load((Path(settings.BASE_DIR) / "docs" / "api" / "openapi.yaml").read_text(encoding="utf-8"))
    offenders = unbounded_request_strings(committed)
    assert offenders == [], "committed schema: request strings without maxLength: " + ", ".join(offenders)


@pytest.mark.spec("SEC-1", "API-2")
def test_the_token_exchange_refuses_an_overlong_name_or_password_with_a_400(api, staff_user):
    # given the published limits of the exchange
    limits = schema()["components"]["schemas"]["AuthTokenRequest"]["properties"]
    client = api()
    for field, other in (("username", "password"), ("password", "username")):
        # when one of them is a character too long
        body = {field: "x" * (limits[field]["maxLength"] + 1), other: "pass-12345" if other == "password" else "staff"}
        r = client.post("/api/auth/token/", body, format="json")
        # then a 400 on that field (no sign-in attempt is made), and no token
        assert r.status_code == 400 and field in r.json(), r.content[:200]
    from rest_framework.authtoken.models import Token

    assert not Token.objects.filter(user=staff_user).exists()
    # a NUL is refused as before (DRF's own rule), a 400 and not a database error
    r = client.post("/api/auth/token/", {"username": "sta\x00ff", "password": "pass-12345"}, format="json")
    assert r.status_code == 400 and "username" in r.json()
