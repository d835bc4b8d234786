"""PERF-1: what `manage.py bench` measures of pre-sales (declared; the core derives the rest)."""
from __future__ import annotations

from django.db.models import Q

from qsm.bench import BenchList


def lists() -> list[BenchList]:
    from .models import Inquiry
    from .selectors import inquiry_list

    return [
        BenchList(
            name="inquiries", model=Inquiry, rows=lambda user: inquiry_list(user=user),
            page="presales:inquiry-list", api="api-inquiry-list", export="presales:inquiry-export",
            record_page="presales:inquiry-detail", record_api="api-inquiry-detail",
            number_of=lambda inquiry: inquiry.number, customer_of=lambda inquiry: inquiry.customer,
            open_q=Q(status__in=Inquiry.OPEN_STATES), throughput=True,
        ),
    ]
