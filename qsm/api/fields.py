"""Serializer fields shared by every API module."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

_enum_classes: dict[str, type[serializers.ChoiceField]] = {}


def _enum_class(component: str, values: list[str]) -> type[serializers.ChoiceField]:
    cls = _enum_classes.get(component)
    if cls is None:
        # An explicitly named schema component per choice set: several models have a "status"
        # or a "kind" with different choices, and drf-spectacular's automatic enum naming warns
        # about such collisions (the schema must generate without warnings, API-1).
        cls = type(f"{component}Field", (serializers.ChoiceField,), {})
        cls = extend_schema_field({"type": "string", "enum": values}, component_name=component)(cls)
        _enum_classes[component] = cls
    return cls


def enum_field(component: str, choices, **kwargs) -> serializers.ChoiceField:
    """A ChoiceField documented as the named enum component ``component`` (e.g. "InquiryStatus").

    ``choices`` is a Django ``TextChoices`` class or a list of (value, label) pairs.
    """
    pairs = list(getattr(choices, "choices", choices))
    return _enum_class(component, [v for v, _label in pairs])(choices=pairs, **kwargs)


class LabelField(serializers.CharField):
    """The translated label of a choice field, in the request's language (``get_<name>_display``)."""

    def __init__(self, name: str, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", f"get_{name}_display")
        super().__init__(**kwargs)
