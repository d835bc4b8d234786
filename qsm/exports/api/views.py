"""PERF-1 API: my export jobs (``GET /api/exports/{id}/``: state and progress) and their files."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action

from qsm.api.mixins import UserLanguageMixin, cursor_pagination

from ..formats import XLSX_CONTENT_TYPE
from ..models import ExportJob
from ..selectors import export_job_get, export_job_list
from ..views import export_job_file_response
from .serializers import ExportJobSerializer


@extend_schema_view(
    list=extend_schema(summary="List my export jobs, newest first"),
    retrieve=extend_schema(summary="An export job: its state, progress and, when done, the download URL"),
)
@extend_schema(tags=["exports"])
class ExportJobViewSet(UserLanguageMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = ExportJob.objects.none()
    serializer_class = ExportJobSerializer
    pagination_class = cursor_pagination("-created_at", "-id")  # the (owner, -created_at) index
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return export_job_list(user=self.request.user)

    def get_object(self) -> ExportJob:
        """Another person's job is a 404."""
        return export_job_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY},
                   summary="Download the file of a finished export job (404 before it is done or once expired)")
    @action(detail=True, methods=["get"], pagination_class=None)
    def download(self, request, pk=None):
        return export_job_file_response(self.get_object())
