"""VIS-1/VIS-2 API: follow-up visits at /api/aftersales/visits/, each step its own action.

Thin: params -> selector -> service -> serializer. Reads go through ``aftersales.visit_selectors``
(another department's visit is a 404 everywhere), writes through ``aftersales.services.visits``;
domain errors become 400/403/409 in ``qsm.api.exceptions``.
"""
from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aftersales import visit_selectors as selectors
from aftersales.models import Visit
from aftersales.services import visits as services
from aftersales.visit_filters import VisitFilter
from qsm.api.filters import FilterBackend
from qsm.api.mixins import RecordActionsMixin, UserLanguageMixin, cursor_pagination
from qsm.api.records import NESTED, RecordExportMixin, RecordTimelineMixin
from qsm.api.serializers import ReasonSerializer
from qsm.links.views import qr_token

from .visit_serializers import (
    OpenedCaseSerializer,
    PhoneAttemptCreateSerializer,
    PhoneAttemptSerializer,
    RecheckRequestSerializer,
    RecheckSerializer,
    SendLinkSerializer,
    SentLinkSerializer,
    VisitDetailSerializer,
    VisitRecordSerializer,
    VisitSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="List follow-up visits (scoped to the user; filterable; keyset-paginated)"),
    retrieve=extend_schema(responses=VisitDetailSerializer),
)
@extend_schema(tags=["aftersales"])
class VisitViewSet(UserLanguageMixin, RecordActionsMixin, RecordTimelineMixin, RecordExportMixin,
                   mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Visit.objects.none()  # for the schema; requests read through the selectors
    serializer_class, detail_serializer_class = VisitSerializer, VisitDetailSerializer
    # Every action reads the visit through the selector: another department's is a 404 (ORG-1).
    record_selector, record_name = staticmethod(selectors.visit_get), "visit"
    # The list is read by the (-planned_for, -id) index; keyset pagination never counts rows.
    pagination_class = cursor_pagination("-planned_for", "-id")
    filter_backends = [FilterBackend]
    filterset_class = VisitFilter
    lookup_value_regex = r"\d+"
    export_name = "aftersales.visits"

    input_serializers = {
        "record": VisitRecordSerializer, "attempts": PhoneAttemptCreateSerializer, "send_link": SendLinkSerializer,
        "cancel": ReasonSerializer, "recheck_request": RecheckRequestSerializer, "recheck": RecheckSerializer,
    }

    def get_queryset(self):
        return selectors.visit_list(user=self.request.user)

    def retrieve(self, request, pk=None):
        return self.record_detail()

    @extend_schema(request=VisitRecordSerializer, responses=VisitDetailSerializer,
                   summary="Record a phone visit: answers, satisfaction, comments, the call (VIS-1)")
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        visit = self.get_object()
        params = self.validated(VisitRecordSerializer)
        params["answers"] = {str(a["question"]): a["value"] for a in params.get("answers", [])}
        return self.detail_response(services.visit_record(visit=visit, actor=request.user, **params))

    @extend_schema(methods=["GET"], responses=PhoneAttemptSerializer(many=True), summary="Phone attempts")
    @extend_schema(methods=["POST"], request=PhoneAttemptCreateSerializer, responses={201: PhoneAttemptSerializer},
                   summary="Record a call that was tried (VIS-1)")
    @action(detail=True, methods=["get", "post"], **NESTED)
    def attempts(self, request, pk=None):
        visit = self.get_object()
        if request.method == "GET":
            return Response(PhoneAttemptSerializer(visit.attempts.all(), many=True).data)
        attempt = services.visit_attempt_add(visit=visit, actor=request.user,
                                             **self.validated(PhoneAttemptCreateSerializer))
        return Response(PhoneAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SendLinkSerializer, responses={201: SentLinkSerializer},
                   summary="Issue the survey link (again: the previous one stops working) (VIS-1)")
    @action(detail=True, methods=["post"], url_path="send-link")
    def send_link(self, request, pk=None):
        visit = self.get_object()
        visit, path = services.visit_send_link(visit=visit, actor=request.user, **self.validated(SendLinkSerializer))
        url = request.build_absolute_uri(path)
        visit = selectors.visit_get(user=request.user, pk=visit.pk)
        body = {"url": url, "text": services.survey_message(url),
                "qr_png": request.build_absolute_uri(reverse("links:qr", args=["png"]) + "?u=" + qr_token(path)),
                "expires_at": visit.link.expires_at,
                "visit": visit}
        return Response(SentLinkSerializer(body, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses=VisitDetailSerializer, summary="Cancel the visit, saying why")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.fire(services.visit_cancel, ReasonSerializer)

    @extend_schema(request=RecheckRequestSerializer, responses=VisitDetailSerializer,
                   summary="Mark a phone visit for re-check (quality department, VIS-2)")
    @action(detail=True, methods=["post"], url_path="recheck-request")
    def recheck_request(self, request, pk=None):
        return self.fire(services.visit_recheck_request, RecheckRequestSerializer)

    @extend_schema(request=RecheckSerializer, responses=VisitDetailSerializer,
                   summary="Record the re-check result (quality department, VIS-2)")
    @action(detail=True, methods=["post"])
    def recheck(self, request, pk=None):
        return self.fire(services.visit_recheck_record, RecheckSerializer)

    @extend_schema(request=None, responses={200: OpenedCaseSerializer, 201: OpenedCaseSerializer},
                   summary="Open an after-sales case from a low score (1-2); again: the case already opened")
    @action(detail=True, methods=["post"], url_path="open-case")
    def open_case(self, request, pk=None):
        visit = self.get_object()
        case, created = services.visit_open_case(visit=visit, actor=request.user)
        return Response(OpenedCaseSerializer({"id": case.pk, "number": case.number, "created": created}).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
