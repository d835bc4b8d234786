"""The OpenAPI contract of every QSM endpoint (API-2), in one place.

Every view gets it without declaring anything: ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`` is
:class:`AutoSchema` and ``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`` ends with
:func:`postprocess`. What they add to drf-spectacular:

- every operation declares its error answers (``Error`` / ``ValidationError`` bodies with an
  enumerated ``code``, exactly what ``qsm.api.exceptions.exception_handler`` sends): 400 where a
  body or query parameters are read, 401/403 where a user is needed, 404 on a record's path,
  409 on writes (a transition the record's state refuses), 429 everywhere (throttling, lockout);
- an operation's description is only what ``extend_schema(description=...)`` says (never a
  class or method docstring, which is written for developers), and every operation has a
  summary (given, or made from the action and the model's name);
- ids in paths are integers; enums in query parameters are the named components (no inline
  copy per operation); enums whose values are known only once every module is loaded
  (``TimelineAction``, ``WorkflowState``) are filled from the workflow registry;
- the schema is written in English whatever the caller's language (``qsm.api.schema_view``).
"""
from __future__ import annotations

import re

from django.utils.text import capfirst
from drf_spectacular.openapi import AutoSchema as _SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

from .exceptions import ERROR_CODES

COMPONENTS = "#/components/schemas/"

_ERROR_SCHEMAS = {
    "ErrorCode": {"type": "string", "enum": list(ERROR_CODES),
                  "description": "What went wrong, for programs (the `detail` is for people)."},
    "Error": {
        "type": "object",
        "properties": {
            "detail": {"type": "string", "description": "A message in the user's language."},
            "code": {"$ref": COMPONENTS + "ErrorCode"},
        },
        "required": ["detail", "code"],
    },
    "FieldError": {
        "type": "object",
        "properties": {
            "field": {"type": "string",
                      "description": "The input field, dotted for nested input (`lines.0.product`); "
                                     "`non_field_errors` for the body as a whole."},
            "message": {"type": "string"},
            "code": {"type": "string", "description": "The rule that failed (`required`, `invalid`, `max_length` …)."},
        },
        "required": ["field", "message", "code"],
    },
    "ValidationError": {
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "code": {"$ref": COMPONENTS + "ErrorCode"},
            "errors": {"type": "array", "items": {"$ref": COMPONENTS + "FieldError"}},
        },
        "required": ["detail", "code", "errors"],
        # Each field's messages are also sent keyed by the field's name, as DRF sends them.
        "additionalProperties": {},
    },
}

_ERROR_RESPONSES = {
    "400": ("ValidationError", "The input is not valid; nothing was changed."),
    "401": ("Error", "Not signed in, or the credentials are not valid."),
    "403": ("Error", "Signed in, but not allowed to do this."),
    "404": ("Error", "No such record, or not one the user may see (the path's, or one the body names)."),
    "409": ("Error", "The record's state does not allow this now (code `transition_not_allowed`)."),
    "429": ("Error", "Too many requests or sign-in attempts; try again later (code `throttled`)."),
}

_WRITES = ("POST", "PUT", "PATCH", "DELETE")

_ACTION_VERBS = {
    "list": "List", "retrieve": "Get one", "create": "Create", "update": "Replace", "partial_update": "Update",
    "destroy": "Delete",
}


class AutoSchema(_SpectacularAutoSchema):
    # --- documentation ----------------------------------------------------------------------------

    def get_description(self) -> str:
        # Only an explicit ``extend_schema(description=...)`` (which overrides this method); a
        # docstring is written for the code's readers, not for an integrator.
        return ""

    def get_summary(self) -> str | None:
        action = getattr(self.view, "action", None) or self.method.lower()
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        if model is not None and action in _ACTION_VERBS:
            name = model._meta.verbose_name_plural if action == "list" else model._meta.verbose_name
            return f"{_ACTION_VERBS[action]} {name}"
        if not getattr(self.view, "action", None):  # a plain APIView: its name ("MeView" -> "Me")
            name = re.sub(r"(?<!^)(?=[A-Z])", " ", type(self.view).__name__.removesuffix("View")).lower()
            return f"{capfirst(name)} ({self.method.lower()})"
        words = action.replace("_", " ").strip()
        if model is not None:
            return f"{capfirst(words)} ({model._meta.verbose_name})"
        return capfirst(words)

    # --- error answers ----------------------------------------------------------------------------

    def _needs_user(self) -> bool:
        return not all(isinstance(p, AllowAny) for p in self.view.get_permissions())

    def _names_a_record(self) -> bool:
        handler = getattr(self.view, getattr(self.view, "action", None) or "", None)
        return getattr(handler, "names_a_record", False)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for name, schema in _ERROR_SCHEMAS.items():
            self.registry.register_on_missing(
                ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema))
        codes = []
        if self.method in _WRITES or any(p.get("in") == "query" for p in self._get_parameters()):
            codes.append("400")
        if self._needs_user():
            codes += ["401", "403"]
        if "{" in self.path or (self.method in _WRITES and self._needs_user()) or self._names_a_record():
            codes.append("404")  # the record of the path, or one the body names (an inquiry to convert)
        if self.method in _WRITES and self._needs_user():
            codes.append("409")
        codes.append("429")
        for code in codes:
            component, description = _ERROR_RESPONSES[code]
            responses.setdefault(code, {
                "content": {"application/json": {"schema": {"$ref": COMPONENTS + component}}},
                "description": description,
            })
        return responses


