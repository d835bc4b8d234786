"""QC-5 API (API-1): training plans and sessions, each action its own endpoint; a person's record.

Thin: params -> selector -> service -> serializer. Reads go through training.selectors (another
department's plan or session is a 404), writes through the services; domain errors become
400/403/409 (``qsm.api.exceptions``).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from qsm.api.filters import FilterBackend
from qsm.api.mixins import RecordActionsMixin, UserLanguageMixin, cursor_pagination
from qsm.api.records import NESTED, XLSX, RecordExportMixin, RecordTimelineMixin
from qsm.api.serializers import ReasonSerializer

from .. import excel, selectors, services
from ..exports import PLAN_EXPORT, SESSION_EXPORT
from ..filters import TrainingPlanFilter, TrainingSessionFilter
from ..models import TrainingPlan, TrainingSession
from ..rules import can_create_training_plan, can_run_session
from ..services import AttendanceRow
from .serializers import (
    AttendanceInputSerializer,
    AttendeesSerializer,
    CompletionSerializer,
    PersonRecordSerializer,
    ScoreImportSerializer,
    TrainingPlanCreateSerializer,
    TrainingPlanDetailSerializer,
    TrainingPlanSerializer,
    TrainingPlanUpdateSerializer,
    TrainingSessionCreateSerializer,
    TrainingSessionDetailSerializer,
    TrainingSessionSerializer,
    TrainingSessionUpdateSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="List training plans (scoped; filterable; keyset-paginated) (QC-5)"),
    retrieve=extend_schema(responses=TrainingPlanDetailSerializer, summary="One training plan"),
    create=extend_schema(request=TrainingPlanCreateSerializer, responses={201: TrainingPlanDetailSerializer},
                         summary="Plan training for a department and period (quality dept; managers: own)"),
    partial_update=extend_schema(request=TrainingPlanUpdateSerializer, responses=TrainingPlanDetailSerializer,
                                 summary="Correct a plan that is not closed"),
)
@extend_schema(tags=["quality-training"])
class TrainingPlanViewSet(UserLanguageMixin, RecordActionsMixin, RecordTimelineMixin, RecordExportMixin,
                          mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = TrainingPlan.objects.none()
    serializer_class, detail_serializer_class = TrainingPlanSerializer, TrainingPlanDetailSerializer
    record_selector, record_name = staticmethod(selectors.plan_get), "plan"
    pagination_class = cursor_pagination("-period_start", "-id")
    filter_backends = [FilterBackend]
    filterset_class = TrainingPlanFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    export_name = PLAN_EXPORT
    input_serializers = {"create": TrainingPlanCreateSerializer, "partial_update": TrainingPlanUpdateSerializer}

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user)

    def retrieve(self, request, pk=None):
        return self.record_detail()

    def create(self, request):
        if not can_create_training_plan(request.user):
            raise PermissionDenied(_("You may plan training for your own department only."))
        plan = services.plan_create(actor=request.user, **self.validated(TrainingPlanCreateSerializer))
        return self.detail_response(plan, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        plan = self.get_object()
        data = self.validated(TrainingPlanUpdateSerializer, partial=True)
        return self.detail_response(services.plan_update(plan=plan, actor=request.user, **data))

    def _fire(self, name: str) -> Response:
        return self.detail_response(services.plan_fire(plan=self.get_object(), actor=self.request.user, action=name))

    @extend_schema(request=None, responses=TrainingPlanDetailSerializer, summary="Activate a draft plan")
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        return self._fire("activate")

    @extend_schema(request=None, responses=TrainingPlanDetailSerializer, summary="Close an active plan")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._fire("close")

    @extend_schema(responses=CompletionSerializer(many=True),
                   summary="The plan's completion: each member's attended hours of held sessions vs the target")
    @action(detail=True, methods=["get"], **NESTED)
    def completion(self, request, pk=None):
        plan = self.get_object()
        return Response(CompletionSerializer(selectors.plan_completion(plan), many=True).data)


@extend_schema_view(
    list=extend_schema(summary="List training sessions (scoped; filterable; keyset-paginated) (QC-5)"),
    retrieve=extend_schema(responses=TrainingSessionDetailSerializer,
                           summary="One session with its standards, attendees, attendance and scores"),
    create=extend_schema(request=TrainingSessionCreateSerializer, responses={201: TrainingSessionDetailSerializer},
                         summary="Schedule a session of a plan (attendees: the department's members by default)"),
    partial_update=extend_schema(request=TrainingSessionUpdateSerializer, responses=TrainingSessionDetailSerializer,
                                 summary="Correct a scheduled session"),
)
@extend_schema(tags=["quality-training"])
class TrainingSessionViewSet(UserLanguageMixin, RecordActionsMixin, RecordTimelineMixin, RecordExportMixin,
                             mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = TrainingSession.objects.none()
    serializer_class, detail_serializer_class = TrainingSessionSerializer, TrainingSessionDetailSerializer
    record_selector, record_name = staticmethod(selectors.session_get), "session"
    pagination_class = cursor_pagination("-starts_at", "-id")
    filter_backends = [FilterBackend]
    filterset_class = TrainingSessionFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    export_name = SESSION_EXPORT
    input_serializers = {"create": TrainingSessionCreateSerializer, "partial_update": TrainingSessionUpdateSerializer,
                         "cancel": ReasonSerializer, "attendees": AttendeesSerializer,
                         "attendance": AttendanceInputSerializer, "score_import": ScoreImportSerializer}

    def get_queryset(self):
        return selectors.session_list(user=self.request.user)

    def detail_record(self, pk):
        session = selectors.session_get(user=self.request.user, pk=pk)
        user = self.request.user
        rows = selectors.attendance_rows(None if can_run_session(user, session) else user)
        prefetch_related_objects([session], "standards", Prefetch("attendances", queryset=rows))
        return session

    def retrieve(self, request, pk=None):
        return self.record_detail()

    def create(self, request):
        data = self.validated(TrainingSessionCreateSerializer)
        plan = selectors.plan_get(user=request.user, pk=data.pop("plan"))
        session = services.session_schedule(plan=plan, actor=request.user, **data)
        return self.detail_response(session, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        session = self.get_object()
        data = self.validated(TrainingSessionUpdateSerializer, partial=True)
        return self.detail_response(services.session_update(session=session, actor=request.user, **data))

    @extend_schema(request=None, responses=TrainingSessionDetailSerializer,
                   summary="Mark the session held (once it has started)")
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        return self.detail_response(services.session_fire(session=self.get_object(), actor=request.user,
                                                          action="hold"))

    @extend_schema(request=ReasonSerializer, responses=TrainingSessionDetailSerializer,
                   summary="Cancel a scheduled session (reason required; attendees are told)")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        session = self.get_object()
        comment = self.validated(ReasonSerializer)["comment"]
        return self.detail_response(services.session_fire(session=session, actor=request.user, action="cancel",
                                                          comment=comment))

    @extend_schema(request=AttendeesSerializer, responses=TrainingSessionDetailSerializer,
                   summary="Add attendees (already there: ignored)")
    @action(detail=True, methods=["post"])
    def attendees(self, request, pk=None):
        session = self.get_object()
        services.attendees_add(session=session, actor=request.user, **self.validated(AttendeesSerializer))
        return self.detail_response(session)

    @extend_schema(request=AttendanceInputSerializer, responses=TrainingSessionDetailSerializer,
                   summary="Record attendance and scores of a held session (all rows or none)")
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        session = self.get_object()
        rows = [AttendanceRow(person_id=r["person"], attended=r["attended"], score=r["score"], comment=r["comment"])
                for r in self.validated(AttendanceInputSerializer)["rows"]]
        services.attendance_record(session=session, actor=request.user, rows=rows)
        return self.detail_response(session)

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY}, summary="The session's sign-in sheet (.xlsx)")
    @action(detail=True, methods=["get"], url_path="sign-in-sheet", **NESTED)
    def sign_in_sheet(self, request, pk=None):
        session = self.get_object()
        response = HttpResponse(excel.sign_in_sheet(session),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="sign-in-{session.number}.xlsx"'
        return response

    @extend_schema(request={"multipart/form-data": ScoreImportSerializer}, responses=TrainingSessionDetailSerializer,
                   summary="Import the filled sign-in sheet: attendance and scores (every row checked; all or none)")
    @action(detail=True, methods=["post"], url_path="score-import")
    def score_import(self, request, pk=None):
        session = self.get_object()
        upload = self.validated(ScoreImportSerializer)["file"]
        excel.score_import(session=session, actor=request.user, upload=upload)
        return self.detail_response(session)


@extend_schema(tags=["quality-training"])
class TrainingPersonViewSet(UserLanguageMixin, viewsets.GenericViewSet):
    """A person's training record: themselves, their department's managers, the quality department."""

    queryset = TrainingSession.objects.none()
    serializer_class = PersonRecordSerializer
    lookup_value_regex = r"\d+"
    pagination_class = None

    @extend_schema(responses=PersonRecordSerializer, summary="A person's training record (sessions, hours, scores, "
                                                            "completion per plan)")
    def retrieve(self, request, pk=None):
        person = selectors.person_get(user=request.user, pk=pk)
        attendances = selectors.person_attendances(person)
        data = {"person": person, "attendances": attendances, "plans": selectors.person_plans(person, attendances),
                "summary": selectors.person_summary(attendances)}
        return Response(PersonRecordSerializer(data).data)
