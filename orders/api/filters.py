"""SEARCH-1 for the minimal orders list (the orders module's own FilterSet replaces it later)."""
from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orders.models import Order
from qsm.org.models import Customer, Department, User


class OrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(choices=Order.Status.choices, label=_("Status"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.all(), label=_("Owner"))
    customer = django_filters.ModelChoiceFilter(queryset=Customer.objects.all(), label=_("Customer"))
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("Created from"))
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("Created to"))

    class Meta:
        model = Order
        fields = ["q", "status", "department", "owner", "customer", "created_from", "created_to"]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__iexact=value) | Q(customer__name__icontains=value)
                               | Q(source_inquiry__number__iexact=value))
