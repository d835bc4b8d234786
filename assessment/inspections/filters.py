"""SEARCH-1 for inspections and findings: one FilterSet each, shared by the list pages, the exports
and the API. The period filter keeps inspections whose period overlaps the chosen days."""
from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qsm import search
from qsm.api.condition_filter import ConditionFilter
from qsm.api.filters import FilterSet, StatusFilter
from qsm.org.models import Department, User

from ..choices import Module
from .models import Finding, Inspection, ItemKind

INSPECTION_SEARCH = search.register(
    Inspection,
    search.Exact("number"),
    search.Text("number", "title", "summary"),
)
# A finding is found by its inspection's number or title (the inspection's grams index).
FINDING_SEARCH = search.register(
    Finding,
    search.Related("inspection", search.Exact("number")),
    search.Related("inspection", search.Text("number", "title", "summary")),
)


def _overdue() -> Q:
    return Q(status__in=Inspection.OPEN_STATES, due_on__lt=timezone.localdate())


class _Period(FilterSet):
    period_from = django_filters.DateFilter(method="filter_period_from", label=_("Period from"))
    period_to = django_filters.DateFilter(method="filter_period_to", label=_("Period to"))

    period_prefix = ""

    def filter_period_from(self, queryset, name, value):
        return queryset.filter(**{f"{self.period_prefix}period_end__gte": value})

    def filter_period_to(self, queryset, name, value):
        return queryset.filter(**{f"{self.period_prefix}period_start__lte": value})


class InspectionFilter(_Period):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = StatusFilter(choices=Inspection.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=Inspection.Kind.choices, label=_("Kind"))
    module = django_filters.ChoiceFilter(choices=Module.choices, label=_("Module"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))
    inspector = django_filters.ModelChoiceFilter(queryset=User.objects.filter(is_active=True), label=_("Inspector"))
    overdue = ConditionFilter(_overdue, label=_("Overdue"))
    with_failures = ConditionFilter(Q(fail_count__gt=0), label=_("With failed items"))

    class Meta:
        model = Inspection
        fields = ["q", "status", "kind", "module", "department", "inspector", "period_from", "period_to",
                  "overdue", "with_failures"]

    def filter_q(self, queryset, name, value):
        return search.apply(queryset, value, INSPECTION_SEARCH)


class FindingFilter(_Period):
    period_prefix = "inspection__"

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    result = StatusFilter(field_name="result", choices=Finding.Result.choices, label=_("Result"))
    kind = django_filters.ChoiceFilter(choices=ItemKind.choices, label=_("Kind"))
    module = django_filters.ChoiceFilter(field_name="inspection__module", choices=Module.choices, label=_("Module"))
    department = django_filters.ModelChoiceFilter(field_name="inspection__department",
                                                  queryset=Department.objects.all(), label=_("Department"))
    inspection = django_filters.ModelChoiceFilter(queryset=Inspection.objects.all(), label=_("Inspection"))

    class Meta:
        model = Finding
        fields = ["q", "result", "kind", "module", "department", "inspection", "period_from", "period_to"]

    def filter_q(self, queryset, name, value):
        return search.apply(queryset, value, FINDING_SEARCH)
