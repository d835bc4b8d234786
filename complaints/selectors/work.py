"""The reads of the investigation, the handling plans and the measures (CMP-2, CMP-3), scoped to what
the user may see (ORG-1: another department's complaint, and so its plans and measures, is a 404).
"""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from qsm.parsing import parse_id
from qsm.workflow.models import Attachment

from ..models import Complaint, HandlingPlan, Measure
from . import complaint_plans, complaint_scope, measure_scope

SIMILAR_LIMIT = 10


# --- similar past complaints (CMP-2) ---------------------------------------------------------------------

def similar_complaints(*, complaint: Complaint, user, limit: int = SIMILAR_LIMIT) -> list[Complaint]:
    """Up to ``limit`` earlier complaints the user may see with the same cause, product or customer,
    newest first, each with why it is similar (``similar_by``). Three index reads (cause, product,
    customer: each ``(field, received_at)``), each limited, merged here: the cost does not grow with
    the number of complaints."""
    wanted = [("cause", complaint.cause_id), ("product", complaint.product_id), ("customer", complaint.customer_id)]
    found: dict[int, Complaint] = {}
    for field, value in wanted:
        if value is None:
            continue
        rows = (complaint_scope(user).filter(**{f"{field}_id": value}).exclude(pk=complaint.pk)
                .select_related("customer", "product", "cause", "cause__parent", "responsible_department")
                .order_by("-received_at", "-id")[:limit])
        for row in rows:
            row = found.setdefault(row.pk, row)
            row.similar_by = [*getattr(row, "similar_by", []), field]
    rows = sorted(found.values(), key=lambda c: (c.received_at, c.pk), reverse=True)[:limit]
    return rows


# --- plans -----------------------------------------------------------------------------------------------

def plans_of(complaint: Complaint) -> list[HandlingPlan]:
    """Every version of the complaint's plan, newest first, with its measures and their people
    (``complaint_plans``: two queries whatever the number of versions and measures); each plan knows
    its complaint and each measure its plan (the rules read them without a query)."""
    plans = list(reversed(complaint_plans(complaint)))
    for plan in plans:
        plan.complaint = complaint
        plan.loaded_measures = list(plan.measures.all())
        for measure in plan.loaded_measures:
            measure.plan = plan
    return plans


def complaint_timeline(complaint: Complaint, plans: list[HandlingPlan]) -> list:
    """WF-2: the complaint's story with its plan versions and their measures (submitted, approved,
    rejected with the reason, measures added and done), one read of the events whatever their number."""
    from django.utils.translation import gettext

    from qsm.workflow.selectors import timeline

    children = []
    for plan in plans:
        children.append((plan, gettext("Handling plan v%(version)s") % {"version": plan.version}))
        children += [(m, gettext("Measure v%(version)s #%(position)s") % {"version": plan.version,
                                                                          "position": m.position})
                     for m in plan.loaded_measures]
    return timeline(complaint, children=children)


def plan_get(*, complaint: Complaint, pk) -> HandlingPlan:
    plan = HandlingPlan.objects.filter(complaint=complaint, pk=parse_id(pk)).first()
    if plan is None:
        raise Http404(_("No such handling plan."))
    plan.complaint = complaint
    return plan


def measure_of(*, plan: HandlingPlan, pk) -> Measure:
    measure = Measure.objects.select_related("owner", "department").filter(plan=plan, pk=parse_id(pk)).first()
    if measure is None:
        raise Http404(_("No such measure."))
    measure.plan = plan
    return measure


def evidence_of(measures) -> dict[int, list[Attachment]]:
    """The attachments of several measures at once (one query): measure id -> attachments."""
    ids = [m.pk for m in measures]
    out: dict[int, list[Attachment]] = {pk: [] for pk in ids}
    if ids:
        for a in (Attachment.objects.filter(content_type=ContentType.objects.get_for_model(Measure), object_id__in=ids)
                  .order_by("uploaded_at", "id")):
            out[a.object_id].append(a)
    return out


# --- measures (the measure list, SEARCH-1) --------------------------------------------------------------

def measure_list(*, user) -> QuerySet[Measure]:
    """The measure list page and endpoint: the live measures (a plan that was approved) first due
    first; what each row shows loaded in the same query."""
    return (measure_scope(user).exclude(status=Measure.Status.PLANNED)
            .select_related("owner", "department", "done_by", "plan", "plan__complaint", "plan__complaint__customer")
            .order_by("due_date", "id"))


def measure_get(*, user, pk) -> Measure:
    measure = (measure_scope(user).select_related("plan", "plan__complaint", "plan__complaint__customer", "owner",
                                                  "department", "done_by")
               .filter(pk=parse_id(pk)).first())
    if measure is None:
        raise Http404(_("No such measure."))
    return measure


def overdue_q(today) -> Q:
    return Q(status=Measure.Status.OPEN, due_date__lt=today)
