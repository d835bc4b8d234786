"""The filter base and the filter backend of every QSM list."""
from __future__ import annotations

import django_filters
from django_filters.rest_framework import DjangoFilterBackend

from qsm.fields import SearchFormMixin


class FilterSet(django_filters.FilterSet):
    """The base of every list's filters (pages, exports and API): search text without control
    characters and at most 200 characters (SEC-1, ``qsm.fields``)."""

    def get_form_class(self):
        form_class = super().get_form_class()
        return type(form_class.__name__, (SearchFormMixin, form_class), {})


class FilterBackend(DjangoFilterBackend):
    """django-filter without the browsable API's filter form.

    The form would render each customer and user as a ``<select>`` option on every HTML view of
    a list: a full-table read on tables that grow without bound. Filtering works the same.
    """

    def to_html(self, request, queryset, view):
        return ""
