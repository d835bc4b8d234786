"""PRE-1..4 API (API-1): inquiries, each transition its own action, nested discussion records.

Thin: params -> selector -> service -> serializer. Reads go through ``presales.selectors`` (so
another department's inquiry is a 404 everywhere), writes through ``presales.services``;
domain errors become 400/403/409 in ``qsm.api.exceptions``.
"""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from presales import selectors, services
from presales.filters import InquiryFilter
from presales.models import Inquiry
from qsm.api.exceptions import validation_error_detail
from qsm.api.filters import FilterBackend
from qsm.api.mixins import RecordActionsMixin, UserLanguageMixin, cursor_pagination
from qsm.api.records import NESTED, RecordAttachmentsMixin, RecordExportMixin, RecordTimelineMixin
from qsm.api.renderers import XLSXRenderer

from .serializers import (
    AnalyseSerializer,
    AttachmentUploadSerializer,
    CommentSerializer,
    CommunicationCreateSerializer,
    CommunicationSerializer,
    DiscussionNoteCreateSerializer,
    DiscussionNoteSerializer,
    HandOverSerializer,
    InquiryCreateSerializer,
    InquiryDetailSerializer,
    InquirySerializer,
    InquiryUpdateSerializer,
    MarkComplexSerializer,
    OpenDiscussionSerializer,
    ReasonSerializer,
    RespondSerializer,
    SolutionCreateSerializer,
    SolutionMarkSentSerializer,
    SolutionSerializer,
)

SOLUTION_ID = OpenApiParameter("solution_id", OpenApiTypes.INT, OpenApiParameter.PATH)
ATTACHMENT_ID = OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)
XLSX = XLSXRenderer.media_type


def _transition_schema(request, summary: str):
    return extend_schema(request=request, responses=InquiryDetailSerializer, summary=summary)


