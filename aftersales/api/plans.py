"""AFS-2 API (API-1): the special-solution flow of a complex case.

Every action is nested under the case (``/api/aftersales/cases/{id}/…``), read through
``case_get``: another department's case is a 404, and a step owner or an invited person sees it.

- ``discussion`` (read; open or invite more), ``discussion/notes``;
- ``special-plan`` (read; create; revise), ``special-plan/start``, ``special-plan/steps`` (add while a
  draft), ``special-plan/steps/{step_id}`` (change or remove while a draft) and
  ``special-plan/steps/{step_id}/complete`` (the step's owner says what was done);
- ``customer-updates`` (progress told to the customer, in the case's contact log).

Thin: params -> selector -> service -> serializer; a service's refusal is 400 with field errors,
403, or 409 (``qsm.api.exceptions``).
"""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aftersales import selectors
from aftersales.models import PlanStep, SpecialPlan
from aftersales.services import plans as services
from qsm.api import drf as serializers
from qsm.api.mixins import RecordActionsMixin, UserLanguageMixin
from qsm.api.records import NESTED
from qsm.api.serializers import CommentSerializer
from qsm.contacts.api.serializers import ContactCreateSerializer
from qsm.contacts.models import ContactEntry
from qsm.contacts.selectors import contact_log
from qsm.discussions.selectors import discussion_of
from qsm.org.models import Department, User

from .plan_serializers import (
    CaseDiscussionNoteSerializer,
    CaseDiscussionSerializer,
    PlanStepSerializer,
    SpecialPlanSerializer,
    discussion_detail,
    plan_detail,
)
from .serializers import CaseContactSerializer

STEP_ID = OpenApiParameter("step_id", OpenApiTypes.INT, OpenApiParameter.PATH)


# --- input -------------------------------------------------------------------------------------------

_departments = Department.objects.filter(is_active=True)
_users = User.objects.filter(is_active=True)


class DiscussionInviteSerializer(serializers.Serializer):
    topic = serializers.CleanCharField(multiline=False, max_length=200, allow_blank=True)
    departments = serializers.PrimaryKeyRelatedField(queryset=_departments, many=True, required=False, default=list)
    users = serializers.PrimaryKeyRelatedField(queryset=_users, many=True, required=False, default=list)


class CaseDiscussionNoteCreateSerializer(serializers.Serializer):
    body = serializers.CleanCharField(allow_blank=True)
    meeting_at = serializers.BoundedDateTimeField(past=True, required=False, allow_null=True, default=None)


class PlanCreateSerializer(serializers.Serializer):
    title = serializers.CleanCharField(multiline=False, max_length=200, allow_blank=True)
    content = serializers.CleanCharField(allow_blank=True)


class PlanUpdateSerializer(PlanCreateSerializer):
    comment = serializers.CleanCharField(required=False, allow_blank=True, default="", help_text="Why it changed.")


class StepInputSerializer(serializers.Serializer):
    description = serializers.CleanCharField(allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=_users, allow_null=True,
                                               help_text="Someone of the case's department, invited to its "
                                                         "discussion, or of the quality department.")
    due_date = serializers.BoundedDateField(allow_null=True)


class StepCompleteSerializer(serializers.Serializer):
    note = serializers.CleanCharField(allow_blank=True, help_text="What was done (required).")


# --- reads --------------------------------------------------------------------------------------------

# --- on the case ------------------------------------------------------------------------------------------


