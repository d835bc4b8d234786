"""SEARCH-1 for service standards: one FilterSet shared by the list page, the exports and the API."""
from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from qsm import search
from qsm.api.condition_filter import ConditionFilter
from qsm.api.filters import FilterSet, StatusFilter
from qsm.org.models import Department, User

from ..choices import Module
from .models import Standard, StandardVersion
from .selectors import review_due_condition

# The search box: the number exactly, the title as a substring (Chinese too: the grams index).
STANDARD_SEARCH = search.register(Standard, search.Exact("number"), search.Text("number", "title"))


class StandardFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=Standard.Kind.choices, label=_("Kind"))
    module = django_filters.ChoiceFilter(choices=Module.choices, method="filter_module", label=_("Module"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), field_name="departments",
                                                  method="filter_department",
                                                  label=_("Department"))
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.filter(is_active=True), label=_("Owner"))
    # QC-1: the next review within a month or already past (the review reminder's list).
    review_due = ConditionFilter(review_due_condition, label=_("Review falling due"))
    in_force = ConditionFilter(Q(current_version__isnull=False, retired=False), label=_("In force"))
    retired = django_filters.BooleanFilter(label=_("Retired"))

    class Meta:
        model = Standard
        fields = ["q", "kind", "module", "department", "owner", "review_due", "in_force", "retired"]

    def filter_q(self, queryset, name, value):
        return search.apply(queryset, value)

    def filter_module(self, queryset, name, value):
        return queryset.filter(modules__contains=[value])

    def filter_department(self, queryset, name, value):
        """The standards that apply to the department: naming it, or naming none (every department)."""
        through = Standard.departments.through
        named = through.objects.filter(standard_id=OuterRef("pk"))
        return queryset.filter(Exists(named.filter(department_id=value.pk)) | ~Exists(named))


class StandardVersionFilter(FilterSet):
    """The version list (API): by state (the quality manager's queue: ``status=review``) and standard."""

    status = StatusFilter(choices=StandardVersion.Status.choices, label=_("Status"))
    standard = django_filters.NumberFilter(field_name="standard_id", label=_("Standard"))

    class Meta:
        model = StandardVersion
        fields = ["status", "standard"]
