"""DRF's ``serializers`` module with QSM's serializer bases: ``from qsm.api import drf as serializers``.

Every serializer of every module imports its base classes from here, so each field it declares
or maps from a model gets the SEC-1 rules of ``qsm.fields`` (control characters and length of
text, date range) without writing them per field. ``tests/security`` checks that no serializer
of a QSM app is built on DRF's bare classes.
"""
from __future__ import annotations

from rest_framework.serializers import *  # noqa: F403  (the rest of DRF's module, unchanged)
from rest_framework.serializers import ModelSerializer as _DrfModelSerializer
from rest_framework.serializers import Serializer as _DrfSerializer

from .fields import BoundedDateField, BoundedDateTimeField, CleanCharField, HardenedFieldsMixin

__all__ = ["BoundedDateField", "BoundedDateTimeField", "CleanCharField", "ModelSerializer", "Serializer"]


class Serializer(HardenedFieldsMixin, _DrfSerializer):
    pass


class ModelSerializer(HardenedFieldsMixin, _DrfModelSerializer):
    pass
