"""People of the after-sales tests: a case is logged by ``owner`` (sales department, which has no
routing rule, so it stays there); ``colleague`` and ``manager`` work in that department; the
quality officer follows everything; ``outsider`` works elsewhere; ``step_owner`` (production) is
named on a plan step; ``visitor`` (customer service) is the department's visit owner."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from qsm.org.models import Role
from tests.factories import UserFactory


@pytest.fixture
def people(sales_user, sales_manager, quality_officer, other_department_staff, production_user, staff_user,
           customer):
    colleague = UserFactory(username="sales2", department=sales_user.department, roles=[Role.STAFF])
    return SimpleNamespace(owner=sales_user, colleague=colleague, manager=sales_manager, quality=quality_officer,
                           outsider=other_department_staff, step_owner=production_user, visitor=staff_user,
                           customer=customer)


from tests.sla.conftest import calendar_2026  # noqa: E402,F401  (Monday 2 March 2026: a plain working week)
