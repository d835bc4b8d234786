"""CMP-4/CMP-5 API: the customer confirmation actions on /api/complaints/complaints/{id}/…, the case
report, and preventive measures at /api/complaints/preventive-measures/. (Closing unresolved is the
complaint's own action: ``ComplaintViewSet.close_unresolved``.)

Thin: params -> selector (another department's complaint is a 404 for every action) -> service ->
serializer; domain errors become 400/403/409 in ``qsm.api.exceptions``.
"""
from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qsm.api.filters import FilterBackend
from qsm.api.mixins import UserLanguageMixin, cursor_pagination
from qsm.api.records import NESTED, RecordExportMixin
from qsm.api.serializers import ReasonSerializer, SendLinkSerializer
from qsm.links.views import qr_token

from ..models import CaseReport, CustomerAnswer, PreventiveMeasure
from ..pdf import case_report_response
from ..prevention_filters import PreventiveFilter
from ..selectors import complaint_get
from ..selectors.prevention import case_report_of, preventive_get, preventive_list
from ..services import confirmation, reports
from ..services.core import preventive_add, preventive_cancel, preventive_complete
from .confirmation_serializers import (
    ComplaintAnswerInputSerializer,
    ComplaintAnswerSerializer,
    ComplaintCaseReportInputSerializer,
    ComplaintCaseReportSerializer,
    ComplaintIssuedLinkSerializer,
    ComplaintLinksRevokedSerializer,
    ComplaintPreventiveCreateSerializer,
    ComplaintPreventiveDoneSerializer,
    ComplaintPreventiveSerializer,
)


def _params(serializer_class, data):
    params = serializer_class(data=data)
    params.is_valid(raise_exception=True)
    return params.validated_data


@extend_schema(tags=["complaints"])
class ComplaintConfirmationViewSet(UserLanguageMixin, viewsets.GenericViewSet):
    """Actions on one complaint (the complaint's own endpoints are ``ComplaintViewSet``)."""

    queryset = CustomerAnswer.objects.none()  # for the schema; requests read through the selectors
    serializer_class = ComplaintAnswerSerializer
    lookup_value_regex = r"\d+"
    pagination_class = None
    filter_backends = []

    def complaint(self):
        return complaint_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(methods=["GET"], responses=ComplaintAnswerSerializer(many=True),
                   summary="The customer's answers, one per confirmation round (CMP-4)")
    @action(detail=True, methods=["get"], **NESTED)
    def answers(self, request, pk=None):
        complaint = self.complaint()
        rows = CustomerAnswer.objects.filter(complaint=complaint).select_related("recorded_by", "plan").order_by("round")
        return Response(ComplaintAnswerSerializer(rows, many=True).data)

    @extend_schema(request=ComplaintAnswerInputSerializer, responses={201: ComplaintAnswerSerializer},
                   summary="Record the customer's answer given by phone (CMP-4); not satisfied needs objections")
    @action(detail=True, methods=["post"], url_path="record-answer")
    def record_answer(self, request, pk=None):
        answer = confirmation.complaint_answer_record(complaint=self.complaint(), actor=request.user,
                                                      **_params(ComplaintAnswerInputSerializer, request.data))
        return Response(ComplaintAnswerSerializer(answer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SendLinkSerializer, responses={201: ComplaintIssuedLinkSerializer},
                   summary="Issue the signed confirmation link (again: the previous one stops working) (CMP-4)")
    @action(detail=True, methods=["post"], url_path="issue-link")
    def issue_link(self, request, pk=None):
        complaint = self.complaint()
        link, path = confirmation.complaint_link_issue(complaint=complaint, actor=request.user,
                                                       **_params(SendLinkSerializer, request.data))
        url = request.build_absolute_uri(path)
        body = {"url": url, "text": confirmation.confirmation_message(url, complaint),
                "qr_png": request.build_absolute_uri(reverse("links:qr", args=["png"]) + "?u=" + qr_token(path)),
                "expires_at": link.expires_at}
        return Response(ComplaintIssuedLinkSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ComplaintLinksRevokedSerializer, summary="Withdraw the open confirmation links")
    @action(detail=True, methods=["post"], url_path="revoke-link")
    def revoke_link(self, request, pk=None):
        count = confirmation.complaint_link_revoke(complaint=self.complaint(), actor=request.user)
        return Response({"revoked": count})

    @extend_schema(methods=["GET"], responses=ComplaintCaseReportSerializer,
                   summary="The case report (CMP-5); 404 while there is none")
    @extend_schema(methods=["PUT"], request=ComplaintCaseReportInputSerializer, responses=ComplaintCaseReportSerializer,
                   summary="Write the case report (a draft) of a closed complaint (CMP-5)")
    @action(detail=True, methods=["get", "put"], url_path="case-report")
    def case_report(self, request, pk=None):
        complaint = self.complaint()
        if request.method == "GET":
            report = case_report_of(complaint)
            if report is None:
                raise Http404
            return Response(ComplaintCaseReportSerializer(report).data)
        report = reports.case_report_save(complaint=complaint, actor=request.user,
                                          data=_params(ComplaintCaseReportInputSerializer, request.data))
        return Response(ComplaintCaseReportSerializer(report).data)

    @extend_schema(request=ComplaintCaseReportInputSerializer, responses=ComplaintCaseReportSerializer,
                   summary="Save and finalise the case report (then it no longer changes) (CMP-5)")
    @action(detail=True, methods=["post"], url_path="case-report/finalise")
    def case_report_finalise(self, request, pk=None):
        complaint = self.complaint()
        data = _params(ComplaintCaseReportInputSerializer, request.data) if request.data else None
        if data is None:
            report = case_report_of(complaint)
            data = {name: getattr(report, name) for name in reports.REPORT_FIELDS} if report else {}
        report = reports.case_report_save(complaint=complaint, actor=request.user, data=data, finalise=True)
        return Response(ComplaintCaseReportSerializer(report).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="The case report as PDF")},
                   summary="The final case report as a Chinese PDF (CMP-5)")
    @action(detail=True, methods=["get"], url_path="case-report/pdf")
    def case_report_pdf(self, request, pk=None):
        report = case_report_of(self.complaint())
        if report is None or report.status != CaseReport.Status.FINAL:
            raise Http404
        return case_report_response(report)


