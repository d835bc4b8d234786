"""Behaviour every QSM API view shares."""
from __future__ import annotations

from django.utils import translation
from rest_framework.pagination import CursorPagination as _DrfCursor

from .pagination import CursorPagination


class UserLanguageMixin:
    """Answer in the user's language (labels, messages), also for token clients.

    ``qsm.org.middleware.UserLanguageMiddleware`` does this for session users only: a token is
    read by DRF after the middleware has run.
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        user = request.user
        if user is not None and user.is_authenticated and getattr(user, "language", ""):
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()


def cursor_pagination(*ordering: str, page_size: int | None = None) -> type[_DrfCursor]:
    """A keyset paginator ordered by ``ordering``, which must match an index of the table.

    The first field is the cursor's position; ties are resolved by DRF's offset within the
    position, so the order stays stable without ever counting rows.
    """
    attrs = {"ordering": tuple(ordering)}
    if page_size:
        attrs["page_size"] = page_size
    return type("CursorPagination_" + "_".join(o.strip("-") for o in ordering), (CursorPagination,), attrs)
