"""QC-2: the after-sales cases and the follow-up visits a spot check may sample (qsm.sampling).

Cases: by when they were received and the department handling them. Visits: the visits a
department did in the period (``done_at``; a visit not done has nothing to inspect yet). VIS-2:
the phone visits marked for re-check (re-check requested, not yet re-checked) form the re-check
sample. aftersales never imports assessment.
"""
from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qsm.followup.reasons import reason_label
from qsm.sampling import Described, Population, register_population

from .models import Case, Visit


def _describe_visit(visit: Visit) -> Described:
    return Described(visit.number, f"{visit.customer.name} · {reason_label(visit.reason)}", visit.get_absolute_url())


def register() -> None:
    register_population(Population(code="cases", label=_("After-sales cases"), model=Case, date_field="received_at",
                                   department_field="department"))
    register_population(Population(
        code="visits", label=_("Return visits"), model=Visit, date_field="done_at", department_field="department",
        base=Q(status=Visit.Status.DONE),
        recheck=Q(method=Visit.Method.PHONE, recheck_status=Visit.Recheck.REQUESTED),
        describe=_describe_visit, select_related=("customer",)))