@extend_schema_view(
    list=extend_schema(summary="List inquiries (scoped to the user; filterable; keyset-paginated)"),
    retrieve=extend_schema(responses=InquiryDetailSerializer),
    create=extend_schema(request=InquiryCreateSerializer, responses={201: InquiryDetailSerializer},
                         summary="Log an inquiry (PRE-1)"),
    partial_update=extend_schema(request=InquiryUpdateSerializer, responses=InquiryDetailSerializer,
                                 summary="Correct intake fields"),
)
@extend_schema(tags=["presales"])
class InquiryViewSet(UserLanguageMixin, RecordActionsMixin, RecordTimelineMixin, RecordAttachmentsMixin,
                     RecordExportMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Inquiry.objects.none()  # for the schema; requests read through the selectors
    serializer_class, detail_serializer_class = InquirySerializer, InquiryDetailSerializer
    # Every action reads the inquiry through the selector: another department's is a 404 (ORG-1).
    record_selector, record_name = staticmethod(selectors.inquiry_get), "inquiry"
    # The list is read by the (-received_at, -id) index; keyset pagination never counts rows.
    pagination_class = cursor_pagination("-received_at", "-id")
    filter_backends = [FilterBackend]
    filterset_class = InquiryFilter
    lookup_value_regex = r"\d+"

    # The input each action reads (the browsable API's forms); outputs are chosen per action below.
    input_serializers = {
        "create": InquiryCreateSerializer, "partial_update": InquiryUpdateSerializer,
        "respond": RespondSerializer, "analyse": AnalyseSerializer, "mark_complex": MarkComplexSerializer,
        "open_discussion": OpenDiscussionSerializer, "hand_over": HandOverSerializer,
        "acknowledge": CommentSerializer, "return_": ReasonSerializer, "close": CommentSerializer,
        "reopen": ReasonSerializer, "cancel": ReasonSerializer, "notes": DiscussionNoteCreateSerializer,
        "solutions": SolutionCreateSerializer, "solution_mark_sent": SolutionMarkSentSerializer,
        "communications": CommunicationCreateSerializer, "attachments": AttachmentUploadSerializer,
    }

    def get_queryset(self):
        return selectors.inquiry_list(user=self.request.user)

    # --- the record ---------------------------------------------------------------------------

    def retrieve(self, request, pk=None):
        # get_object() already read the inquiry with everything the detail shows: no second read
        # (_detail re-reads only after a write changed it).
        return self.record_detail()

    def create(self, request):
        data = self.validated(InquiryCreateSerializer)
        try:
            inquiry = services.inquiry_intake(actor=request.user, **data)
        except services.NewCustomerInvalid as exc:
            raise serializers.ValidationError({"new_customer": validation_error_detail(exc)}) from exc
        return self.detail_response(inquiry, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        inquiry = self.get_object()
        data = self.validated(InquiryUpdateSerializer, partial=True)
        comment = data.pop("comment", "")
        return self.detail_response(services.inquiry_update(inquiry=inquiry, actor=request.user, data=data,
                                                            comment=comment))

    # --- transitions and other steps, one action each -----------------------------------------

    @_transition_schema(RespondSerializer, "Record the first response (PRE-1)")
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        return self.fire(services.inquiry_respond, RespondSerializer)

    @_transition_schema(AnalyseSerializer, "Record the needs analysis and recommendation (PRE-2)")
    @action(detail=True, methods=["post"])
    def analyse(self, request, pk=None):
        return self.fire(services.inquiry_analyse, AnalyseSerializer)

    @_transition_schema(MarkComplexSerializer, "Mark the need complex, or not (PRE-2)")
    @action(detail=True, methods=["post"], url_path="mark-complex")
    def mark_complex(self, request, pk=None):
        return self.fire(services.inquiry_mark_complex, MarkComplexSerializer)

    @_transition_schema(OpenDiscussionSerializer, "Open a cross-department discussion (PRE-3)")
    @action(detail=True, methods=["post"], url_path="open-discussion")
    def open_discussion(self, request, pk=None):
        return self.fire(services.inquiry_open_discussion, OpenDiscussionSerializer)

    @_transition_schema(HandOverSerializer, "Hand over to a business department (PRE-4)")
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request, pk=None):
        return self.fire(services.inquiry_hand_over, HandOverSerializer)

    @_transition_schema(CommentSerializer, "Acknowledge a hand-over (the receiving department)")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self.fire(services.inquiry_acknowledge, CommentSerializer)

    @_transition_schema(ReasonSerializer, "Return a hand-over to the sender, saying why")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self.fire(services.inquiry_return, ReasonSerializer)

    @_transition_schema(CommentSerializer, "Close an answered inquiry")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.fire(services.inquiry_close, CommentSerializer)

    @_transition_schema(ReasonSerializer, "Reopen a closed inquiry, saying why")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self.fire(services.inquiry_reopen, ReasonSerializer)

    @_transition_schema(ReasonSerializer, "Withdraw an inquiry, saying why")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.fire(services.inquiry_cancel, ReasonSerializer)

    # --- nested records -----------------------------------------------------------------------

    @extend_schema(methods=["GET"], responses=DiscussionNoteSerializer(many=True), summary="Discussion notes")
    @extend_schema(methods=["POST"], request=DiscussionNoteCreateSerializer,
                   responses={201: DiscussionNoteSerializer}, summary="Add discussion notes (PRE-3)")
    @action(detail=True, methods=["get", "post"], **NESTED)
    def notes(self, request, pk=None):
        inquiry = self.get_object()
        if request.method == "GET":
            _discussion, _departments, _users, notes = selectors.discussion_detail(inquiry=inquiry)
            return Response(DiscussionNoteSerializer(notes, many=True).data)
        note = services.discussion_note_add(inquiry=inquiry, actor=request.user,
                                            **self.validated(DiscussionNoteCreateSerializer))
        return Response(DiscussionNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=SolutionSerializer(many=True), summary="Tailored solutions, newest first")
    @extend_schema(methods=["POST"], request=SolutionCreateSerializer, responses={201: SolutionSerializer},
                   summary="Record a new version of the tailored solution (PRE-3)")
    @action(detail=True, methods=["get", "post"], **NESTED)
    def solutions(self, request, pk=None):
        inquiry = self.get_object()
        if request.method == "GET":
            return Response(SolutionSerializer(inquiry.solutions.all(), many=True).data)
        solution = services.solution_add(inquiry=inquiry, actor=request.user,
                                         **self.validated(SolutionCreateSerializer))
        return Response(SolutionSerializer(solution).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[SOLUTION_ID], request=SolutionMarkSentSerializer, responses=SolutionSerializer,
                   summary="Record that a solution version was sent to the customer (PRE-3)")
    @action(detail=True, methods=["post"], url_path=r"solutions/(?P<solution_id>\d+)/mark-sent",
            url_name="solution-mark-sent", **NESTED)
    def solution_mark_sent(self, request, pk=None, solution_id=None):
        inquiry = self.get_object()
        solution = get_object_or_404(inquiry.solutions.all(), pk=solution_id)
        solution = services.solution_mark_sent(solution=solution, actor=request.user,
                                               **self.validated(SolutionMarkSentSerializer))
        return Response(SolutionSerializer(solution).data)

    @extend_schema(methods=["GET"], responses=CommunicationSerializer(many=True), summary="Communication log")
    @extend_schema(methods=["POST"], request=CommunicationCreateSerializer, responses={201: CommunicationSerializer},
                   summary="Log a communication with the customer (PRE-4)")
    @action(detail=True, methods=["get", "post"], **NESTED)
    def communications(self, request, pk=None):
        inquiry = self.get_object()
        if request.method == "GET":
            return Response(CommunicationSerializer(inquiry.communications.all(), many=True).data)
        entry = services.communication_add(inquiry=inquiry, actor=request.user,
                                           **self.validated(CommunicationCreateSerializer))
        return Response(CommunicationSerializer(entry).data, status=status.HTTP_201_CREATED)

    # --- what every record endpoint has (qsm.api.records): timeline, attachments, export ---------

    export_name = "presales.inquiries"  # presales.exports

    def attach(self, record, *, upload, description):
        return services.inquiry_attach(inquiry=record, actor=self.request.user, upload=upload, description=description)
