"""CMP-4/CMP-5 reads: preventive measures (SEARCH-1 list, export, API), the confirmation history of
a complaint (rounds, plan versions, answers) and similar closed cases for the case report.

Every read is scoped (``preventive_scope``, ``complaint_scope``): another department's complaint
and its measures are a 404 everywhere.
"""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ..models import CaseReport, Complaint, CustomerAnswer, HandlingPlan, PreventiveMeasure
from . import complaint_scope, preventive_scope


def preventive_list(*, user) -> QuerySet[PreventiveMeasure]:
    return (preventive_scope(user).select_related("complaint", "complaint__customer", "owner", "department")
            .order_by("-due_date", "-id"))


def preventive_get(*, user, pk) -> PreventiveMeasure:
    from qsm.parsing import parse_id

    try:
        return preventive_list(user=user).get(pk=parse_id(pk))
    except PreventiveMeasure.DoesNotExist:
        raise Http404(_("No such preventive measure.")) from None


def preventive_of(complaint: Complaint) -> list[PreventiveMeasure]:
    measures = list(PreventiveMeasure.objects.filter(complaint=complaint).select_related("owner", "department")
                    .order_by("due_date", "id"))
    for measure in measures:  # the rules read the complaint: the one already loaded, no query per row
        measure.complaint = complaint
    return measures


def case_report_of(complaint: Complaint) -> CaseReport | None:
    return CaseReport.objects.filter(complaint=complaint).select_related("written_by").first()


def confirmation_history(complaint: Complaint) -> list[dict]:
    """CMP-4: every round with its plan versions and the customer's answer, oldest first."""
    plans = list(HandlingPlan.objects.filter(complaint=complaint).select_related("author", "decided_by")
                 .order_by("version"))
    answers = {a.round: a for a in CustomerAnswer.objects.filter(complaint=complaint)
               .select_related("recorded_by", "plan").order_by("round")}
    rounds = sorted({p.round for p in plans} | set(answers) | {complaint.round})
    return [{"round": n, "plans": [p for p in plans if p.round == n], "answer": answers.get(n)} for n in rounds]


def similar_cases(*, user, complaint: Complaint, limit: int = 10) -> list[Complaint]:
    """CMP-5 "similar cases": other closed complaints with the same cause category or the same
    product (those the reader may see), newest first."""
    same = Q()
    if complaint.cause_id:
        same |= Q(cause_id=complaint.cause_id)
    if complaint.product_id:
        same |= Q(product_id=complaint.product_id)
    if not same:
        return []
    closed = [Complaint.Status.CLOSED, Complaint.Status.CLOSED_UNRESOLVED]
    return list(complaint_scope(user).filter(same, status__in=closed).exclude(pk=complaint.pk)
                .select_related("customer", "cause", "product").order_by("-received_at", "-id")[:limit])


def preventive_export_rows(qs: QuerySet[PreventiveMeasure]) -> QuerySet[PreventiveMeasure]:
    return qs


def preventive_export_columns() -> list:
    from django.utils.translation import gettext_lazy

    from qsm.exports import Column

    return [
        Column(gettext_lazy("Complaint"), lambda m: m.complaint.number),
        Column(gettext_lazy("Customer"), lambda m: m.complaint.customer.name),
        Column(gettext_lazy("Preventive measure"), lambda m: m.description),
        Column(gettext_lazy("Owner"), lambda m: str(m.owner)),
        Column(gettext_lazy("Department"), lambda m: m.department.name),
        Column(gettext_lazy("Due date"), lambda m: m.due_date),
        Column(gettext_lazy("Status"), lambda m: m.status, PreventiveMeasure.Status.choices),
        Column(gettext_lazy("Done at"), lambda m: m.done_at),
        Column(gettext_lazy("What was done"), lambda m: m.done_note),
    ]


def register_exports() -> None:
    from django.utils.translation import gettext_lazy

    from qsm.exports import ExportSpec, register_export

    from ..prevention_filters import PreventiveFilter

    register_export(ExportSpec(
        name="complaints.preventive", filterset_class=PreventiveFilter, queryset=preventive_list,
        columns=preventive_export_columns, rows=preventive_export_rows, filename="preventive-measures",
        title=gettext_lazy("Preventive measures")))
