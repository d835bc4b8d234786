"""Every read of follow-up visits, scoped to what the user may see (ORG-1)."""
from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from qsm.parsing import parse_id

from .models import PhoneAttempt, Question, Visit, VisitAnswer
from .rules import VISIT_VISIBILITY


def visit_visible(*, user) -> QuerySet[Visit]:
    return VISIT_VISIBILITY.filter(Visit.objects.all(), user)


def visit_list(*, user) -> QuerySet[Visit]:
    """The list page and endpoint: scoped, with what each row shows loaded in the same query."""
    return (visit_visible(user=user)
            .select_related("customer", "owner", "department", "content_type")
            .order_by("-planned_for", "-id"))


def visit_get(*, user, pk) -> Visit:
    """One visit with everything its page shows; another department's visit is a 404."""
    try:
        return (
            visit_visible(user=user)
            .select_related("customer", "owner", "department", "content_type", "done_by", "link",
                            "questionnaire_version__questionnaire", "recheck_requested_by", "rechecked_by",
                            "follow_up")
            .prefetch_related(
                Prefetch("answers", queryset=VisitAnswer.objects.select_related("question")),
                Prefetch("attempts", queryset=PhoneAttempt.objects.select_related("by")),
                Prefetch("questionnaire_version__questions", queryset=Question.objects.order_by("position", "id")),
            )
            .get(pk=parse_id(pk))
        )
    except Visit.DoesNotExist:
        raise Http404(_("No such visit.")) from None


def visit_export_rows(qs: QuerySet[Visit]) -> QuerySet[Visit]:
    """Only what the export's columns read (PERF-1)."""
    return qs.select_related(None).select_related("customer", "department", "owner").only(
        "number", "reason", "status", "method", "planned_for", "satisfaction", "comments", "suggestions", "done_at",
        "called_at", "call_seconds", "phone_attempts", "recheck_status", "due_at", "customer", "customer__name",
        "department", "department__name", "owner", "owner__display_name", "owner__first_name", "owner__last_name",
        "owner__username")


def visit_export_columns() -> list:
    from django.utils.translation import gettext_lazy

    from qsm.exports import Column
    from qsm.followup.reasons import reasons

    return [
        Column(gettext_lazy("Number"), lambda v: v.number),
        Column(gettext_lazy("Reason"), lambda v: v.reason, list(reasons().items())),
        Column(gettext_lazy("Customer"), lambda v: v.customer.name),
        Column(gettext_lazy("Planned for"), lambda v: v.planned_for),
        Column(gettext_lazy("Status"), lambda v: v.status, Visit.Status.choices),
        Column(gettext_lazy("Method"), lambda v: v.method, Visit.Method.choices),
        Column(gettext_lazy("Satisfaction"), lambda v: v.satisfaction),
        Column(gettext_lazy("Comments"), lambda v: v.comments),
        Column(gettext_lazy("Suggestions"), lambda v: v.suggestions),
        Column(gettext_lazy("Done at"), lambda v: v.done_at),
        Column(gettext_lazy("Call started at"), lambda v: v.called_at),
        Column(gettext_lazy("Call duration (seconds)"), lambda v: v.call_seconds),
        Column(gettext_lazy("Failed calls"), lambda v: v.phone_attempts),
        Column(gettext_lazy("Re-check"), lambda v: v.recheck_status, Visit.Recheck.choices),
        Column(gettext_lazy("Department"), lambda v: v.department.name),
        Column(gettext_lazy("Owner"), lambda v: str(v.owner) if v.owner_id else ""),
        Column(gettext_lazy("Due"), lambda v: v.due_at),
    ]


def register_exports() -> None:
    from django.utils.translation import gettext_lazy

    from qsm.exports import ExportSpec, register_export

    from .visit_filters import VisitFilter

    register_export(ExportSpec(
        name="aftersales.visits", filterset_class=VisitFilter, queryset=visit_list, columns=visit_export_columns,
        rows=visit_export_rows, filename="visits", title=gettext_lazy("Follow-up visits")))
