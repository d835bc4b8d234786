"""SEARCH-1 filters of the reference lists (read-only)."""
from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qsm.api.filters import FilterSet
from qsm.org.models import Department, Product, Role, User


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



class UserDirectoryFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))
    role = django_filters.ChoiceFilter(choices=Role.choices, method="filter_role", label=_("Role"))

    class Meta:
        model = User
        fields = ["q", "department", "role"]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(username__icontains=value) | Q(display_name__icontains=value)
                               | Q(first_name__icontains=value) | Q(last_name__icontains=value))

    def filter_role(self, queryset, name, value):
        if not value:
            return queryset
        in_role = User.objects.filter(groups__name=value)
        if value == Role.ADMINISTRATOR:  # superusers are administrators (User.has_role)
            in_role = User.objects.filter(Q(groups__name=value) | Q(is_superuser=True))
        return queryset.filter(pk__in=in_role.values("pk"))
