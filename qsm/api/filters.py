"""The filter base and the filter backend of every QSM list."""
from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend

from qsm.fields import SearchFormMixin


class FilterSet(django_filters.FilterSet):
    """The base of every list's filters (pages, exports and API): search text without control
    characters and at most 200 characters (SEC-1, ``qsm.fields``)."""

    def get_form_class(self):
        form_class = super().get_form_class()
        return type(form_class.__name__, (SearchFormMixin, form_class), {})


class StatusFilter(django_filters.MultipleChoiceFilter):
    """Several states at once, without DISTINCT: the states are a column of the row itself, so no
    join can repeat a row, and django-filter's default ``distinct=True`` only makes PostgreSQL sort
    the whole result (every column) to drop duplicates that cannot exist (PERF-1)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class LocalDayFilter(django_filters.DateFilter):
    """A day in the company's time zone as bounds on a date-time column: ``bound="from"`` keeps rows
    at or after the day's first instant, ``bound="to"`` rows before the next day's. Comparing the
    column itself keeps its index usable; ``column__date`` would convert every row to a local date
    first (a full scan at a million rows, PERF-1)."""

    def __init__(self, *args, bound: str, **kwargs):
        if bound not in ("from", "to"):
            raise ValueError("bound is 'from' or 'to'")
        self.bound = bound
        kwargs["lookup_expr"] = "gte" if bound == "from" else "lt"
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        try:
            day = value if self.bound == "from" else value + dt.timedelta(days=1)
            start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        except OverflowError:  # "to 9999-12-31": no day follows it, so nothing is cut off
            return qs
        return super().filter(qs, start)


class TreeNodeFilter(django_filters.ModelChoiceFilter):
    """A node of a two-level taxonomy (a ``parent`` foreign key, like the cause categories that
    after-sales cases and complaints share): a top-level node also matches the records filed under
    its children. One subquery, no second round trip."""

    parent_field = "parent"

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        nodes = self.queryset.model._default_manager.filter(
            Q(pk=value.pk) | Q(**{f"{self.parent_field}_id": value.pk})).values("pk")
        return qs.filter(**{f"{self.field_name}__in": nodes})


class FilterBackend(DjangoFilterBackend):
    """django-filter without the browsable API's filter form.

    The form would render each customer and user as a ``<select>`` option on every HTML view of
    a list: a full-table read on tables that grow without bound. Filtering works the same.
    """

    def to_html(self, request, queryset, view):
        return ""
