"""QC-2 API: POST /api/quality/spot-checks/ draws a random spot check (不定期抽查).

Thin: input serializer -> ``spot_checks.create_spot_check`` -> the inspection with its sample.
Not the quality department: 403; bad input: 400 with field errors, nothing created. The
inspection is then read and carried out through the inspections endpoints.
"""
from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from qsm import sampling
from qsm.api.fields import enum_field
from qsm.api.mixins import UserLanguageMixin
from qsm.errors import PermissionDenied
from qsm.org.models import Department, User

from ...choices import Module
from .. import spot_checks
from ..models import MAX_SAMPLE_SIZE, Checklist, InspectedRecord, Inspection
from ..rules import can_draw_spot_check


class SpotCheckCreateSerializer(serializers.Serializer):
    module = enum_field("QualityModule", Module)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.filter(is_active=True))
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text="Inclusive.")
    sample_size = serializers.IntegerField(min_value=1, max_value=MAX_SAMPLE_SIZE)
    checklist = serializers.PrimaryKeyRelatedField(queryset=Checklist.objects.filter(active=True),
                                                   help_text="An active checklist of the module.")
    recheck_only = serializers.BooleanField(default=False, help_text="Visits only: the phone visits marked for "
                                                                     "re-check (VIS-2).")
    inspector = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                                   allow_null=True, help_text="Default: the caller.")
    due_on = serializers.DateField(required=False, allow_null=True)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    seed = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2 ** 63 - 1,
                                    help_text="Default: a new random seed (stored; the same seed draws the same "
                                              "records).")


class SpotCheckSampleSerializer(serializers.ModelSerializer):
    record_type = serializers.SerializerMethodField()

    class Meta:
        model = InspectedRecord
        fields = ["id", "position", "record_type", "object_id", "number", "title", "url"]

    def get_record_type(self, sample) -> str:
        return sample.content_type.model


class SpotCheckSerializer(serializers.ModelSerializer):
    kind = enum_field("InspectionKind", Inspection.Kind, read_only=True)
    status = enum_field("InspectionStatus", Inspection.Status, read_only=True)
    module = enum_field("QualityModule", Module, read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    inspector_name = serializers.CharField(source="inspector.get_full_name", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    drawn = serializers.SerializerMethodField()
    candidates = serializers.SerializerMethodField(help_text="How many records the sample was drawn from.")
    samples = SpotCheckSampleSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "number", "kind", "status", "title", "module", "department", "department_name",
                  "checklist", "period_start", "period_end", "sample_size", "seed", "recheck_only", "inspector",
                  "inspector_name", "due_on", "url", "drawn", "candidates", "samples"]
        read_only_fields = fields

    def get_drawn(self, inspection) -> int:
        return inspection.draw.drawn

    def get_candidates(self, inspection) -> int:
        return inspection.draw.available


@extend_schema(tags=["quality"])
class SpotCheckViewSet(UserLanguageMixin, viewsets.GenericViewSet):
    queryset = Inspection.objects.none()  # for the schema; this endpoint only creates
    serializer_class = SpotCheckSerializer

    @extend_schema(request=SpotCheckCreateSerializer, responses={201: SpotCheckSerializer},
                   summary="Draw a random spot check (QC-2): a reproducible sample of one module's records of a "
                           "department and period")
    def create(self, request):
        if not can_draw_spot_check(request.user):
            raise PermissionDenied(_("Only the quality department draws spot checks."))
        given = SpotCheckCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        if data.get("module") not in {p.code for p in sampling.populations()}:
            raise serializers.ValidationError({"module": [_("Choose one of the modules that can be sampled.")]})
        created = spot_checks.create_spot_check(request.user, **data)
        inspection = (Inspection.objects.select_related("department", "inspector")
                      .prefetch_related(Prefetch("samples", InspectedRecord.objects.select_related("content_type")
                                                 .order_by("position")))
                      .get(pk=created.pk))
        inspection.draw = created.draw
        return Response(SpotCheckSerializer(inspection).data, status=status.HTTP_201_CREATED)
