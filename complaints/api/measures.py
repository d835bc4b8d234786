"""SEARCH-1 API for complaint measures (CMP-3): ``/api/complaints/measures/`` lists the measures of
approved plans the user may see (filters shared with the page, keyset pages due first, no COUNT),
``/export/`` writes them as CSV or starts an Excel job, ``/{id}/`` reads one (another department's
complaint's measure is a 404). Completing a measure is nested under its complaint
(complaints.api.plans)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from complaints.measure_filters import MeasureFilter
from complaints.models import Measure
from complaints.selectors.work import measure_get, measure_list
from qsm.api.filters import FilterBackend
from qsm.api.mixins import UserLanguageMixin, cursor_pagination
from qsm.api.records import RecordExportMixin, RecordTimelineMixin

from .plan_serializers import ComplaintMeasureListSerializer


@extend_schema_view(
    list=extend_schema(summary="List complaint measures (scoped to the user; filterable; keyset-paginated, due first)"),
    retrieve=extend_schema(summary="One complaint measure"),
)
@extend_schema(tags=["complaints"])
class MeasureViewSet(UserLanguageMixin, RecordTimelineMixin, RecordExportMixin, mixins.ListModelMixin,
                     viewsets.GenericViewSet):
    queryset = Measure.objects.none()  # for the schema; requests read through the selectors
    serializer_class = ComplaintMeasureListSerializer
    # Read by the (due_date, id) index; keyset pagination never counts rows.
    pagination_class = cursor_pagination("due_date", "id")
    filter_backends = [FilterBackend]
    filterset_class = MeasureFilter
    lookup_value_regex = r"\d+"
    export_name = "complaints.measures"

    def get_queryset(self):
        return measure_list(user=self.request.user)

    def get_object(self) -> Measure:
        measure = measure_get(user=self.request.user, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, measure)
        return measure

    def retrieve(self, request, pk=None):
        return Response(ComplaintMeasureListSerializer(self.get_object()).data)
