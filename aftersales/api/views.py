"""AFS-1/2 API (API-1): after-sales cases, each transition its own action.

Thin: params -> selector -> service -> serializer. Reads go through ``aftersales.selectors`` (so
another department's case is a 404 on every endpoint), writes through
``aftersales.services.cases``; domain errors become 400/403/409 in ``qsm.api.exceptions``.
"""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aftersales import selectors
from aftersales.filters import CaseFilter
from aftersales.models import Case
from aftersales.services import cases as services
from qsm.api.exceptions import validation_error_detail
from qsm.api.filters import FilterBackend
from qsm.api.mixins import RecordActionsMixin, UserLanguageMixin, cursor_pagination
from qsm.api.records import NESTED, RecordAttachmentsMixin, RecordExportMixin, RecordTimelineMixin
from qsm.api.serializers import AttachmentUploadSerializer, CommentSerializer, ReasonSerializer

from .serializers import (
    CaseContactCreateSerializer,
    CaseContactSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseDiagnoseSerializer,
    CaseSerializer,
    ReplySerializer,
    RerouteSerializer,
)


def _transition(request, summary: str):
    return extend_schema(request=request, responses=CaseDetailSerializer, summary=summary)


@extend_schema_view(
    list=extend_schema(summary="List after-sales cases (scoped to the user; filterable; keyset-paginated)"),
    retrieve=extend_schema(responses=CaseDetailSerializer,
                           summary="One case: problem, routing, deadlines, diagnosis, contact log"),
    create=extend_schema(request=CaseCreateSerializer, responses={201: CaseDetailSerializer},
                         summary="Log after-sales feedback; the routing rules pick department and owner (AFS-1)"),
    partial_update=extend_schema(request=CaseDiagnoseSerializer, responses=CaseDetailSerializer,
                                 summary="Record the diagnosis, cause and solution (AFS-2)"),
)
@extend_schema(tags=["aftersales"])
class CaseViewSet(UserLanguageMixin, RecordActionsMixin, RecordTimelineMixin, RecordAttachmentsMixin,
                  RecordExportMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Case.objects.none()  # for the schema; requests read through the selectors
    serializer_class = CaseSerializer
    detail_serializer_class = CaseDetailSerializer
    # Every action reads the case through the selector: another department's case is a 404 (ORG-1).
    record_selector, record_name = staticmethod(selectors.case_get), "case"
    # The list is read by the (-received_at, -id) index; keyset pagination never counts rows.
    pagination_class = cursor_pagination("-received_at", "-id")
    filter_backends = [FilterBackend]
    filterset_class = CaseFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    # The input each action reads (the browsable API's forms); outputs are chosen per action below.
    input_serializers = {
        "create": CaseCreateSerializer, "partial_update": CaseDiagnoseSerializer, "reply": ReplySerializer,
        "diagnose": CaseDiagnoseSerializer, "mark_complex": CommentSerializer, "wait_customer": ReasonSerializer,
        "resume": CommentSerializer, "resolve": CommentSerializer, "reopen": ReasonSerializer,
        "close": CommentSerializer, "cancel": ReasonSerializer, "reroute": RerouteSerializer,
        "contacts": CaseContactCreateSerializer, "attachments": AttachmentUploadSerializer,
    }

    def get_queryset(self):
        return selectors.case_list(user=self.request.user)

    # --- the record ---------------------------------------------------------------------------

    def retrieve(self, request, pk=None):
        return self.record_detail()

    def create(self, request):
        data = self.validated(CaseCreateSerializer)
        new_customer = data.pop("new_customer", None)
        order = data.get("order") or (data["delivery"].order if data.get("delivery") else None)
        if order is not None:
            # Only an order the user may see (ORG-1): another department's order is refused like a
            # missing one, naming the field.
            from orders.selectors import order_visible

            if not order_visible(user=request.user).filter(pk=order.pk).exists():
                field = "order" if data.get("order") else "delivery"
                raise serializers.ValidationError({field: [_("No such order, or not one you may see.")]})
        try:
            case = services.case_intake(actor=request.user, new_customer=dict(new_customer) if new_customer else None,
                                        **data)
        except services.NewCustomerInvalid as exc:
            raise serializers.ValidationError({"new_customer": validation_error_detail(exc)}) from exc
        return self.detail_response(case, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        return self._diagnose(request)

    def _diagnose(self, request) -> Response:
        case = self.get_object()
        data = self.validated(CaseDiagnoseSerializer, partial=True)
        comment = data.pop("comment", "")
        return self.detail_response(services.case_diagnose(case=case, actor=request.user, comment=comment, **data))

    # --- transitions and other steps, one action each -----------------------------------------

    @_transition(ReplySerializer, "Record the first reply to the customer (AFS-2; stops the reply clock)")
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        return self.fire(services.case_reply, ReplySerializer)

    @_transition(CaseDiagnoseSerializer, "Record the diagnosis, cause and solution (AFS-2)")
    @action(detail=True, methods=["post"])
    def diagnose(self, request, pk=None):
        return self._diagnose(request)

    @_transition(CommentSerializer, "Mark the case complex: it goes to the special-solution flow (AFS-2)")
    @action(detail=True, methods=["post"], url_path="mark-complex")
    def mark_complex(self, request, pk=None):
        return self.fire(services.case_mark_complex, CommentSerializer)

    @_transition(ReasonSerializer, "Wait for the customer: the clocks pause (SLA-1)")
    @action(detail=True, methods=["post"], url_path="wait-customer")
    def wait_customer(self, request, pk=None):
        return self.fire(services.case_wait_customer, ReasonSerializer)

    @_transition(CommentSerializer, "The customer answered: back to work (or to the special-solution flow)")
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self.fire(services.case_resume, CommentSerializer)

    @_transition(CommentSerializer, "Resolve the case (diagnosis, cause and solution recorded; a complex case's "
                                    "plan done); schedules the follow-up visit")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self.fire(services.case_resolve, CommentSerializer)

    @_transition(ReasonSerializer, "Reopen a resolved case within the reopening window (counted); later: 409, "
                                   "log a new case")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self.fire(services.case_reopen, ReasonSerializer)

    @_transition(CommentSerializer, "Close a resolved case")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.fire(services.case_close, CommentSerializer)

    @_transition(ReasonSerializer, "Cancel a case logged by mistake or withdrawn, saying why")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.fire(services.case_cancel, ReasonSerializer)

    @_transition(RerouteSerializer, "Re-route to another department and/or owner, saying why (AFS-1)")
    @action(detail=True, methods=["post"])
    def reroute(self, request, pk=None):
        return self.fire(services.case_reroute, RerouteSerializer)

    @extend_schema(methods=["GET"], responses=CaseContactSerializer(many=True), summary="Contact log")
    @extend_schema(methods=["POST"], request=CaseContactCreateSerializer, responses={201: CaseContactSerializer},
                   summary="Log a contact with the customer")
    @action(detail=True, methods=["get", "post"], **NESTED)
    def contacts(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            return Response(CaseContactSerializer(selectors.case_contacts(case), many=True).data)
        entry = services.case_contact_add(case=case, actor=request.user, **self.validated(CaseContactCreateSerializer))
        return Response(CaseContactSerializer(entry).data, status=status.HTTP_201_CREATED)

    # --- what every record endpoint has (qsm.api.records): timeline, attachments, export ---------

    export_name = "aftersales.cases"  # aftersales.exports

    def timeline_entries(self, record):
        # A complex case's story includes its special plan and steps (aftersales.services.plans).
        from aftersales.services.plans import case_timeline

        return case_timeline(record)

    def attach(self, record, *, upload, description):
        return services.case_attach(case=record, actor=self.request.user, upload=upload, description=description)
