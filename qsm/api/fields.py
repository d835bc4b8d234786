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
        cls = type(f"{component}Field", (_EnumField,), {})
        cls = extend_schema_field({"type": "string", "enum": values}, component_name=component)(cls)
        _enum_classes[component] = cls
    return cls


class _EnumField(serializers.ChoiceField):
    def __init__(self, *, blank_as_null: bool = False, **kwargs):
        self.blank_as_null = blank_as_null  # a constructor argument: DRF copies fields by their arguments
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value == "" and self.blank_as_null:
            return None  # "not yet" (a solution not sent): null, which the enum's schema allows
        return super().to_representation(value)


def enum_field(component: str, choices, *, blank_as_null: bool = False, **kwargs) -> serializers.ChoiceField:
    """A ChoiceField documented as the named enum component ``component`` (e.g. "InquiryStatus").

    ``choices`` is a Django ``TextChoices`` class or a list of (value, label) pairs.
    ``blank_as_null``: an output whose model field is blank until set answers null (and is nullable).
    """
    pairs = list(getattr(choices, "choices", choices))
    if blank_as_null:
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("read_only", True)
    return _enum_class(component, [v for v, _label in pairs])(choices=pairs, blank_as_null=blank_as_null, **kwargs)


class BlankAsNullCharField(serializers.CharField):
    """A read-only text whose blank value means "none": answered as null (declared nullable)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value in ("", None) else super().to_representation(value)


class LabelField(serializers.CharField):
    """The translated label of a choice field, in the request's language (``get_<name>_display``)."""

    def __init__(self, name: str, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", f"get_{name}_display")
        super().__init__(**kwargs)


# --- SEC-1: the API's text, date and number fields (the rules live in ``qsm.fields``) ------------


def harden_serializer_field(field: serializers.Field) -> serializers.Field:
    """Give a serializer field the SEC-1 rules of its type, once (idempotent).

    An API field does not know whether the page shows it on one line, so text keeps tab and
    line breaks unless the field says ``multiline=False``; its default length is the multi-line one.
    """
    from django.core.validators import MaxLengthValidator

    from qsm.fields import MULTI_LINE_MAX, CleanTextValidator, DateRangeValidator

    if getattr(field, "_sec_hardened", False):
        return field
    field._sec_hardened = True
    if isinstance(field, serializers.CharField) and not field.read_only:
        if not any(isinstance(v, CleanTextValidator) for v in field.validators):
            field.validators.append(CleanTextValidator(multiline=getattr(field, "multiline", True)))
        if field.max_length is None:
            field.max_length = MULTI_LINE_MAX
            field.validators.append(MaxLengthValidator(MULTI_LINE_MAX))
    elif isinstance(field, serializers.IntegerField) and not field.read_only:
        # An id or count past PostgreSQL's bigint is refused here, not by the database.
        from django.core.validators import MaxValueValidator, MinValueValidator

        from qsm.parsing import BIGINT_MAX

        if field.max_value is None:
            field.max_value = BIGINT_MAX
            field.validators.append(MaxValueValidator(BIGINT_MAX))
        if field.min_value is None:
            field.min_value = -BIGINT_MAX
            field.validators.append(MinValueValidator(-BIGINT_MAX))
    elif isinstance(field, (serializers.DateField, serializers.DateTimeField)) and not field.read_only:
        if not any(isinstance(v, DateRangeValidator) for v in field.validators):
            field.validators.append(DateRangeValidator())
    elif isinstance(field, (serializers.ListField, serializers.DictField)):
        harden_serializer_field(field.child)
    return field


def source_may_be_null(model, source: str) -> bool:
    """Whether ``source`` ("acknowledged_by", "order.customer.name") can be None on ``model``:
    a nullable field or a nullable relation on the way."""
    from django.core.exceptions import FieldDoesNotExist

    for part in source.split("."):
        if model is None:
            return False
        try:
            model_field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a property or a method: it says itself (extend_schema_field, allow_null)
        if getattr(model_field, "null", False) and not model_field.many_to_many:
            return True
        model = model_field.related_model if model_field.is_relation else None
    return False


class HardenedFieldsMixin:
    """Every field a serializer holds gets :func:`harden_serializer_field` (see ``qsm.api.drf``).

    API-2: an output field read through a nullable relation or field (``acknowledged_by_name``
    from ``acknowledged_by``) is declared and answered as nullable, for every serializer.
    """

    def get_fields(self):
        fields = super().get_fields()
        model = getattr(getattr(self, "Meta", None), "model", None)
        for name, field in fields.items():
            harden_serializer_field(field)
            if model is not None and field.read_only and not field.allow_null:
                source = field.source or name
                if source != "*" and source_may_be_null(model, source):
                    field.allow_null = True
        return fields


class CleanCharField(serializers.CharField):
    """API text: ``multiline=False`` for a one-line value (a subject), with a length."""

    def __init__(self, *, multiline: bool = True, **kwargs):
        from qsm.fields import MULTI_LINE_MAX, SINGLE_LINE_MAX

        self.multiline = multiline
        kwargs.setdefault("max_length", MULTI_LINE_MAX if multiline else SINGLE_LINE_MAX)
        super().__init__(**kwargs)
        harden_serializer_field(self)


class BoundedDateField(serializers.DateField):
    def __init__(self, *, past: bool = False, **kwargs):
        from qsm.fields import DateRangeValidator

        super().__init__(**kwargs)
        self.validators.append(DateRangeValidator(past=past))


class BoundedDateTimeField(serializers.DateTimeField):
    """``past=True`` for an event that has happened (a call, a meeting, a shipment, a delivery)."""

    def __init__(self, *, past: bool = False, **kwargs):
        from qsm.fields import DateRangeValidator

        super().__init__(**kwargs)
        self.validators.append(DateRangeValidator(past=past))

    def to_internal_value(self, value):
        # DRF's own check of a naive time near year 1 (``0001-01-01T00:00``) overflows: a 500.
        try:
            return super().to_internal_value(value)
        except OverflowError:
            self.fail("overflow")
