"""QC-3 API (API-1): rectification notices (``/api/quality/notices/``) and their plans
(``/api/quality/rectification-plans/``), each decision its own action.

Thin: params -> selector -> service -> serializer. Another department's notice or plan is a 404 on
every endpoint; a service's refusal is 400 with field errors, 403, or 409 ("already decided").
"""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from qsm.api.filters import FilterBackend
from qsm.api.mixins import RecordActionsMixin, UserLanguageMixin, cursor_pagination
from qsm.api.records import NESTED, RecordAttachmentsMixin, RecordExportMixin, RecordTimelineMixin
from qsm.api.serializers import CommentSerializer, ReasonSerializer
from qsm.visibility import visible

from .. import services
from ..exports import EXPORT_NAME
from ..filters import NoticeFilter
from ..models import Notice, RectificationPlan
from ..selectors import notice_get, notice_list, plan_get, plans_of
from .serializers import (
    RectificationNoticeCreateSerializer,
    RectificationNoticeDetailSerializer,
    RectificationNoticeSerializer,
    RectificationPlanCreateSerializer,
    RectificationPlanSerializer,
    RectificationPlanUpdateSerializer,
    RectificationRejectSerializer,
    RectificationReportSerializer,
    RectificationVerifySerializer,
)


def _finding(user, pk):
    from assessment.inspections.models import Finding

    if pk is None:
        return None
    found = visible(Finding.objects.select_related("sample", "inspection"), user).filter(pk=pk).first()
    if found is None:
        from rest_framework import serializers

        raise serializers.ValidationError({"finding": [_("No such finding, or not one you may see.")]})
    return found


def _transition(request, summary: str, responses=RectificationNoticeDetailSerializer):
    return extend_schema(request=request, responses=responses, summary=summary)


@extend_schema_view(
    list=extend_schema(summary="List rectification notices (scoped; filterable; keyset-paginated)"),
    retrieve=extend_schema(responses=RectificationNoticeDetailSerializer, summary="One rectification notice"),
    create=extend_schema(request=RectificationNoticeCreateSerializer, responses={201: RectificationNoticeDetailSerializer},
                         summary="Issue a rectification notice (quality department), from a failed finding or "
                                 "manually (QC-3)"),
)
@extend_schema(tags=["quality"])
class NoticeViewSet(UserLanguageMixin, RecordActionsMixin, RecordTimelineMixin, RecordAttachmentsMixin,
                    RecordExportMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Notice.objects.none()  # for the schema; requests read through the selectors
    serializer_class, detail_serializer_class = RectificationNoticeSerializer, RectificationNoticeDetailSerializer
    record_selector, record_name = staticmethod(notice_get), "notice"
    pagination_class = cursor_pagination("-issued_at", "-id")
    filter_backends = [FilterBackend]
    filterset_class = NoticeFilter
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "head", "options"]
    input_serializers = {"create": RectificationNoticeCreateSerializer, "plans": RectificationPlanCreateSerializer, "report": RectificationReportSerializer,
                         "verify": RectificationVerifySerializer, "reopen": ReasonSerializer, "cancel": ReasonSerializer}
    export_name = EXPORT_NAME

    def get_queryset(self):
        return notice_list(user=self.request.user)

    def retrieve(self, request, pk=None):
        return self.record_detail()

    def create(self, request):
        data = self.validated(RectificationNoticeCreateSerializer)
        finding = _finding(request.user, data.pop("finding"))
        notice = services.issue_notice(request.user, finding=finding, inspection=finding.inspection if finding else None,
                                       **data)
        return self.detail_response(notice, status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=RectificationPlanSerializer(many=True),
                   summary="Every version of the rectification plan, newest first")
    @extend_schema(methods=["POST"], request=RectificationPlanCreateSerializer, responses={201: RectificationPlanSerializer},
                   summary="Propose the next plan version (a draft: cause and measures), the responsible department")
    @action(detail=True, methods=["get", "post"], **NESTED)
    def plans(self, request, pk=None):
        notice = self.get_object()
        if request.method == "POST":
            plan = services.plan_propose(notice=notice, actor=request.user, **self.validated(RectificationPlanCreateSerializer))
            return Response(RectificationPlanSerializer(plan_get(user=request.user, pk=plan.pk),
                                                        context=self.get_serializer_context()).data,
                            status=status.HTTP_201_CREATED)
        return Response(RectificationPlanSerializer(plans_of(notice), many=True,
                                                    context=self.get_serializer_context()).data)

    @_transition({"multipart/form-data": RectificationReportSerializer},
                 "Report the rectification done: a note and evidence (this request or attached before)")
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        notice = self.get_object()
        data = self.validated(RectificationReportSerializer)
        return self.detail_response(services.notice_report(notice=notice, actor=request.user, note=data["note"],
                                                           upload=data["evidence"]))

    @_transition(RectificationVerifySerializer, "Verify the rectification and close the notice (quality department)")
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self.fire(services.notice_verify, RectificationVerifySerializer)

    @_transition(ReasonSerializer, "Reopen: the rectification is not sufficient (quality department; reason)")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        notice = self.get_object()
        reason = self.validated(ReasonSerializer)["comment"]
        return self.detail_response(services.notice_reopen(notice=notice, actor=request.user, reason=reason))

    @_transition(ReasonSerializer, "Cancel a notice issued in error (quality manager; reason)")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        notice = self.get_object()
        reason = self.validated(ReasonSerializer)["comment"]
        return self.detail_response(services.notice_cancel(notice=notice, actor=request.user, reason=reason))

    def attach(self, record, *, upload, description):
        return services.notice_attach(notice=record, actor=self.request.user, upload=upload, description=description)