@extend_schema(tags=["aftersales"])
class CaseSpecialSolutionViewSet(UserLanguageMixin, RecordActionsMixin, viewsets.GenericViewSet):
    """The special-solution actions of a case (mounted on the cases' route: /cases/{id}/…)."""

    queryset = SpecialPlan.objects.none()  # for the schema; requests read through the selectors
    serializer_class = SpecialPlanSerializer
    lookup_value_regex = r"\d+"
    pagination_class = None
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    input_serializers = {"discussion": DiscussionInviteSerializer, "discussion_notes": CaseDiscussionNoteCreateSerializer,
                         "special_plan": PlanCreateSerializer, "start_plan": CommentSerializer,
                         "plan_steps": StepInputSerializer, "plan_step": StepInputSerializer,
                         "complete_step": StepCompleteSerializer, "customer_updates": ContactCreateSerializer}

    record_selector = staticmethod(selectors.case_get)  # get_object(): a 404 outside the user's sight

    def get_serializer_class(self):
        if self.action == "special_plan" and self.request is not None and self.request.method == "PATCH":
            return PlanUpdateSerializer
        return super().get_serializer_class()

    @extend_schema(methods=["GET"], responses=CaseDiscussionSerializer,
                   summary="The case's special-solution discussion: invited departments and people, notes (AFS-2)")
    @extend_schema(methods=["POST"], request=DiscussionInviteSerializer, responses=CaseDiscussionSerializer,
                   summary="Open the discussion of a complex case, or invite more departments and people; "
                           "they see the case and are told (AFS-2)")
    @action(detail=True, methods=["get", "post"], **NESTED)
    def discussion(self, request, pk=None):
        case = self.get_object()
        if request.method == "POST":
            services.case_discussion_open(case=case, actor=request.user, **self.validated(DiscussionInviteSerializer))
        discussion = discussion_of(case)
        if discussion is None:
            raise Http404(_("No discussion was opened for this case."))
        return Response(CaseDiscussionSerializer(discussion_detail(discussion)).data)

    @extend_schema(request=CaseDiscussionNoteCreateSerializer, responses={201: CaseDiscussionNoteSerializer},
                   summary="Add the notes of a meeting of the discussion (who works the case and who was invited)")
    @action(detail=True, methods=["post"], url_path="discussion/notes", **NESTED)
    def discussion_notes(self, request, pk=None):
        note = services.case_discussion_note_add(case=self.get_object(), actor=request.user,
                                                 **self.validated(CaseDiscussionNoteCreateSerializer))
        return Response(CaseDiscussionNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    def _plan(self, case) -> SpecialPlan:
        plan = SpecialPlan.objects.select_related("created_by").filter(case=case).first()
        if plan is None:
            raise Http404(_("This case has no special solution plan."))
        plan.case = case
        return plan

    def _plan_response(self, case, code: int = status.HTTP_200_OK) -> Response:
        return Response(SpecialPlanSerializer(plan_detail(self._plan(case))).data, status=code)

    def _step(self, plan: SpecialPlan, step_id) -> PlanStep:
        step = get_object_or_404(PlanStep.objects.all(), plan=plan, pk=step_id)
        step.plan = plan
        return step

    @extend_schema(methods=["GET"], responses=SpecialPlanSerializer, summary="The case's special solution plan")
    @extend_schema(methods=["POST"], request=PlanCreateSerializer, responses={201: SpecialPlanSerializer},
                   summary="Create the special solution plan of a complex case (a draft: add steps, then start)")
    @extend_schema(methods=["PATCH"], request=PlanUpdateSerializer, responses=SpecialPlanSerializer,
                   summary="Revise the plan's title and content (an edit on the timeline) until it is done")
    @action(detail=True, methods=["get", "post", "patch"], url_path="special-plan", **NESTED)
    def special_plan(self, request, pk=None):
        case = self.get_object()
        if request.method == "POST":
            services.plan_create(case=case, actor=request.user, **self.validated(PlanCreateSerializer))
            return self._plan_response(case, status.HTTP_201_CREATED)
        if request.method == "PATCH":
            services.plan_update(plan=self._plan(case), actor=request.user, **self.validated(PlanUpdateSerializer))
        return self._plan_response(case)

    @extend_schema(request=CommentSerializer, responses=SpecialPlanSerializer,
                   summary="Start the plan (at least one step, each with an owner and a date); each step's date "
                           "clock starts and its owner is told (AFS-2)")
    @action(detail=True, methods=["post"], url_path="special-plan/start", **NESTED)
    def start_plan(self, request, pk=None):
        case = self.get_object()
        services.plan_start(plan=self._plan(case), actor=request.user, **self.validated(CommentSerializer))
        return self._plan_response(case)

    @extend_schema(request=StepInputSerializer, responses={201: PlanStepSerializer},
                   summary="Add a step to the draft plan: what, who, by when")
    @action(detail=True, methods=["post"], url_path="special-plan/steps", **NESTED)
    def plan_steps(self, request, pk=None):
        plan = self._plan(self.get_object())
        step = services.plan_step_add(plan=plan, actor=request.user, **self.validated(StepInputSerializer))
        return Response(PlanStepSerializer(step).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["PATCH"], parameters=[STEP_ID], request=StepInputSerializer,
                   responses=PlanStepSerializer, summary="Change a step of the draft plan")
    @extend_schema(methods=["DELETE"], parameters=[STEP_ID], request=None, responses={204: None},
                   summary="Remove a step of the draft plan (the later steps move up)")
    @action(detail=True, methods=["patch", "delete"], url_path=r"special-plan/steps/(?P<step_id>\d+)",
            url_name="plan-step", **NESTED)
    def plan_step(self, request, pk=None, step_id=None):
        step = self._step(self._plan(self.get_object()), step_id)
        if request.method == "DELETE":
            services.plan_step_remove(step=step, actor=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        services.plan_step_update(step=step, actor=request.user, **self.validated(StepInputSerializer))
        return Response(PlanStepSerializer(PlanStep.objects.select_related("owner", "done_by").get(pk=step.pk)).data)

    @extend_schema(parameters=[STEP_ID], request=StepCompleteSerializer, responses=PlanStepSerializer,
                   summary="The step is done: its owner (or whoever works the case) says what was done; the last "
                           "step done completes the plan (AFS-2)")
    @action(detail=True, methods=["post"], url_path=r"special-plan/steps/(?P<step_id>\d+)/complete",
            url_name="plan-step-complete", **NESTED)
    def complete_step(self, request, pk=None, step_id=None):
        step = self._step(self._plan(self.get_object()), step_id)
        services.plan_step_complete(step=step, actor=request.user, **self.validated(StepCompleteSerializer))
        return Response(PlanStepSerializer(PlanStep.objects.select_related("owner", "done_by").get(pk=step.pk)).data)

    @extend_schema(methods=["GET"], responses=CaseContactSerializer(many=True),
                   summary="The progress updates told to the customer, oldest first")
    @extend_schema(methods=["POST"], request=ContactCreateSerializer, responses={201: CaseContactSerializer},
                   summary="Log a progress update told to the customer (the case's contact log, AFS-2)")
    @action(detail=True, methods=["get", "post"], url_path="customer-updates", **NESTED)
    def customer_updates(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            updates = contact_log(case).filter(kind=ContactEntry.Kind.UPDATE)
            return Response(CaseContactSerializer(updates, many=True).data)
        entry = services.case_customer_update(case=case, actor=request.user,
                                              **self.validated(ContactCreateSerializer))
        return Response(CaseContactSerializer(entry).data, status=status.HTTP_201_CREATED)
