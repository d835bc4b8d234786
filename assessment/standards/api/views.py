"""QC-1 API (API-1): standards and their versions, each transition its own action.

Thin: params -> selector -> service -> serializer. Another person's draft, like a standard not yet in
force that the user may not see, is a 404 on every endpoint; domain errors become 400/403/409 with a
``code`` (``qsm.api.exceptions``).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qsm.api.filters import FilterBackend
from qsm.api.mixins import RecordActionsMixin, UserLanguageMixin, cursor_pagination
from qsm.api.records import NESTED, RecordExportMixin, RecordTimelineMixin
from qsm.api.serializers import CommentSerializer, ReasonSerializer

from .. import services
from ..filters import StandardFilter, StandardVersionFilter
from ..models import Standard, StandardVersion
from ..rules import can_create_standard
from ..selectors import standard_get, standard_list, version_get, version_list, versions_of
from .serializers import (
    StandardCardSerializer,
    StandardCreateSerializer,
    StandardDetailSerializer,
    StandardSerializer,
    StandardVersionBriefSerializer,
    StandardVersionRowSerializer,
    StandardVersionSerializer,
    VersionFieldsSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="List service standards (every signed-in user reads those in force; filterable; "
                               "keyset-paginated)"),
    retrieve=extend_schema(responses=StandardDetailSerializer, summary="One standard with its versions (QC-1)"),
    create=extend_schema(request=StandardCreateSerializer, responses={201: StandardDetailSerializer},
                         summary="Create a standard with version 1 as a draft (quality department, managers)"),
    partial_update=extend_schema(request=StandardCardSerializer, responses=StandardDetailSerializer,
                                 summary="Change the standard's card: title, kind, modules, departments, owner"),
)
@extend_schema(tags=["quality-standards"])
class StandardViewSet(UserLanguageMixin, RecordActionsMixin, RecordTimelineMixin, RecordExportMixin,
                      mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Standard.objects.none()  # for the schema; requests read through the selectors
    serializer_class, detail_serializer_class = StandardSerializer, StandardDetailSerializer
    record_selector, record_name = staticmethod(standard_get), "standard"
    pagination_class = cursor_pagination("-updated_at", "-id")  # the (-updated_at, -id) index
    filter_backends = [FilterBackend]
    filterset_class = StandardFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    input_serializers = {"create": StandardCreateSerializer, "partial_update": StandardCardSerializer,
                         "revise": CommentSerializer}
    export_name = "assessment.standards"

    def get_queryset(self):
        return standard_list(user=self.request.user)

    def retrieve(self, request, pk=None):
        return self.record_detail()

    def create(self, request):
        if not can_create_standard(request.user):
            raise PermissionDenied(_("You are not allowed to create service standards."))
        data = self.validated(StandardCreateSerializer)
        standard = services.standard_create(actor=request.user, **data)
        return self.detail_response(standard, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        standard = self.get_object()
        given = self.validated(StandardCardSerializer, partial=True)
        # A PATCH: what is not given stays as it is.
        data = {"title": standard.title, "kind": standard.kind, "owner": standard.owner, "modules": standard.modules,
                "departments": list(standard.loaded_departments), **given}
        return self.detail_response(services.standard_update(standard=standard, actor=request.user, **data))

    @extend_schema(request=None, responses={201: StandardVersionSerializer},
                   summary="Start the next revision: a draft copied from the newest version (409 when one is open)")
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        version = services.version_revise(standard=self.get_object(), actor=request.user)
        return Response(StandardVersionSerializer(version_get(user=request.user, pk=version.pk),
                                                  context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses=StandardVersionBriefSerializer(many=True),
                   summary="The versions the user may see, newest first (superseded ones stay readable)")
    @action(detail=True, methods=["get"], **NESTED)
    def versions(self, request, pk=None):
        standard = self.get_object()
        return Response(StandardVersionBriefSerializer(versions_of(standard, user=request.user), many=True).data)


def _transition(request, summary: str):
    return extend_schema(request=request, responses=StandardVersionSerializer, summary=summary)


@extend_schema_view(
    list=extend_schema(summary="List standard versions the user may see (status=review: awaiting approval); "
                               "filterable; keyset-paginated"),
    retrieve=extend_schema(responses=StandardVersionSerializer, summary="One version of a standard with its text"),
    partial_update=extend_schema(request=VersionFieldsSerializer, responses=StandardVersionSerializer,
                                 summary="Change a draft's text and dates (author, owner, quality department)"),
)
@extend_schema(tags=["quality-standards"])
class StandardVersionViewSet(UserLanguageMixin, RecordActionsMixin, RecordTimelineMixin, mixins.ListModelMixin,
                             viewsets.GenericViewSet):
    queryset = StandardVersion.objects.none()
    serializer_class, detail_serializer_class = StandardVersionRowSerializer, StandardVersionSerializer
    pagination_class = cursor_pagination("-id")
    filter_backends = [FilterBackend]
    filterset_class = StandardVersionFilter
    record_selector, record_name = staticmethod(version_get), "version"
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    input_serializers = {"partial_update": VersionFieldsSerializer, "submit": CommentSerializer,
                         "approve": CommentSerializer, "return_": ReasonSerializer, "withdraw": CommentSerializer}

    def get_queryset(self):
        return version_list(user=self.request.user)

    def retrieve(self, request, pk=None):
        return self.record_detail()

    def partial_update(self, request, pk=None):
        version = self.get_object()
        data = self.validated(VersionFieldsSerializer)
        return self.detail_response(services.version_update(version=version, actor=request.user, **data))

    def _fire(self, action_name: str, params_class):
        version = self.get_object()
        comment = self.validated(params_class).get("comment", "")
        return self.detail_response(services.version_fire(version=version, actor=self.request.user,
                                                          action=action_name, comment=comment))

    @_transition(CommentSerializer, "Submit the draft for the quality manager's review")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._fire("submit", CommentSerializer)

    @_transition(CommentSerializer, "Approve (quality manager, never the author; effective and review dates set); "
                                    "takes effect at once when its date has come")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._fire("approve", CommentSerializer)

    @_transition(ReasonSerializer, "Return the revision to its author (quality manager; reason required)")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._fire("return", ReasonSerializer)

    @_transition(CommentSerializer, "Withdraw a draft")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._fire("withdraw", CommentSerializer)
