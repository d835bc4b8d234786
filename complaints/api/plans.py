"""CMP-2 / CMP-3 API (API-1): the investigation and the handling plans of a complaint, nested under it
(``/api/complaints/complaints/{id}/…``) and read through ``complaint_get``: another department's
complaint is a 404.

- ``investigation`` (read; PATCH records facts, root cause and responsibility), ``similar``,
  ``discussion`` (POST involves departments and people);
- ``plans`` (list every version; POST proposes the next one, with measures), ``plans/{plan_id}``
  (read; PATCH the draft's approach), ``plans/{plan_id}/submit|approve|reject|revise|withdraw``,
  ``plans/{plan_id}/measures`` (add while a draft), ``plans/{plan_id}/measures/{measure_id}``
  (change or remove while a draft), ``plans/{plan_id}/measures/{measure_id}/complete``;
- ``progress-reports`` (progress told to the customer, in the complaint's contact log).

Thin: params -> selector -> service -> serializer; a service's refusal is 400 with field errors,
403, or 409 (``qsm.api.exceptions``; "already decided" is a 409).
"""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from complaints.models import HandlingPlan, Measure
from complaints.selectors import complaint_get
from complaints.selectors.work import measure_of, plan_get, plans_of, similar_complaints
from complaints.services import core
from complaints.services import investigation as investigation_services
from complaints.services import measures as measure_services
from complaints.services import plans as services
from qsm.api.mixins import RecordActionsMixin, UserLanguageMixin
from qsm.api.records import NESTED
from qsm.api.serializers import CommentSerializer
from qsm.contacts.api.serializers import CaseContactSerializer as ContactEntrySerializer
from qsm.contacts.api.serializers import ContactCreateSerializer
from qsm.discussions.api import CaseDiscussionSerializer as DiscussionSerializer
from qsm.discussions.selectors import discussion_detail

from .plan_serializers import (
    ComplaintInvestigationInputSerializer,
    ComplaintInvestigationSerializer,
    ComplaintInvolveSerializer,
    ComplaintMeasureCompleteSerializer,
    ComplaintMeasureInputSerializer,
    ComplaintMeasureSerializer,
    HandlingPlanCreateSerializer,
    HandlingPlanRejectSerializer,
    HandlingPlanSerializer,
    HandlingPlanUpdateSerializer,
    SimilarComplaintSerializer,
    plan_detail,
)

PLAN_ID = OpenApiParameter("plan_id", OpenApiTypes.INT, OpenApiParameter.PATH)
MEASURE_ID = OpenApiParameter("measure_id", OpenApiTypes.INT, OpenApiParameter.PATH)
PLAN = r"plans/(?P<plan_id>\d+)"
MEASURE = PLAN + r"/measures/(?P<measure_id>\d+)"


