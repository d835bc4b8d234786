"""PERF-1: what `manage.py bench` measures of the shared customers (declared like any module's)."""
from __future__ import annotations

from qsm.bench import BenchList


def lists() -> list[BenchList]:
    from .models import Customer
    from .selectors import customer_list

    return [
        BenchList(
            name="customers", model=Customer, rows=lambda user: customer_list(user=user),
            page="org:customer-list", api="api-customer-list",
            record_page="org:customer-detail", record_api="api-customer-detail",
            # A customer is found by a fragment of its phone number as well as by its name.
            number_of=lambda customer: (customer.phone or "")[-4:] or None, customer_of=lambda customer: customer,
            visibility_differs=False,  # every signed-in user sees every customer (ORG-2)
            owner_field=None,
        ),
    ]
