"""INBOX-1 / PERF-1: a module's "my work" as the union of its branches, each cut short by its own index.

What waits on a user is a handful of branches (owned by me in these states; my department's records
in that state; a discussion I was invited to; ...). Written as one ``OR``, the database reads and
sorts every open record of the department to show the first 200 (369–389 ms at a million inquiries
for a user whose department has 27,000 open). Here each branch is its own query, ordered by the
deadline and limited to the cap, so a partial index on the branch's states, led by the branch's
equality column and then the sort keys, yields the branch's first rows and stops; the outer query
keeps the first ``limit`` of at most ``limit`` rows per branch. A module declares its branches:

    first_by_deadline(Inquiry.objects.select_related("customer"), [
        Inquiry.objects.filter(owner=user, status__in=[...]),
        Inquiry.objects.filter(handover_department_id=user.department_id, status__in=[...]),
    ], order_by=("due_at", "received_at", "pk"))
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.db.models import QuerySet
from django.urls import reverse

# The most records one module lists on "my work" (the page shows what is due first).
INBOX_LIMIT = 200


def first_by_deadline(records: QuerySet, branches: Iterable[QuerySet | None], *, order_by: Sequence[str],
                      limit: int | None = None) -> QuerySet:
    """The first ``limit`` (default ``INBOX_LIMIT``) of ``records`` that are in any of ``branches``
    (querysets of the same model), in ``order_by``: ``("due_at", ..., "pk")`` puts the overdue first
    and the records without a deadline last (PostgreSQL sorts NULL last in ascending order, as the
    indexes do).

    One query: ``pk IN ((branch 1 LIMIT n) UNION ALL (branch 2 LIMIT n) ...)``. A record in two
    branches is listed once. ``None`` in ``branches`` is skipped (a branch that does not apply to
    this user, e.g. the department's when the user has none). End ``order_by`` with ``pk`` so the
    cut at ``limit`` is the same in each branch and in the union.
    """
    limit = limit or INBOX_LIMIT
    heads = [branch.order_by(*order_by).values("pk")[:limit] for branch in branches if branch is not None]
    if not heads:
        return records.none()
    union = heads[0].union(*heads[1:], all=True) if len(heads) > 1 else heads[0]
    return records.filter(pk__in=union).order_by(*order_by)[:limit]


def url_of(viewname: str) -> Callable[[int], str]:
    """``reverse(viewname, args=[pk])`` for many rows: reversed once around a marker, then filled in.
    A reverse costs as much as building the row, and "my work" lists up to 200 rows per module."""
    marker = "2147483647"
    prefix, _sep, suffix = reverse(viewname, args=[int(marker)]).partition(marker)
    return lambda pk: f"{prefix}{pk}{suffix}"
