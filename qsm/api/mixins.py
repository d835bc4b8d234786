"""Behaviour every QSM API view shares."""
from __future__ import annotations

from django.http import Http404
from django.utils import translation
from rest_framework import status
from rest_framework.pagination import CursorPagination as _DrfCursor
from rest_framework.response import Response

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


class RecordActionsMixin:
    """A record viewset's actions declared once: read the record through the module's selector
    (another department's record is a 404 on every action), validate the action's input, call one
    service, answer with the record's detail. A viewset declares::

        record_selector, record_name = staticmethod(case_get), "case"
        detail_serializer_class = CaseDetailSerializer
        input_serializers = {"resolve": CommentSerializer, ...}  # the browsable API's forms

        def retrieve(self, request, pk=None):
            return self.record_detail()

        @action(detail=True, methods=["post"])
        def resolve(self, request, pk=None):
            return self.fire(services.case_resolve, CommentSerializer)

    Domain errors become 400/403/409 in ``qsm.api.exceptions``.
    """

    record_selector = None  # staticmethod: (user=, pk=) -> the record with what the detail shows, or Http404
    record_name = "record"  # the keyword the module's services take the record under
    detail_serializer_class = None
    input_serializers: dict = {}

    def get_serializer_class(self):
        if self.request is not None and self.request.method not in ("GET", "HEAD", "OPTIONS"):
            return self.input_serializers.get(self.action, self.serializer_class)
        return self.serializer_class

    def get_object(self):
        record = self.record_selector(user=self.request.user, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, record)
        return record

    def detail_record(self, pk):
        """The record with everything its detail shows (``record_selector`` unless a viewset reads more)."""
        return self.record_selector(user=self.request.user, pk=pk)

    def record_detail(self) -> Response:
        """``retrieve``: the record read once with everything its detail shows; 404 outside the scope."""
        record = self.detail_record(self.kwargs["pk"])
        self.check_object_permissions(self.request, record)
        return self.detail_response(record, reread=False)

    def detail_response(self, record, code: int = status.HTTP_200_OK, *, reread: bool = True) -> Response:
        """The record's detail; after a write (``reread``) read again with everything it shows."""
        if reread:
            try:
                record = self.detail_record(record.pk)
            except Http404:  # the action took the record out of the user's sight: show what they did
                pass
        return Response(self.detail_serializer_class(record, context=self.get_serializer_context()).data, status=code)

    def validated(self, params_class, **kwargs) -> dict:
        """The request's input through ``params_class``: a 400 with the fields' errors, else a dict."""
        params = params_class(data=self.request.data, **kwargs)
        params.is_valid(raise_exception=True)
        return dict(params.validated_data)

    def fire(self, service, params_class) -> Response:
        """``service(<record_name>=record, actor=user, **input)``, then the record's detail."""
        record = self.get_object()  # 404 before anything else
        return self.detail_response(service(**{self.record_name: record}, actor=self.request.user,
                                            **self.validated(params_class)))
