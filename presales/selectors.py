"""Every read of the pre-sales module, scoped to what the user may see (ORG-1)."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qsm.contacts.selectors import contact_prefetch
from qsm.discussions.selectors import discussion_notes, discussion_of, discussion_prefetch
from qsm.inbox import first_by_deadline, url_of
from qsm.parsing import parse_id
from qsm.registry import HistorySection, InboxItem

from .models import WAITS_ON_HANDOVER_DEPARTMENT, WAITS_ON_OWNER, Channel, Discussion, Inquiry, Priority
from .rules import INQUIRY_VISIBILITY

S = Inquiry.Status


def inquiry_visible(*, user) -> QuerySet[Inquiry]:
    """The inquiries a user may open, from the one declaration in presales.rules (ORG-1)."""
    return INQUIRY_VISIBILITY.filter(Inquiry.objects.all(), user)


def inquiry_list(*, user) -> QuerySet[Inquiry]:
    """The list page and endpoint: scoped, with what each row shows loaded in the same query."""
    return (
        inquiry_visible(user=user)
        .select_related("customer", "owner", "department", "handover_department")
        .order_by("-received_at", "-id")
    )


def inquiry_get(*, user, pk) -> Inquiry:
    """One inquiry with everything its page shows; another department's record is a 404."""
    try:
        return (
            inquiry_visible(user=user)
            .select_related("customer", "owner", "department", "handover_department", "acknowledged_by")
            .prefetch_related(
                "products", "recommended_products",
                discussion_prefetch("discussions"),
                # who is invited: the page lists them and the rules ask it (presales.rules) several times
                "discussions__invited_departments",
                "discussions__invited_users",
                contact_prefetch("communications"),  # the contact log with its people, one query
            )
            .get(pk=parse_id(pk))
        )
    except Inquiry.DoesNotExist:
        raise Http404(_("No such inquiry.")) from None


def discussion_detail(*, inquiry: Inquiry):
    discussion = discussion_of(inquiry)
    if discussion is None:
        return None, [], [], []
    return (discussion, list(discussion.invited_departments.all()), list(discussion.invited_users.all()),
            list(discussion_notes(discussion)))


def inquiry_waiting_on(*, user) -> QuerySet[Inquiry]:
    """INBOX-1: inquiries that wait on this user (to answer) or on their department (to acknowledge),
    and those in discussion that the user or their department was invited to; due first, at most
    the core's cap. PERF-1: each branch is read through its own partial index (presales.models); an
    invitation is a semi-join (EXISTS), so the planner may start from the few open discussions or
    from the invitations, whichever is smaller."""
    department = user.department_id
    # The discussion is matched on its own key columns: through ``inquiry=`` the generic relation
    # would join the inquiry table once more inside each probe.
    discussions = Discussion.objects.filter(content_type=ContentType.objects.get_for_model(Inquiry))

    def invited(**who) -> QuerySet[Inquiry]:
        return Inquiry.objects.filter(status=S.DISCUSSION).filter(
            Exists(discussions.filter(object_id=OuterRef("pk"), **who)))

    # Only the columns "my work" shows: up to 200 rows are built per call.
    shown = Inquiry.objects.select_related("customer").only(
        "number", "subject", "status", "due_at", "received_at", "customer__name")
    return first_by_deadline(shown, [
        Inquiry.objects.filter(owner=user, status__in=WAITS_ON_OWNER),
        Inquiry.objects.filter(handover_department_id=department, status__in=WAITS_ON_HANDOVER_DEPARTMENT)
        if department else None,
        invited(invited_users=user),
        invited(invited_departments=department) if department else None,
    ], order_by=("due_at", "received_at", "pk"))