def _plan(summary: str, request=CommentSerializer):
    return extend_schema(request=request, responses=RectificationPlanSerializer, summary=summary)


@extend_schema_view(
    retrieve=extend_schema(responses=RectificationPlanSerializer, summary="One rectification plan version"),
    partial_update=extend_schema(request=RectificationPlanUpdateSerializer, responses=RectificationPlanSerializer,
                                 summary="Change the draft: its cause and (given) the whole list of measures"),
)
@extend_schema(tags=["quality"])
class RectificationPlanViewSet(UserLanguageMixin, RecordActionsMixin, viewsets.GenericViewSet):
    queryset = RectificationPlan.objects.none()
    serializer_class = detail_serializer_class = RectificationPlanSerializer
    record_selector, record_name = staticmethod(plan_get), "plan"
    pagination_class = None
    filter_backends: list = []
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    input_serializers = {"partial_update": RectificationPlanUpdateSerializer, "submit": CommentSerializer,
                         "approve": CommentSerializer, "reject": RectificationRejectSerializer, "revise": CommentSerializer,
                         "withdraw": CommentSerializer}

    def retrieve(self, request, pk=None):
        return self.record_detail()

    def partial_update(self, request, pk=None):
        plan = self.get_object()
        return self.detail_response(services.plan_update(plan=plan, actor=request.user,
                                                         **self.validated(RectificationPlanUpdateSerializer, partial=True)))

    @_plan("Submit the draft for approval; who approves for the department is told")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        self.validated(CommentSerializer)
        return self.detail_response(services.plan_submit(plan=self.get_object(), actor=request.user))

    @_plan("Approve (a manager of the department or the quality manager; never the author); the notice's "
           "rectification starts. 409 when already decided")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.fire(services.plan_approve, CommentSerializer)

    @_plan("Reject with a reason (required). 409 when already decided", RectificationRejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        plan = self.get_object()
        reason = self.validated(RectificationRejectSerializer)["reason"]
        return self.detail_response(services.plan_reject(plan=plan, actor=request.user, reason=reason))

    @extend_schema(request=CommentSerializer, responses={201: RectificationPlanSerializer},
                   summary="Revise a rejected plan as the next version: a draft copy of its cause and measures")
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        self.validated(CommentSerializer)
        new = services.plan_revise(plan=self.get_object(), actor=request.user)
        return self.detail_response(new, status.HTTP_201_CREATED)

    @_plan("Withdraw a draft")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        self.validated(CommentSerializer)
        return self.detail_response(services.plan_withdraw(plan=self.get_object(), actor=request.user))