@extend_schema(tags=["complaints"])
class ComplaintPlanViewSet(UserLanguageMixin, RecordActionsMixin, viewsets.GenericViewSet):
    """The investigation and plan actions of a complaint (mounted on the complaints' route)."""

    queryset = HandlingPlan.objects.none()  # for the schema; requests read through the selectors
    serializer_class = HandlingPlanSerializer
    lookup_value_regex = r"\d+"
    record_selector, record_name = staticmethod(complaint_get), "complaint"  # 404 outside the user's sight
    pagination_class = None
    filter_backends: list = []
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    input_serializers = {
        "investigation": ComplaintInvestigationInputSerializer, "involve": ComplaintInvolveSerializer, "plans": HandlingPlanCreateSerializer,
        "plan": HandlingPlanUpdateSerializer, "submit_plan": CommentSerializer, "approve_plan": CommentSerializer,
        "reject_plan": HandlingPlanRejectSerializer, "revise_plan": CommentSerializer, "withdraw_plan": CommentSerializer,
        "measures": ComplaintMeasureInputSerializer, "measure": ComplaintMeasureInputSerializer,
        "complete_measure": ComplaintMeasureCompleteSerializer, "progress_reports": ContactCreateSerializer,
    }

    def _plan(self, plan_id):
        return plan_get(complaint=self.get_object(), pk=plan_id)

    def _plan_response(self, plan: HandlingPlan, code: int = status.HTTP_200_OK) -> Response:
        fresh = plan_get(complaint=plan.complaint, pk=plan.pk)
        return Response(HandlingPlanSerializer(plan_detail(fresh)).data, status=code)

    # --- investigation -----------------------------------------------------------------------------

    @extend_schema(methods=["GET"], responses=ComplaintInvestigationSerializer,
                   summary="The investigation: facts, cause, why-chain, root cause, responsibility (CMP-2)")
    @extend_schema(methods=["PATCH"], request=ComplaintInvestigationInputSerializer, responses=ComplaintInvestigationSerializer,
                   summary="Record the facts, the structured root cause and the responsibility (CMP-2)")
    @action(detail=True, methods=["get", "patch"], **NESTED)
    def investigation(self, request, pk=None):
        complaint = self.get_object()
        if request.method == "PATCH":
            investigation_services.complaint_investigate(complaint=complaint, actor=request.user,
                                                         **self.validated(ComplaintInvestigationInputSerializer))
            complaint = complaint_get(user=request.user, pk=complaint.pk)
        return Response(ComplaintInvestigationSerializer(complaint).data)

    @extend_schema(responses=SimilarComplaintSerializer(many=True),
                   summary="Up to ten similar past complaints (same cause, product or customer) the user may see")
    @action(detail=True, methods=["get"], **NESTED)
    def similar(self, request, pk=None):
        rows = similar_complaints(complaint=self.get_object(), user=request.user)
        return Response(SimilarComplaintSerializer(rows, many=True).data)

    @extend_schema(request=ComplaintInvolveSerializer, responses={201: DiscussionSerializer},
                   summary="Involve departments and people in the investigation (the core discussion); they "
                           "see the complaint and are told (CMP-2)")
    @action(detail=True, methods=["post"], **NESTED)
    def involve(self, request, pk=None):
        discussion = investigation_services.complaint_involve(complaint=self.get_object(), actor=request.user,
                                                              **self.validated(ComplaintInvolveSerializer))
        return Response(DiscussionSerializer(discussion_detail(discussion)).data, status=status.HTTP_201_CREATED)

    # --- plans -------------------------------------------------------------------------------------------

    @extend_schema(methods=["GET"], responses=HandlingPlanSerializer(many=True),
                   summary="Every version of the handling plan, newest first, with its measures and decision")
    @extend_schema(methods=["POST"], request=HandlingPlanCreateSerializer, responses={201: HandlingPlanSerializer},
                   summary="Propose the next version of the handling plan (a draft); refused while cause and "
                           "responsibility are not recorded (CMP-3)")
    @action(detail=True, methods=["get", "post"], **NESTED)
    def plans(self, request, pk=None):
        complaint = self.get_object()
        if request.method == "POST":
            plan = services.plan_propose(complaint=complaint, actor=request.user,
                                         **self.validated(HandlingPlanCreateSerializer))
            plan.complaint = complaint
            return self._plan_response(plan, status.HTTP_201_CREATED)
        return Response(HandlingPlanSerializer(plans_of(complaint), many=True).data)

    @extend_schema(methods=["GET"], parameters=[PLAN_ID], responses=HandlingPlanSerializer, summary="One version")
    @extend_schema(methods=["PATCH"], parameters=[PLAN_ID], request=HandlingPlanUpdateSerializer,
                   responses=HandlingPlanSerializer, summary="Change the draft's approach")
    @action(detail=True, methods=["get", "patch"], url_path=PLAN, url_name="plan", **NESTED)
    def plan(self, request, pk=None, plan_id=None):
        plan = self._plan(plan_id)
        if request.method == "PATCH":
            services.plan_update(plan=plan, actor=request.user, **self.validated(HandlingPlanUpdateSerializer))
        return self._plan_response(plan)

    def _decide(self, request, plan_id, service, params_class, *, keep=()):
        plan = self._plan(plan_id)
        params = self.validated(params_class)
        service(plan=plan, actor=request.user, **{k: v for k, v in params.items() if k in keep})
        return self._plan_response(plan)

    @extend_schema(parameters=[PLAN_ID], request=CommentSerializer, responses=HandlingPlanSerializer,
                   summary="Submit the draft for approval (≥1 measure); the approvers are told")
    @action(detail=True, methods=["post"], url_path=PLAN + "/submit", url_name="plan-submit", **NESTED)
    def submit_plan(self, request, pk=None, plan_id=None):
        return self._decide(request, plan_id, core.plan_submit, CommentSerializer)

    @extend_schema(parameters=[PLAN_ID], request=CommentSerializer, responses=HandlingPlanSerializer,
                   summary="Approve the submitted plan (who approves for the responsible department, never its "
                           "author); its measures open and the complaint is executed. 409 when already decided")
    @action(detail=True, methods=["post"], url_path=PLAN + "/approve", url_name="plan-approve", **NESTED)
    def approve_plan(self, request, pk=None, plan_id=None):
        return self._decide(request, plan_id, core.plan_approve, CommentSerializer, keep=("comment",))

    @extend_schema(parameters=[PLAN_ID], request=HandlingPlanRejectSerializer, responses=HandlingPlanSerializer,
                   summary="Reject the submitted plan with a reason (required). 409 when already decided")
    @action(detail=True, methods=["post"], url_path=PLAN + "/reject", url_name="plan-reject", **NESTED)
    def reject_plan(self, request, pk=None, plan_id=None):
        return self._decide(request, plan_id, core.plan_reject, HandlingPlanRejectSerializer, keep=("reason",))

    @extend_schema(parameters=[PLAN_ID], request=CommentSerializer, responses={201: HandlingPlanSerializer},
                   summary="Revise a rejected (or superseded) plan as the next version: a draft copy of its measures")
    @action(detail=True, methods=["post"], url_path=PLAN + "/revise", url_name="plan-revise", **NESTED)
    def revise_plan(self, request, pk=None, plan_id=None):
        plan = self._plan(plan_id)
        self.validated(CommentSerializer)
        new = core.plan_revise(plan=plan, actor=request.user)
        new.complaint = plan.complaint
        return self._plan_response(new, status.HTTP_201_CREATED)

    @extend_schema(parameters=[PLAN_ID], request=CommentSerializer, responses=HandlingPlanSerializer,
                   summary="Withdraw a draft")
    @action(detail=True, methods=["post"], url_path=PLAN + "/withdraw", url_name="plan-withdraw", **NESTED)
    def withdraw_plan(self, request, pk=None, plan_id=None):
        return self._decide(request, plan_id, core.plan_withdraw, CommentSerializer)

    # --- measures --------------------------------------------------------------------------------------

    @extend_schema(parameters=[PLAN_ID], request=ComplaintMeasureInputSerializer, responses={201: ComplaintMeasureSerializer},
                   summary="Add a measure to the draft: what, who, by when")
    @action(detail=True, methods=["post"], url_path=PLAN + "/measures", url_name="plan-measures", **NESTED)
    def measures(self, request, pk=None, plan_id=None):
        measure = services.measure_add(plan=self._plan(plan_id), actor=request.user,
                                       **self.validated(ComplaintMeasureInputSerializer))
        return Response(ComplaintMeasureSerializer(self._measure_fresh(measure)).data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _measure_fresh(measure: Measure) -> Measure:
        return Measure.objects.select_related("owner", "department", "done_by").get(pk=measure.pk)

    @extend_schema(methods=["PATCH"], parameters=[PLAN_ID, MEASURE_ID], request=ComplaintMeasureInputSerializer,
                   responses=ComplaintMeasureSerializer, summary="Change a measure of the draft")
    @extend_schema(methods=["DELETE"], parameters=[PLAN_ID, MEASURE_ID], request=None, responses={204: None},
                   summary="Remove a measure of the draft (the later ones move up)")
    @action(detail=True, methods=["patch", "delete"], url_path=MEASURE, url_name="plan-measure", **NESTED)
    def measure(self, request, pk=None, plan_id=None, measure_id=None):
        measure = measure_of(plan=self._plan(plan_id), pk=measure_id)
        if request.method == "DELETE":
            services.measure_remove(measure=measure, actor=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        services.measure_update(measure=measure, actor=request.user, **self.validated(ComplaintMeasureInputSerializer))
        return Response(ComplaintMeasureSerializer(self._measure_fresh(measure)).data)

    @extend_schema(parameters=[PLAN_ID, MEASURE_ID],
                   request={"multipart/form-data": ComplaintMeasureCompleteSerializer},
                   responses=ComplaintMeasureSerializer,
                   summary="The measure is done: what was done and evidence (an attachment, with this request or "
                           "before); the last one done moves the complaint to the customer's confirmation (CMP-3)")
    @action(detail=True, methods=["post"], url_path=MEASURE + "/complete", url_name="plan-measure-complete",
            **NESTED)
    def complete_measure(self, request, pk=None, plan_id=None, measure_id=None):
        measure = measure_of(plan=self._plan(plan_id), pk=measure_id)
        measure_services.measure_complete(measure=measure, actor=request.user,
                                          **self.validated(ComplaintMeasureCompleteSerializer))
        return Response(ComplaintMeasureSerializer(self._measure_fresh(measure)).data)

    # --- progress to the customer ------------------------------------------------------------------------

    @extend_schema(request=ContactCreateSerializer, responses={201: ContactEntrySerializer},
                   summary="Log a progress report told to the customer (the complaint's contact log, CMP-3)")
    @action(detail=True, methods=["post"], url_path="progress-reports", **NESTED)
    def progress_reports(self, request, pk=None):
        entry = services.complaint_progress_report(complaint=self.get_object(), actor=request.user,
                                                   **self.validated(ContactCreateSerializer))
        return Response(ContactEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
