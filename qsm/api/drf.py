"""DRF's ``serializers`` module with QSM's serializer bases: ``from qsm.api import drf as serializers``.

Every serializer of every module imports its base classes from here, so each field it declares
or maps from a model gets the SEC-1 rules of ``qsm.fields`` (control characters and length of
text, date range) without writing them per field. ``tests/security`` checks that no serializer
of a QSM app is built on DRF's bare classes.
"""
from __future__ import annotations

from django.db import models as _models
from rest_framework.serializers import *  # noqa: F403  (the rest of DRF's module, unchanged)
from rest_framework.serializers import ModelSerializer as _DrfModelSerializer
from rest_framework.serializers import Serializer as _DrfSerializer

from .fields import BoundedDateField, BoundedDateTimeField, CleanCharField, HardenedFieldsMixin

__all__ = ["BoundedDateField", "BoundedDateTimeField", "CleanCharField", "DateField", "DateTimeField",
           "ModelSerializer", "Serializer"]


# DRF's names, bounded: ``serializers.DateTimeField(...)`` in a module's serializer is the
# bounded one (2000..2100; DRF's own raises OverflowError on a naive ``0001-01-01T00:00``).
DateField = BoundedDateField
DateTimeField = BoundedDateTimeField


class Serializer(HardenedFieldsMixin, _DrfSerializer):
    pass


class ModelSerializer(HardenedFieldsMixin, _DrfModelSerializer):
    serializer_field_mapping = {
        **_DrfModelSerializer.serializer_field_mapping,
        _models.DateField: BoundedDateField,
        _models.DateTimeField: BoundedDateTimeField,
    }
