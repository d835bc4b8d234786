"""QC-2 API (API-1): inspections (their transitions, one action each), findings (judged one by one,
with evidence), checklists and inspection plans.

Thin: params -> selector -> service -> serializer. Reads go through assessment.inspections.selectors
(another department's inspection or finding is a 404 on every endpoint); domain errors become
400/403/409 in qsm.api.exceptions. Lists are keyset-paginated on an index, never counted.
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
from qsm.api.records import RecordAttachmentsMixin, RecordExportMixin, RecordTimelineMixin
from qsm.api.serializers import ReasonSerializer

from .. import selectors, services
from ..exports import FINDINGS, INSPECTIONS
from ..filters import FindingFilter, InspectionFilter
from ..models import Checklist, Finding, Inspection, InspectionPlan
from ..rules import can_manage_checklists, can_manage_plans
from .serializers import (
    ChecklistCreateSerializer,
    ChecklistDetailSerializer,
    ChecklistSerializer,
    ChecklistUpdateSerializer,
    CompleteSerializer,
    FindingListSerializer,
    InspectionChecklistItemSerializer,
    InspectionDetailSerializer,
    InspectionPlanInputSerializer,
    InspectionPlanSerializer,
    InspectionSerializer,
    ItemInputSerializer,
    ItemUpdateSerializer,
    JudgeSerializer,
)


def inspection_detail(*, user, pk) -> Inspection:
    """The inspection with its samples and their findings (a fixed number of queries)."""
    inspection = selectors.inspection_get(user=user, pk=pk)
    inspection.loaded_samples = selectors.inspection_samples(inspection)
    return inspection


def _transition(request, summary: str):
    return extend_schema(request=request, responses=InspectionDetailSerializer, summary=summary)


@extend_schema_view(
    list=extend_schema(summary="List inspections (scoped; filterable; keyset-paginated) (QC-2, SEARCH-1)"),
    retrieve=extend_schema(responses=InspectionDetailSerializer,
                           summary="One inspection with its sampled records and their findings"),
)
@extend_schema(tags=["quality-inspections"])
class InspectionViewSet(UserLanguageMixin, RecordActionsMixin, RecordTimelineMixin, RecordExportMixin,
                        mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Inspection.objects.none()
    serializer_class, detail_serializer_class = InspectionSerializer, InspectionDetailSerializer
    record_selector, record_name = staticmethod(inspection_detail), "inspection"
    pagination_class = cursor_pagination("-created_at", "-id")
    filter_backends = [FilterBackend]
    filterset_class = InspectionFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "head", "options"]
    input_serializers = {"complete": CompleteSerializer, "cancel": ReasonSerializer}
    export_name = INSPECTIONS

    def get_queryset(self):
        return selectors.inspection_list(user=self.request.user)

    def retrieve(self, request, pk=None):
        return self.record_detail()

    @_transition(None, "Start carrying the inspection out (the inspector or the quality department)")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self.detail_response(services.inspection_start(inspection=self.get_object(), actor=request.user))

    @_transition(CompleteSerializer, "Complete: every item of every sampled record judged; stores the counts")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self.fire(services.inspection_complete, CompleteSerializer)

    @_transition(ReasonSerializer, "Cancel (the quality manager; reason required)")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        inspection = self.get_object()
        reason = self.validated(ReasonSerializer)["comment"]
        return self.detail_response(services.inspection_cancel(inspection=inspection, actor=request.user,
                                                               reason=reason))


@extend_schema_view(
    list=extend_schema(summary="List judged findings (scoped; filter by result, kind, module, department, "
                               "inspection, period; keyset-paginated) (QC-2, SEARCH-1)"),
    retrieve=extend_schema(responses=FindingListSerializer, summary="One finding"),
)
@extend_schema(tags=["quality-inspections"])
class FindingViewSet(UserLanguageMixin, RecordActionsMixin, RecordAttachmentsMixin, RecordExportMixin,
                     mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Finding.objects.none()
    serializer_class, detail_serializer_class = FindingListSerializer, FindingListSerializer
    record_selector, record_name = staticmethod(selectors.finding_get), "finding"
    pagination_class = cursor_pagination("-judged_at", "-id")
    filter_backends = [FilterBackend]
    filterset_class = FindingFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "head", "options"]
    input_serializers = {"judge": JudgeSerializer}
    export_name = FINDINGS

    def get_queryset(self):
        return selectors.finding_list(user=self.request.user).exclude(result=Finding.Result.PENDING)

    def retrieve(self, request, pk=None):
        return self.record_detail()

    @extend_schema(request=JudgeSerializer, responses=FindingListSerializer,
                   summary="Judge the item on the sampled record: pass / fail (comment required) / not applicable")
    @action(detail=True, methods=["post"])
    def judge(self, request, pk=None):
        return self.fire(services.finding_judge, JudgeSerializer)

    def attach(self, record, *, upload, description):
        return services.finding_attach(finding=record, actor=self.request.user, upload=upload,
                                       description=description)


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDenied(message)


@extend_schema(tags=["quality-inspections"])
class ChecklistViewSet(UserLanguageMixin, RecordActionsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Checklist.objects.none()
    serializer_class, detail_serializer_class = ChecklistSerializer, ChecklistDetailSerializer
    record_selector, record_name = staticmethod(selectors.checklist_get), "checklist"
    pagination_class = cursor_pagination("-updated_at", "-id")
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    input_serializers = {"create": ChecklistCreateSerializer, "partial_update": ChecklistUpdateSerializer,
                         "items": ItemInputSerializer, "item": ItemUpdateSerializer}

    def get_queryset(self):
        return selectors.checklist_list(user=self.request.user)

    @extend_schema(responses=ChecklistDetailSerializer, summary="One checklist with its items")
    def retrieve(self, request, pk=None):
        return self.record_detail()

    @extend_schema(request=ChecklistCreateSerializer, responses={201: ChecklistDetailSerializer},
                   summary="A checklist: its items given, or one per line of the standards' effective versions")
    def create(self, request):
        _require(can_manage_checklists(request.user, None), _("Only the quality department makes checklists."))
        data = self.validated(ChecklistCreateSerializer)
        items = data.pop("items", None)
        checklist = services.checklist_create(actor=request.user, items=[dict(i) for i in items] if items is not None
                                              else None, **data)
        return self.detail_response(checklist, status.HTTP_201_CREATED)

    @extend_schema(request=ChecklistUpdateSerializer, responses=ChecklistDetailSerializer,
                   summary="Rename, describe, switch a checklist on or off")
    def partial_update(self, request, pk=None):
        return self.fire(services.checklist_update, ChecklistUpdateSerializer)

    @extend_schema(request=ItemInputSerializer, responses={201: InspectionChecklistItemSerializer}, summary="Add an item")
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None):
        checklist = self.get_object()
        item = services.item_add(checklist=checklist, actor=request.user, **self.validated(ItemInputSerializer))
        return Response(InspectionChecklistItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ItemUpdateSerializer, responses=InspectionChecklistItemSerializer,
                   summary="Change an item (its kind; its text until it is judged; switch it off)")
    @action(detail=True, methods=["patch"], url_path=r"items/(?P<item_pk>\d+)")
    def item(self, request, pk=None, item_pk=None):
        checklist = self.get_object()
        item = selectors.checklist_item_get(user=request.user, checklist=checklist, pk=item_pk)
        item = services.item_update(item=item, actor=request.user, **self.validated(ItemUpdateSerializer))
        return Response(InspectionChecklistItemSerializer(item).data)


@extend_schema(tags=["quality-inspections"])
class InspectionPlanViewSet(UserLanguageMixin, RecordActionsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = InspectionPlan.objects.none()
    serializer_class = detail_serializer_class = InspectionPlanSerializer
    record_selector, record_name = staticmethod(selectors.plan_get), "plan"
    pagination_class = cursor_pagination("next_run_on", "id")
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    input_serializers = {"create": InspectionPlanInputSerializer, "partial_update": InspectionPlanInputSerializer}

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user)

    @extend_schema(responses=InspectionPlanSerializer, summary="One inspection plan")
    def retrieve(self, request, pk=None):
        return self.record_detail()

    @extend_schema(request=InspectionPlanInputSerializer, responses={201: InspectionPlanSerializer},
                   summary="A recurring plan of scheduled inspections (beat makes them) (QC-2)")
    def create(self, request):
        _require(can_manage_plans(request.user, None), _("Only the quality department plans inspections."))
        plan = services.plan_create(actor=request.user, **self.validated(InspectionPlanInputSerializer))
        return self.detail_response(plan, status.HTTP_201_CREATED)

    @extend_schema(request=InspectionPlanInputSerializer, responses=InspectionPlanSerializer,
                   summary="Change an inspection plan (the fields given)")
    def partial_update(self, request, pk=None):
        plan = self.get_object()
        data = self.validated(InspectionPlanInputSerializer, partial=True)
        return self.detail_response(services.plan_update(plan=plan, actor=request.user, **data))


__all__ = ["ChecklistViewSet", "FindingViewSet", "InspectionPlanViewSet", "InspectionViewSet"]
