"""What every record endpoint has, declared once: the audit trail, attachments and the export.

A domain viewset mixes these in and declares the little that differs::

    class OrderViewSet(RecordTimelineMixin, RecordAttachmentsMixin, RecordExportMixin, ..., GenericViewSet):
        export_name = "orders.orders"  # registered by the module (qsm.exports.registry)
        def attach(self, record, *, upload, description): return services.order_attach(...)
        def timeline_children(self, record): return [*record.deliveries.all()]

``get_object()`` of the viewset applies the user's visibility (another department's record is a
404 on every one of these actions), and writes go through the declared service.
"""
from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from qsm.errors import ValidationError as DjangoValidationError
from qsm.exports import export_csv, export_spec
from qsm.exports.api.serializers import ExportJobSerializer
from qsm.workflow.selectors import attachment_list, timeline

from .renderers import EXPORT_FORMATS, CSVRenderer, JSONRenderer, XLSXRenderer
from .serializers import AttachmentSerializer, AttachmentUploadSerializer, TimelineEntrySerializer

NESTED = {"pagination_class": None, "filter_backends": []}  # a record's own lines: short, unpaginated
ATTACHMENT_ID = OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)
XLSX = XLSXRenderer.media_type


class RecordTimelineMixin:
    """WF-2: ``GET .../{id}/timeline/``: the record's events, oldest first."""

    def timeline_entries(self, record) -> list:
        return timeline(record)

    @extend_schema(responses=TimelineEntrySerializer(many=True), summary="Audit trail, oldest first (WF-2)")
    @action(detail=True, methods=["get"], **NESTED)
    def timeline(self, request, pk=None):
        return Response(TimelineEntrySerializer(self.timeline_entries(self.get_object()), many=True).data)


class RecordAttachmentsMixin:
    """WF-3: list, upload (through the module's service) and download a record's files."""

    def attach(self, record, *, upload, description: str):  # pragma: no cover - declared by each viewset
        raise NotImplementedError("a record viewset with attachments declares attach()")

    @extend_schema(methods=["GET"], responses=AttachmentSerializer(many=True), summary="Attachments (WF-3)")
    @extend_schema(methods=["POST"], request={"multipart/form-data": AttachmentUploadSerializer},
                   responses={201: AttachmentSerializer}, summary="Attach a file (WF-3; size and type limits)")
    @action(detail=True, methods=["get", "post"], **NESTED)
    def attachments(self, request, pk=None):
        record = self.get_object()
        if request.method == "GET":
            return Response(AttachmentSerializer(attachment_list(record), many=True).data)
        params = AttachmentUploadSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        attachment = self.attach(record, upload=params.validated_data["file"],
                                 description=params.validated_data["description"])
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ATTACHMENT_ID], responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
                   summary="Download an attachment")
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)/download",
            url_name="attachment-download", **NESTED)
    def attachment_download(self, request, pk=None, attachment_id=None):
        attachment = get_object_or_404(attachment_list(self.get_object()), pk=attachment_id)
        return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.mime_type or "application/octet-stream")


class RecordExportMixin:
    """SEARCH-1 / PERF-1: ``GET .../export/?format=csv|xlsx`` exports the filtered list (same filters
    and scope as the list). CSV streams from the first row; xlsx answers 202 with an export job
    (``/api/exports/{id}/``: poll it, then fetch its ``download_url``)."""

    export_name = ""  # the module's registered export (qsm.exports.registry), e.g. "orders.orders"

    @extend_schema(
        filters=True,
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=list(EXPORT_FORMATS), default="csv")],
        responses={(200, "text/csv"): OpenApiTypes.BINARY, (202, "application/json"): ExportJobSerializer},
        summary="Export the filtered list: CSV streamed, or an Excel export job (SEARCH-1, PERF-1)",
    )
    @action(detail=False, methods=["get"], pagination_class=None,
            renderer_classes=[JSONRenderer, CSVRenderer, XLSXRenderer])
    def export(self, request):
        from qsm.exports.services import export_job_create

        fmt = request.query_params.get("format", "csv")
        if fmt not in EXPORT_FORMATS:
            raise serializers.ValidationError(
                {"format": [_("Choose one of: %(formats)s.") % {"formats": ", ".join(EXPORT_FORMATS)}]})
        spec = export_spec(self.export_name)
        try:
            if fmt == "xlsx":
                job = export_job_create(owner=request.user, export=spec.name, query=request.query_params)
                data = ExportJobSerializer(job, context=self.get_serializer_context()).data
                return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})
            rows = spec.filtered(user=request.user, query=request.query_params)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}) from None
        return export_csv(rows, spec.columns(), spec.filename)

    def perform_content_negotiation(self, request, force=False):
        # ?format=pdf on the export must reach the view (a 400 naming the formats), not a 404.
        return super().perform_content_negotiation(request, force=force or self.action == "export")

    def finalize_response(self, request, response, *args, **kwargs):
        if self.action == "export" and isinstance(response, Response):  # an error: always JSON
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
