"""QC-3 reads: notices and plans scoped by who may see them (another department's notice is a 404),
with what their pages and lists show loaded in a fixed number of queries."""
from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from qsm.parsing import parse_id

from .models import Notice, RectificationMeasure, RectificationPlan
from .rules import NOTICE_VISIBILITY, PLAN_VISIBILITY

LIST_RELATED = ("department", "issued_by")
DETAIL_RELATED = ("department", "issued_by", "completed_by", "verified_by", "finding__item", "inspection",
                  "content_type")


def notice_scope(user) -> QuerySet[Notice]:
    return NOTICE_VISIBILITY.filter(Notice.objects.all(), user)


def plan_scope(user) -> QuerySet[RectificationPlan]:
    return PLAN_VISIBILITY.filter(RectificationPlan.objects.all(), user)


def notice_list(*, user) -> QuerySet[Notice]:
    """The list page, the endpoint and the export: scoped, newest first (the issued_at index)."""
    return notice_scope(user).select_related(*LIST_RELATED).order_by("-issued_at", "-id")


def notice_get(*, user, pk) -> Notice:
    """One notice with what its page shows; one the user may not see is a 404."""
    try:
        return notice_scope(user).select_related(*DETAIL_RELATED).get(pk=parse_id(pk))
    except Notice.DoesNotExist:
        raise Http404(_("No such rectification notice.")) from None


def _measures():
    return Prefetch("measures", queryset=RectificationMeasure.objects.select_related("owner").order_by("position"))


def plans_of(notice: Notice) -> list[RectificationPlan]:
    """Every plan version of the notice, newest first, with measures, author and decider."""
    plans = list(notice.plans.select_related("author", "decided_by").prefetch_related(_measures())
                 .order_by("-version"))
    for plan in plans:
        plan.notice = notice
    return plans


def notice_timeline(notice: Notice, plans: list[RectificationPlan]) -> list:
    """WF-2: the notice's story with its plan versions' lines (drafted or revised, submitted, approved,
    rejected with the reason, withdrawn), each naming its version; one read of the events whatever
    their number."""
    from qsm.workflow.selectors import timeline

    return timeline(notice, children=[(plan, _("Rectification plan v%(version)s") % {"version": plan.version})
                                      for plan in plans])


def plan_get(*, user, pk) -> RectificationPlan:
    """One plan (through its notice's visibility); another department's is a 404."""
    try:
        plan = (plan_scope(user).select_related("notice__department", "author", "decided_by")
                .prefetch_related(_measures()).get(pk=parse_id(pk)))
    except RectificationPlan.DoesNotExist:
        raise Http404(_("No such rectification plan.")) from None
    return plan


def plan_of(*, notice: Notice, pk) -> RectificationPlan:
    try:
        plan = notice.plans.select_related("author", "decided_by").prefetch_related(_measures()).get(pk=parse_id(pk))
    except RectificationPlan.DoesNotExist:
        raise Http404(_("No such rectification plan.")) from None
    plan.notice = notice
    return plan


def evidence_of(notice: Notice):
    return list(notice.attachments.select_related("uploaded_by").order_by("-id"))


def is_overdue(notice: Notice) -> bool:
    return notice.status in ("issued", "rectifying") and notice.deadline < timezone.localdate()


def open_notice_of(record, *, user) -> Notice | None:
    """QC-3: the open notice of an inspected record (its page shows it), if the user may see it."""
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(record)
    return (notice_scope(user).filter(content_type=ct, object_id=record.pk, status__in=Notice.OPEN_STATES)
            .select_related("department").order_by("-issued_at", "-id").first())


def notice_export_rows(qs: QuerySet[Notice]) -> QuerySet[Notice]:
    return qs.select_related(*LIST_RELATED)