@extend_schema_view(list=extend_schema(summary="List preventive measures (scoped; filterable; keyset-paginated)"),
                    retrieve=extend_schema(summary="One preventive measure"))
@extend_schema(tags=["complaints"])
class PreventiveMeasureViewSet(UserLanguageMixin, RecordExportMixin, mixins.ListModelMixin,
                               mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = PreventiveMeasure.objects.none()
    serializer_class = ComplaintPreventiveSerializer
    pagination_class = cursor_pagination("-due_date", "-id")
    filter_backends = [FilterBackend]
    filterset_class = PreventiveFilter
    lookup_value_regex = r"\d+"
    export_name = "complaints.preventive"

    def get_queryset(self):
        return preventive_list(user=self.request.user)

    def get_object(self) -> PreventiveMeasure:
        return preventive_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        if self.action == "create":
            return ComplaintPreventiveCreateSerializer
        if self.action == "complete":
            return ComplaintPreventiveDoneSerializer
        if self.action == "cancel":
            return ReasonSerializer
        return ComplaintPreventiveSerializer

    @extend_schema(request=ComplaintPreventiveCreateSerializer, responses={201: ComplaintPreventiveSerializer},
                   summary="Add a preventive measure to a closed complaint (CMP-5)")
    def create(self, request):
        params = dict(_params(ComplaintPreventiveCreateSerializer, request.data))
        complaint = complaint_get(user=request.user, pk=params.pop("complaint"))
        measure = preventive_add(complaint=complaint, actor=request.user, **params)
        return Response(ComplaintPreventiveSerializer(preventive_get(user=request.user, pk=measure.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=ComplaintPreventiveDoneSerializer, responses=ComplaintPreventiveSerializer,
                   summary="Mark a preventive measure done, with what was done (CMP-5)")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        measure = preventive_complete(measure=self.get_object(), actor=request.user,
                                      **_params(ComplaintPreventiveDoneSerializer, request.data))
        return Response(ComplaintPreventiveSerializer(preventive_get(user=request.user, pk=measure.pk)).data)

    @extend_schema(request=ReasonSerializer, responses=ComplaintPreventiveSerializer,
                   summary="Cancel a preventive measure, saying why (investigator or quality department) (CMP-5)")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        measure = preventive_cancel(measure=self.get_object(), actor=request.user,
                                    reason=_params(ReasonSerializer, request.data)["comment"])
        return Response(ComplaintPreventiveSerializer(preventive_get(user=request.user, pk=measure.pk)).data)
