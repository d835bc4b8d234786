"""The exports modules declare (DESIGN.md: the core imports no domain app).

A module registers each export in its ``AppConfig.ready``::

    register_export(ExportSpec(
        name="presales.inquiries", filterset_class=InquiryFilter, queryset=inquiry_list,
        columns=inquiry_export_columns, filename="inquiries", title=gettext_lazy("Inquiries")))

The page, the API and the Celery worker all read the rows through ``ExportSpec.filtered``: the
module's list selector for the user (their visibility scope) under the list's filter set.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from qsm.errors import ValidationError
from qsm.parsing import LONE_SURROGATE

MAX_QUERY_LENGTH = 4000  # a stored filter; a real one is a few hundred characters


@dataclass(frozen=True)
class ExportSpec:
    name: str  # "presales.inquiries": what an export job stores
    filterset_class: type  # the list's FilterSet, shared by the page, the API and the export
    queryset: Callable[..., QuerySet]  # ``queryset(user=...)``: the list selector (the user's scope)
    columns: Callable[[], list]  # the columns (qsm.exports.formats.Column), in the order written
    rows: Callable[[QuerySet], QuerySet] | None = None  # what the columns need besides the list's own
    filename: str = "export"
    title: Any = ""

    def _filterset(self, *, user, query: QueryDict):
        return self.filterset_class(data=query or None, queryset=self.queryset(user=user))

    def filtered(self, *, user, query: QueryDict) -> QuerySet:
        """The rows to export for ``user`` with the filters of ``query``; a filter that does not
        validate is a ValidationError (the caller answers 400), not an export of everything."""
        filterset = self._filterset(user=user, query=query)
        if filterset.is_bound and not filterset.is_valid():
            raise ValidationError(filterset.form.errors.as_data())
        qs = filterset.qs
        return self.rows(qs) if self.rows is not None else qs

    def stored_query(self, query: QueryDict) -> str:
        """The filters of ``query`` as a query string to store on a job: only the filter set's own
        parameters (not the page's cursor or format), percent-encoded (no NUL reaches the column)."""
        kept = QueryDict(mutable=True)
        for name in self.filterset_class.base_filters:
            values = [LONE_SURROGATE.sub("\ufffd", v) for v in query.getlist(name)]
            if values:
                kept.setlist(name, values)
        text = kept.urlencode()
        if len(text) > MAX_QUERY_LENGTH:
            raise ValidationError({"__all__": [_("The filters are too long to export.")]}, code="too_long")
        return text


_exports: dict[str, ExportSpec] = {}


def register_export(spec: ExportSpec) -> ExportSpec:
    _exports[spec.name] = spec
    return spec


def export_spec(name: str) -> ExportSpec:
    """The registered export; an unknown name is a LookupError (a job of a module since removed)."""
    try:
        return _exports[name]
    except KeyError:
        raise LookupError(f"no export registered as {name!r}") from None


def export_names() -> list[str]:
    return sorted(_exports)
