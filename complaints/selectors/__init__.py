"""Every read of the complaints module, scoped to what the user may see (ORG-1).

``complaint_scope(user)`` is the one queryset every list, export, record page, API endpoint and link
of the module starts from: the declaration in complaints.rules turned into one WHERE clause of
indexed columns and EXISTS probes (qsm.visibility; no per-row Python). Another department's
complaint is not in it, so it is a 404 everywhere.
"""
from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from qsm.parsing import parse_id

from ..models import Complaint, HandlingPlan, Measure, PreventiveMeasure
from ..rules import COMPLAINT_VISIBILITY, MEASURE_VISIBILITY, PLAN_VISIBILITY, PREVENTIVE_VISIBILITY

# What a complaint row and its record page show, loaded with the row.
COMPLAINT_RELATED = ("customer", "order", "product", "received_by", "receiving_department", "investigator",
                     "cause", "cause__parent", "responsible_department", "responsible_person")


def complaint_scope(user) -> QuerySet[Complaint]:
    """The complaints ``user`` may open (quality department and administrators: all)."""
    return COMPLAINT_VISIBILITY.filter(Complaint.objects.all(), user)


def complaint_get(*, user, pk) -> Complaint:
    """One complaint with what its page shows; one the user may not see is a 404."""
    try:
        return complaint_scope(user).select_related(*COMPLAINT_RELATED).get(pk=parse_id(pk))
    except Complaint.DoesNotExist:
        raise Http404(_("No such complaint.")) from None


def plan_scope(user) -> QuerySet[HandlingPlan]:
    return PLAN_VISIBILITY.filter(HandlingPlan.objects.all(), user)


def measure_scope(user) -> QuerySet[Measure]:
    return MEASURE_VISIBILITY.filter(Measure.objects.all(), user)


def preventive_scope(user) -> QuerySet[PreventiveMeasure]:
    return PREVENTIVE_VISIBILITY.filter(PreventiveMeasure.objects.all(), user)


def complaint_plans(complaint: Complaint) -> list[HandlingPlan]:
    """CMP-3/CMP-4: every plan version with its measures (oldest first), for the record page."""
    from django.db.models import Prefetch

    return list(HandlingPlan.objects.filter(complaint=complaint).select_related("author", "decided_by")
                .prefetch_related(Prefetch("measures", queryset=Measure.objects.select_related(
                    "owner", "department", "done_by").order_by("position", "id")))
                .order_by("version"))
