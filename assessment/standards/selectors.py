"""QC-1 reads: every list, page and section reads standards through these, scoped to what the user may
see (assessment/standards/rules.py: every member of staff reads published standards; drafts only their
author, the standard's owner and the quality department)."""
from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from qsm.visibility import visible

from .models import Standard, StandardVersion

V = StandardVersion.Status
LIST_RELATED = ("owner", "current_version")
REVIEW_SOON_DAYS = 30  # "review due": the next review within a month (or past)


def standard_scope(user) -> QuerySet[Standard]:
    return visible(Standard, user)


def standard_list(*, user) -> QuerySet[Standard]:
    """The list page, the endpoint and the export: newest change first (the updated_at index)."""
    return (standard_scope(user).select_related(*LIST_RELATED)
            .prefetch_related(Prefetch("departments", to_attr="loaded_departments"))
            .order_by("-updated_at", "-id"))


def standard_get(*, user, pk) -> Standard:
    """One standard the user may see, else 404."""
    standard = (standard_scope(user).select_related("owner", "current_version", "current_version__approved_by",
                                                    "current_version__author")
                .prefetch_related(Prefetch("departments", to_attr="loaded_departments"))
                .filter(pk=pk).first())
    if standard is None:
        raise Http404("No such standard.")
    return standard


def version_scope(user) -> QuerySet[StandardVersion]:
    return visible(StandardVersion, user)


def version_list(*, user) -> QuerySet[StandardVersion]:
    """The version list endpoint: newest first by id (the primary key's index), scoped."""
    return version_scope(user).select_related("standard", "author").order_by("-id")


def versions_of(standard: Standard, *, user) -> list[StandardVersion]:
    """The standard's versions the user may see, newest first (the history)."""
    return list(version_scope(user).filter(standard=standard).select_related("author", "approved_by")
                .order_by("-version"))


def version_get(*, user, pk) -> StandardVersion:
    version = (version_scope(user).select_related("standard", "standard__owner", "author", "approved_by")
               .filter(pk=pk).first())
    if version is None:
        raise Http404("No such version.")
    return version


def open_version(standard: Standard) -> StandardVersion | None:
    """The revision in progress (draft, review or approved), if any."""
    return standard.versions.filter(status__in=StandardVersion.OPEN_STATES).first()


def applicable_standards(*, module: str, department_ids, limit: int = 20) -> QuerySet[Standard]:
    """QC-1: the standards in force for a module's records of these departments: effective, not
    retired, naming the module, and naming one of the departments or none (every department)."""
    department_ids = [d for d in department_ids if d]
    applies = Q(departments__isnull=True)
    if department_ids:
        applies |= Q(departments__in=department_ids)
    ids = (Standard.objects.filter(retired=False, current_version__isnull=False, modules__contains=[module])
           .filter(applies).values("pk"))
    return (Standard.objects.filter(pk__in=ids).select_related("current_version")
            .order_by("kind", "number")[:limit])


def review_due_condition(today=None) -> Q:
    today = today or timezone.localdate()
    return Q(retired=False, next_review_on__lte=today + timezone.timedelta(days=REVIEW_SOON_DAYS))


def standard_export_columns() -> list:
    from django.utils.translation import gettext_lazy

    from qsm.exports import Column, yes_no

    from ..choices import Module

    modules = dict(Module.choices)
    return [
        Column(gettext_lazy("Number"), lambda s: s.number),
        Column(gettext_lazy("Title"), lambda s: s.title),
        Column(gettext_lazy("Kind"), lambda s: s.kind, Standard.Kind.choices),
        Column(gettext_lazy("Modules"), lambda s: "、".join(str(modules.get(m, m)) for m in s.modules)),
        Column(gettext_lazy("Departments"), lambda s: "、".join(d.name for d in s.loaded_departments)),
        Column(gettext_lazy("Owner"), lambda s: str(s.owner)),
        Column(gettext_lazy("Version in force"), lambda s: s.current_version.version if s.current_version_id else ""),
        Column(gettext_lazy("Effective from"), lambda s: s.current_version.effective_on if s.current_version_id
               else None),
        Column(gettext_lazy("Next review"), lambda s: s.next_review_on),
        Column(gettext_lazy("Retired"), lambda s: s.retired, yes_no()),
        Column(gettext_lazy("Updated"), lambda s: s.updated_at),
    ]

