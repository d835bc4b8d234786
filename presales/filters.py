"""SEARCH-1 for inquiries: one FilterSet shared by the list page, the export and the API."""
from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qsm import search
from qsm.api.filters import FilterSet, LocalDayFilter, StatusFilter
from qsm.org.models import Customer, Department, User

from .models import Channel, Inquiry, Priority

# The search box: the number exactly; subject, contact and phone, and the customer's name as substrings.
INQUIRY_SEARCH = search.register(
    Inquiry,
    search.Exact("number"),
    search.Text("subject", "contact_name", "contact_phone"),
    search.Related("customer", search.Text("name")),
)


class InquiryFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = StatusFilter(choices=Inquiry.Status.choices, label=_("Status"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priority"))
    department = django_filters.ModelChoiceFilter(queryset=Department.objects.all(), label=_("Department"))
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.filter(is_active=True), label=_("Owner"))
    customer = django_filters.ModelChoiceFilter(queryset=Customer.objects.all(), label=_("Customer"))
    received_from = LocalDayFilter(field_name="received_at", bound="from", label=_("Received from"))
    received_to = LocalDayFilter(field_name="received_at", bound="to", label=_("Received to"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    is_complex = django_filters.BooleanFilter(label=_("Complex"))

    class Meta:
        model = Inquiry
        fields = ["q", "status", "channel", "priority", "department", "owner", "customer", "received_from",
                  "received_to", "overdue", "is_complex"]

    def filter_q(self, queryset, name, value):
        return search.apply(queryset, value)

    def filter_overdue(self, queryset, name, value):
        # Reads the partial index on open inquiries by deadline.
        open_states = list(Inquiry.OPEN_STATES)
        if value is True:
            return queryset.filter(status__in=open_states, due_at__lt=timezone.now())
        if value is False:
            return queryset.exclude(status__in=open_states, due_at__lt=timezone.now())
        return queryset
