"""QC-2: the inquiries a spot check may sample (qsm.sampling), by when they were received and the
department that handles them. presales never imports assessment."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qsm.sampling import Population, register_population

from .models import Inquiry


def register() -> None:
    register_population(Population(code="inquiries", label=_("Pre-sales inquiries"), model=Inquiry,
                                   date_field="received_at", department_field="department"))