_WAITING_FOR = {
    S.NEW: gettext_noop("Give the first response"),
    S.ANSWERED: gettext_noop("Analyse needs and hand over"),
    S.DISCUSSION: gettext_noop("Discuss and record a tailored solution"),
    S.HANDED_OVER: gettext_noop("Acknowledge the hand-over"),
    S.ACKNOWLEDGED: gettext_noop("Follow up or convert to an order"),
}


def inquiry_inbox(user) -> list[InboxItem]:
    from django.utils.translation import gettext

    # PERF-1: labels translated once per call, not per row (``get_status_display`` hashes every
    # lazy label of the choices on each call).
    module = gettext("Pre-sales")
    labels = {value: str(label) for value, label in S.choices}
    url = url_of("presales:inquiry-detail")  # the record's get_absolute_url, reversed once
    waiting_for = {status: gettext(text) for status, text in _WAITING_FOR.items()}
    return [
        InboxItem(
            module=module,
            module_code="presales",
            number=i.number,
            title=f"{i.subject} · {i.customer.name}",
            status_label=labels.get(i.status, i.status),
            url=url(i.pk),
            due_at=i.due_at,
            waiting_for=waiting_for.get(i.status, ""),
        )
        for i in inquiry_waiting_on(user=user)
    ]


def inquiry_customer_history(customer, user) -> HistorySection:
    rows = inquiry_visible(user=user).filter(customer=customer).select_related("owner").order_by("-received_at")[:50]
    return HistorySection(
        title=_("Inquiries"),
        columns=[_("Number"), _("Received"), _("Subject"), _("Status"), _("Owner")],
        rows=[
            {"url": i.get_absolute_url(),
             "cells": [i.number, timezone.localtime(i.received_at).strftime("%Y-%m-%d %H:%M"), i.subject,
                       i.get_status_display(), str(i.owner)]}
            for i in rows
        ],
        more_url=reverse("presales:inquiry-list") + f"?customer={customer.pk}",
    )


def inquiry_export_rows(qs: QuerySet[Inquiry]) -> QuerySet[Inquiry]:
    """Only what the export's columns read (PERF-1): the long texts (question, answer, analysis)
    stay in the database, and each row builds small objects. A column that reads a field left
    out here would cost a query per row (tests count the queries at 3 and at 30 rows)."""
    return qs.only(
        "number", "received_at", "channel", "priority", "contact_name", "subject", "status", "is_complex",
        "responded_at", "due_at", "customer", "customer__name", "department", "department__name",
        "handover_department", "handover_department__name", "owner", "owner__display_name", "owner__first_name",
        "owner__last_name", "owner__username")


def inquiry_export_columns() -> list:
    """The columns of the inquiry export (SEARCH-1), shared by the page, the API and the export job.
    Coded columns read the code and declare their labels: translated once per export (PERF-1)."""
    from django.utils.translation import gettext_lazy

    from qsm.exports import Column, yes_no

    return [
        Column(gettext_lazy("Number"), lambda i: i.number),
        Column(gettext_lazy("Received"), lambda i: i.received_at),
        Column(gettext_lazy("Channel"), lambda i: i.channel, Channel.choices),
        Column(gettext_lazy("Priority"), lambda i: i.priority, Priority.choices),
        Column(gettext_lazy("Customer"), lambda i: i.customer.name),
        Column(gettext_lazy("Contact person"), lambda i: i.contact_name),
        Column(gettext_lazy("Subject"), lambda i: i.subject),
        Column(gettext_lazy("Status"), lambda i: i.status, Inquiry.Status.choices),
        Column(gettext_lazy("Complex"), lambda i: i.is_complex, yes_no()),
        Column(gettext_lazy("Department"), lambda i: i.department.name),
        Column(gettext_lazy("Owner"), lambda i: str(i.owner)),
        Column(gettext_lazy("Handed over to"), lambda i: i.handover_department.name if i.handover_department else ""),
        Column(gettext_lazy("First response at"), lambda i: i.responded_at),
        Column(gettext_lazy("Due"), lambda i: i.due_at),
    ]
