"""SEARCH-1 filters of the reference lists (read-only)."""
from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qsm.api.filters import FilterSet
from qsm.org.models import Department, Product


class ProductFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=Product.Kind.choices, label=_("Kind"))
    product_line = django_filters.CharFilter(label=_("Product line"))

    class Meta:
        model = Product
        fields = ["q", "kind", "product_line"]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset


class DepartmentFilter(FilterSet):
    kind = django_filters.ChoiceFilter(choices=Department.Kind.choices, label=_("Kind"))

    class Meta:
        model = Department
        fields = ["kind"]
