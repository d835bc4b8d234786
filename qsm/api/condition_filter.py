"""A yes/no filter of a list over one condition (SEARCH-1): "overdue", "reopened", "two rounds or more".

``ConditionFilter(condition)``: ``true`` keeps the rows that meet it, ``false`` the others, empty
(or absent) all of them. ``condition`` is a ``Q``, or a function returning one when the request is
filtered (a condition that reads the clock, like "overdue": ``lambda: Q(due_at__lt=timezone.now())``).
"""
from __future__ import annotations

from collections.abc import Callable

import django_filters
from django.db.models import Q


class ConditionFilter(django_filters.BooleanFilter):
    def __init__(self, condition: Q | Callable[[], Q], *args, **kwargs):
        self.condition = condition
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        condition = self.condition() if callable(self.condition) else self.condition
        return qs.filter(condition) if value else qs.exclude(condition)