# --- enums known only at run time ---------------------------------------------------------------


def _workflow_actions() -> list[str]:
    from qsm.workflow.selectors import timeline_actions

    return sorted(timeline_actions())


def _workflow_states() -> list[str]:
    from qsm.workflow import engine

    states = set()
    for wf in engine.workflows():
        states |= {value for value, _label in wf.model._meta.get_field(wf.state_field).choices}
    return sorted(states)


def _notification_kinds() -> list[str]:
    from qsm.notify.kinds import kinds

    return sorted(kinds())


def _inbox_modules() -> list[str]:
    from qsm.registry import inbox_modules

    return inbox_modules()


DYNAMIC_ENUMS = {
    "TimelineAction": (_workflow_actions, "A workflow transition, or what a note on the timeline records."),
    "WorkflowState": (_workflow_states, "A state of any record's workflow."),
    "NotificationKind": (_notification_kinds, "What a notification is about, as the modules register it."),
    "InboxModule": (_inbox_modules, "The module a \"my work\" item comes from."),
}


def dynamic_enum(name: str, *, nullable: bool = False) -> dict:
    """The schema of a field whose values are the run-time enum ``name`` (see DYNAMIC_ENUMS)."""
    ref = {"$ref": COMPONENTS + name}
    return {"allOf": [ref], "nullable": True} if nullable else ref


# --- the post-processing hook -------------------------------------------------------------------

_SPEC_REFS = re.compile(r"\b[A-Z]{2,}-\d+\b(?:,\s*)?")
_ID_PATTERN = r"^\d+$"
_STRING_FORMATS = ("email", "uri", "uuid", "date", "date-time", "ipv4", "ipv6", "hostname")


def _clean_summary(summary: str) -> str:
    """"Approve (ORD-1)" -> "Approve"; "Attach a file (WF-3; size limits)" -> "Attach a file (size limits)"."""

    def strip(match):
        inner = _SPEC_REFS.sub("", match.group(1)).strip(" ;,")
        return f" ({inner})" if inner else ""

    return re.sub(r"\s*\(([^()]*)\)", strip, summary).strip()


def _enum_key(schema: dict) -> frozenset | None:
    values = schema.get("enum")
    if not values:
        return None
    return frozenset(v for v in values if v not in ("", None))


def _override_choices() -> dict[frozenset, str]:
    from django.conf import settings
    from django.utils.module_loading import import_string

    out = {}
    for name, choices in settings.SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}).items():
        if isinstance(choices, str):
            choices = import_string(choices)
        choices = getattr(choices, "choices", choices)
        out[frozenset(c[0] if isinstance(c, (tuple, list)) else c for c in choices)] = name
    return out


def _drop_invalid_blank_defaults(node) -> None:
    """``EmailField(allow_blank=True, default="")``: "" is not an e-mail address, so the default
    would not validate (openapi-spec-validator); leaving it out means the same (blank)."""
    if isinstance(node, dict):
        if node.get("default") == "" and node.get("format") in _STRING_FORMATS:
            del node["default"]
        for value in node.values():
            _drop_invalid_blank_defaults(value)
    elif isinstance(node, list):
        for value in node:
            _drop_invalid_blank_defaults(value)


def postprocess(result, generator, request=None, public=True, **kwargs):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, (values, description) in DYNAMIC_ENUMS.items():
        schemas[name] = {"type": "string", "enum": values(), "description": description}
    by_values = {}
    for name, schema in schemas.items():
        key = _enum_key(schema)
        if key is not None:
            by_values.setdefault(key, name)
    overrides = _override_choices()

    def named(schema: dict, param: str) -> dict:
        key = _enum_key(schema)
        if key is None:
            return schema
        name = by_values.get(key) or overrides.get(key) or "".join(p.capitalize() for p in param.split("_")) + "Enum"
        if name not in schemas:
            schemas[name] = {"type": schema.get("type", "string"), "enum": [v for v in schema["enum"]
                                                                             if v not in ("", None)]}
            by_values[key] = name
        rest = {k: v for k, v in schema.items() if k not in ("type", "enum")}
        return {"$ref": COMPONENTS + name} if not rest else {"allOf": [{"$ref": COMPONENTS + name}], **rest}

    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if operation.get("summary"):
                operation["summary"] = _clean_summary(operation["summary"])
            for param in operation.get("parameters", []):
                schema = param.get("schema", {})
                if param.get("in") == "path" and schema.get("pattern") == _ID_PATTERN:
                    param["schema"] = {"type": "integer"}
                elif schema.get("type") == "array" and isinstance(schema.get("items"), dict):
                    schema["items"] = named(schema["items"], param["name"])
                else:
                    param["schema"] = named(schema, param["name"])
                if isinstance(param.get("description"), str):  # the enum's values are in the component
                    param["description"] = param["description"].split("\n\n*")[0].strip()
                    if not param["description"] or param["description"].startswith("* `"):
                        del param["description"]
    for name, schema in schemas.items():
        if schema.get("type") == "object" and name not in _ERROR_SCHEMAS:
            schema.pop("description", None)  # a serializer's docstring, written for developers
        _drop_invalid_blank_defaults(schema)
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    return result


def names_a_record(handler):
    """Marks a read whose query names a record (``?inquiry=``): it answers 404 for one the user cannot see."""
    handler.names_a_record = True
    return handler
