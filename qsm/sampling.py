"""The sampling registry (QC-2 不定期抽查, VIS-2): the records of a module that an inspection may draw.

DESIGN.md: the core imports no domain app, and ``assessment`` (the right-most app) reaches the
records of other modules only through this registry. Each module declares its population(s) in
its own ``sampling.py`` and registers them in ``AppConfig.ready``; it never imports ``assessment``.

A population is "the records of one department in one period": ``records(department, start, end)``
(``start`` and ``end`` are dates, both inclusive, read in the project's time zone, Asia/Shanghai).
``draw`` takes a reproducible, uniform sample: the candidates' primary keys in ascending order,
then ``random.Random(seed).sample``; the same seed over the same records gives the same sample,
and no record outside the department and period can ever be drawn (the draw reads only
``records``).
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

__all__ = ["Population", "Described", "register_population", "population", "populations", "draw", "draw_counted",
           "describe", "period_bounds", "UnknownPopulation"]


class UnknownPopulation(LookupError):
    """No module registered a population under this code."""


@dataclass(frozen=True)
class Described:
    """What an inspection keeps of a sampled record (a snapshot: number, title, page)."""

    number: str
    title: str
    url: str


def _default_describe(record) -> Described:
    number = str(getattr(record, "number", "") or record.pk)
    title = str(getattr(record, "subject", "") or "")
    url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
    return Described(number, title, url)


@dataclass(frozen=True)
class Population:
    """The records of one module that a spot check may sample.

    ``date_field`` is the moment the period is read on (when an inquiry or a case was received, when
    a visit was done); ``department_field`` the department answerable for the record, or
    ``department_filter`` when that takes more than one field (a complaint: its responsible
    department, else the department that received it). ``base`` narrows the population (visits:
    only those done); ``recheck`` the records marked for re-check (VIS-2: phone visits).
    """

    code: str
    label: Any
    model: type[models.Model]
    date_field: str
    department_field: str = "department"
    department_filter: Callable[[Any], Q] | None = None
    base: Q | None = None
    recheck: Q | None = None
    describe: Callable[[Any], Described] = _default_describe
    select_related: tuple[str, ...] = field(default_factory=tuple)

    def department_q(self, department) -> Q:
        if self.department_filter is not None:
            return self.department_filter(department)
        return Q(**{self.department_field: department})

    def period_q(self, start: dt.date, end: dt.date) -> Q:
        """``start``..``end`` inclusive; a date-time field is read in the project's time zone."""
        model_field = self.model._meta.get_field(self.date_field)
        if isinstance(model_field, models.DateTimeField):
            low, high = period_bounds(start, end)
            return Q(**{f"{self.date_field}__gte": low, f"{self.date_field}__lt": high})
        return Q(**{f"{self.date_field}__gte": start, f"{self.date_field}__lte": end})

    def records(self, department, start: dt.date, end: dt.date, *, recheck_only: bool = False) -> QuerySet:
        """The records of ``department`` in the period (both ends inclusive)."""
        queryset = self.model._default_manager.filter(self.department_q(department), self.period_q(start, end))
        if self.base is not None:
            queryset = queryset.filter(self.base)
        if recheck_only:
            if self.recheck is None:
                return queryset.none()
            queryset = queryset.filter(self.recheck)
        return queryset

    def keys_by_day(self, department, start: dt.date, end: dt.date, *, recheck_only: bool = False) -> list[tuple]:
        """``(day, pk)`` of the records ``records`` gives, sorted: the keys of any period inside
        ``start``..``end`` are a slice of it (the day read as ``period_q`` reads it). One query."""
        day = self.date_field
        if isinstance(self.model._meta.get_field(day), models.DateTimeField):
            day = TruncDate(day, tzinfo=timezone.get_current_timezone())
        return sorted(self.records(department, start, end, recheck_only=recheck_only)
                      .annotate(sampling_day=day).values_list("sampling_day", "pk"))

    @property
    def supports_recheck(self) -> bool:
        return self.recheck is not None


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[midnight of ``start``, midnight after ``end``) in the current (project) time zone."""
    zone = timezone.get_current_timezone()
    low = timezone.make_aware(dt.datetime.combine(start, dt.time.min), zone)
    high = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), zone)
    return low, high


_populations: dict[str, Population] = {}


def register_population(population_: Population) -> Population:
    """Called from a module's ``AppConfig.ready``; registering the same code again replaces it."""
    _populations[population_.code] = population_
    return population_


def population(code: str) -> Population:
    try:
        return _populations[code]
    except KeyError:
        raise UnknownPopulation(code) from None


def populations() -> list[Population]:
    """Every registered population, in registration order."""
    return list(_populations.values())


def draw(code: str, department, start: dt.date, end: dt.date, size: int, seed: int, *,
         recheck_only: bool = False) -> list[int]:
    """A reproducible random sample of the primary keys of ``code``'s records of ``department`` in
    the period: at most ``size`` of them, in draw order. Fewer candidates than ``size``: all of
    them (still in an order the seed decides). One query."""
    return draw_counted(code, department, start, end, size, seed, recheck_only=recheck_only)[0]


def draw_counted(code: str, department, start: dt.date, end: dt.date, size: int, seed: int, *,
                 recheck_only: bool = False) -> tuple[list[int], int]:
    """``draw`` and the number of candidates it drew from (same query)."""
    candidates = list(population(code).records(department, start, end, recheck_only=recheck_only)
                      .order_by("pk").values_list("pk", flat=True))
    return sample_of(candidates, size, seed), len(candidates)


def sample_of(candidates: list[int], size: int, seed: int) -> list[int]:
    """The draw itself: at most ``size`` of ``candidates`` (the period's keys in ascending order), in
    the order ``seed`` decides. The scale seeder draws its inspections' samples through it too."""
    if size < 1:
        return []
    return random.Random(seed).sample(candidates, min(size, len(candidates)))


def describe(code: str, pks: Iterable[int]) -> dict[int, tuple[Any, Described]]:
    """The records behind ``pks`` with their snapshots, by primary key (one query)."""
    pop = population(code)
    queryset = pop.model._default_manager.filter(pk__in=list(pks))
    if pop.select_related:
        queryset = queryset.select_related(*pop.select_related)
    return {record.pk: (record, pop.describe(record)) for record in queryset}
