"""QC-2: the complaints a spot check may sample (qsm.sampling), by when they were received. A
complaint belongs to its responsible department once the investigation named one, before that to
the department that received it. complaints never imports assessment."""
from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qsm.sampling import Population, register_population

from .models import Complaint


def _department(department) -> Q:
    return Q(responsible_department=department) | Q(responsible_department__isnull=True,
                                                    receiving_department=department)


def register() -> None:
    register_population(Population(code="complaints", label=_("Complaints"), model=Complaint,
                                   date_field="received_at", department_filter=_department))
