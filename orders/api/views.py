"""ORD-1..4 API (API-1): orders, deliveries and installations; each transition its own action.

Thin: params -> selector -> service -> serializer. Reads go through ``orders.selectors`` (so
another department's record is a 404 on every endpoint), writes through ``orders.services``;
domain errors become 400/403/409 in ``qsm.api.exceptions``.
"""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from orders import selectors, services
from orders.filters import DeliveryFilter, InstallationFilter, OrderFilter
from orders.models import Delivery, Installation, Order
from presales.selectors import inquiry_get
from qsm.api.exceptions import validation_error_detail
from qsm.api.filters import FilterBackend
from qsm.api.mixins import RecordActionsMixin, UserLanguageMixin, cursor_pagination
from qsm.api.records import NESTED, RecordAttachmentsMixin, RecordExportMixin, RecordTimelineMixin
from qsm.api.renderers import XLSXRenderer
from qsm.api.schema import names_a_record
from qsm.api.serializers import AttachmentUploadSerializer, CommentSerializer, ReasonSerializer
from qsm.org.services import NewCustomerInvalid
from qsm.parsing import parse_id

from .serializers import (
    AcceptanceSerializer,
    AnswerSerializer,
    ApproveSerializer,
    ChangeEngineersSerializer,
    CommissionSerializer,
    DeliveryConfirmSerializer,
    DeliveryDetailSerializer,
    DeliveryRejectSerializer,
    DeliverySerializer,
    FindingsSerializer,
    InstallationDetailSerializer,
    InstallationSerializer,
    OrderCreateSerializer,
    OrderDetailSerializer,
    OrderDraftSerializer,
    OrderFromInquirySerializer,
    OrderSerializer,
    OrderUpdateSerializer,
    ProductionStepCreateSerializer,
    ProductionStepSerializer,
    ProgressNoteCreateSerializer,
    ProgressNoteSerializer,
    RescheduleInstallationSerializer,
    ReturnSerializer,
    ScheduleInstallationSerializer,
    ShipSerializer,
    findings_dict,
)

NOTE_ID = OpenApiParameter("note_id", OpenApiTypes.INT, OpenApiParameter.PATH)
ATTACHMENT_ID = OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)
XLSX = XLSXRenderer.media_type


def _transition(request, summary: str, response=OrderDetailSerializer):
    return extend_schema(request=request, responses=response, summary=summary)


# --- orders ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List orders (scoped to the user; filterable; keyset-paginated)"),
    retrieve=extend_schema(responses=OrderDetailSerializer,
                           summary="One order: lines, review rounds, deliveries, progress, installation"),
    create=extend_schema(request=OrderCreateSerializer, responses={201: OrderDetailSerializer},
                         summary="Enter an order received from the customer; its review starts (ORD-1)"),
    partial_update=extend_schema(request=OrderUpdateSerializer, responses=OrderDetailSerializer,
                                 summary="Amend the order while in review or returned (ORD-1)"),
)
@extend_schema(tags=["orders"])
class OrderViewSet(UserLanguageMixin, RecordActionsMixin, RecordTimelineMixin, RecordAttachmentsMixin,
                   RecordExportMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Order.objects.none()  # for the schema; requests read through the selectors
    serializer_class, detail_serializer_class = OrderSerializer, OrderDetailSerializer
    record_selector, record_name = staticmethod(selectors.order_get), "order"
    # The list is read by the (-created_at, -id) index; keyset pagination never counts rows.
    pagination_class = cursor_pagination("-created_at", "-id")
    filter_backends = [FilterBackend]
    filterset_class = OrderFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    input_serializers = {
        "create": OrderCreateSerializer, "partial_update": OrderUpdateSerializer,
        "from_inquiry": OrderFromInquirySerializer, "findings": FindingsSerializer, "approve": ApproveSerializer,
        "return_": ReturnSerializer, "resubmit": CommentSerializer, "start_production": CommentSerializer,
        "cancel": ReasonSerializer, "progress": ProgressNoteCreateSerializer, "progress_answer": AnswerSerializer,
        "production": ProductionStepCreateSerializer,
        "ship": ShipSerializer, "schedule_installation": ScheduleInstallationSerializer,
        "attachments": AttachmentUploadSerializer,
    }

    def get_queryset(self):
        return selectors.order_list(user=self.request.user)

    def get_object(self) -> Order:
        """Another department's order is a 404, for every action (ORG-1).

        Only the order itself: the actions and nested lists need none of what the detail
        prefetches (``detail_response`` reads that after a write).
        """
        order = get_object_or_404(selectors.order_visible(user=self.request.user), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, order)
        return order

    # --- the record ---------------------------------------------------------------------------

    def retrieve(self, request, pk=None):
        return self.record_detail()

    def create(self, request):
        data = self.validated(OrderCreateSerializer)
        lines = [dict(line) for line in data.pop("lines")]
        new_customer = data.pop("new_customer", None)
        try:
            order = services.order_create(actor=request.user, lines=lines, new_customer=dict(new_customer)
                                          if new_customer else None, **data)
        except NewCustomerInvalid as exc:
            raise serializers.ValidationError({"new_customer": validation_error_detail(exc)}) from exc
        return self.detail_response(order, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        order = self.get_object()
        data = self.validated(OrderUpdateSerializer, partial=True)
        comment = data.pop("comment", "")
        lines = data.pop("lines", None)
        lines = None if lines is None else [dict(line) for line in lines]
        return self.detail_response(services.order_update(order=order, actor=request.user, data=data, lines=lines,
                                                  comment=comment))

    @extend_schema(request=OrderFromInquirySerializer, responses={201: OrderDetailSerializer},
                   summary="Convert an acknowledged inquiry into an order with the customer's order: lines, PO, "
                           "promised date, installation (PRE-4)")
    @action(detail=False, methods=["post"], url_path="from-inquiry", url_name="from-inquiry", **NESTED)
    def from_inquiry(self, request):
        data = self.validated(OrderFromInquirySerializer)
        # Looked up through the pre-sales scope: an inquiry the user cannot see is a 404.
        inquiry = inquiry_get(user=request.user, pk=data.pop("inquiry"))
        lines = [dict(line) for line in data.pop("lines")]
        order = services.order_create_from_inquiry(inquiry=inquiry, actor=request.user, lines=lines, **data)
        return self.detail_response(order, status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("inquiry", OpenApiTypes.INT, required=True,
                                                description="The inquiry to convert.")],
                   responses=OrderDraftSerializer,
                   summary="What converting an inquiry pre-fills: customer, contact, needs, the latest solution's "
                           "products at list price; nothing is created (PRE-4)")
    @action(detail=False, methods=["get"], url_path="from-inquiry/draft", url_name="from-inquiry-draft", **NESTED)
    @names_a_record
    def from_inquiry_draft(self, request):
        inquiry_id = parse_id(request.query_params.get("inquiry", ""))
        if inquiry_id is None:
            raise serializers.ValidationError({"inquiry": [_("Give the inquiry's id.")]})
        inquiry = inquiry_get(user=request.user, pk=inquiry_id)  # an inquiry the user cannot see is a 404
        return Response(OrderDraftSerializer(selectors.order_draft_from_inquiry(inquiry)).data)

    # --- ORD-1 review -------------------------------------------------------------------------

    @_transition(FindingsSerializer, "Record checklist results of the open review round (ORD-1)")
    @action(detail=True, methods=["post"])
    def findings(self, request, pk=None):
        order = self.get_object()
        items = self.validated(FindingsSerializer)["items"]
        services.review_record_findings(order=order, actor=request.user, findings={
            finding["item"]: (finding["result"], finding["note"]) for finding in items})
        return self.detail_response(order)

    def _decide(self, request, params_class, decision: str) -> Response:
        order = self.get_object()  # 404 before anything else
        params = self.validated(params_class)
        findings = findings_dict(params.pop("findings", []))
        return self.detail_response(services.order_review_decide(order=order, actor=request.user, decision=decision,
                                                         findings=findings, **params))

    @_transition(ApproveSerializer, "Approve, with the checklist in the same body: every item passed or waived "
                 "with a reason (ORD-1)")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, ApproveSerializer, "approve")

    @_transition(ReturnSerializer, "Return to the customer with the problems to correct, with the checklist in "
                 "the same body (at least one item failed) (ORD-1)")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._decide(request, ReturnSerializer, "return")

    @_transition(CommentSerializer, "The amended order comes back: a new review round opens (ORD-1)")
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        return self.fire(services.order_resubmit, CommentSerializer)

    @_transition(CommentSerializer, "Start production / service preparation (ORD-2)")
    @action(detail=True, methods=["post"], url_path="start-production")
    def start_production(self, request, pk=None):
        return self.fire(services.order_start_production, CommentSerializer)

    @_transition(ReasonSerializer, "Cancel the order, saying why (department manager)")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.fire(services.order_cancel, ReasonSerializer)

    # --- ORD-2 progress and delivery ----------------------------------------------------------

    @extend_schema(methods=["GET"], responses=ProgressNoteSerializer(many=True),
                   summary="Progress told to the customer and the customer's questions, oldest first")
    @extend_schema(methods=["POST"], request=ProgressNoteCreateSerializer, responses={201: ProgressNoteSerializer},
                   summary="Log a progress update to the customer or a question from the customer (ORD-2)")
    @action(detail=True, methods=["get", "post"], **NESTED)
    def progress(self, request, pk=None):
        order = self.get_object()
        if request.method == "GET":
            notes = order.progress_notes.select_related("recorded_by", "answered_by")
            return Response(ProgressNoteSerializer(notes, many=True).data)
        note = services.progress_note_add(order=order, actor=request.user,
                                          **self.validated(ProgressNoteCreateSerializer))
        return Response(ProgressNoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[NOTE_ID], request=AnswerSerializer, responses=ProgressNoteSerializer,
                   summary="Answer a customer's question (ORD-2)")
    @action(detail=True, methods=["post"], url_path=r"progress/(?P<note_id>\d+)/answer", url_name="progress-answer",
            **NESTED)
    def progress_answer(self, request, pk=None, note_id=None):
        order = self.get_object()
        note = get_object_or_404(order.progress_notes.all(), pk=note_id)
        note = services.progress_question_answer(note=note, actor=request.user, **self.validated(AnswerSerializer))
        return Response(ProgressNoteSerializer(note).data)

    @extend_schema(methods=["GET"], responses=ProductionStepSerializer(many=True),
                   summary="The production steps reported on the order, oldest first (§3.2(2))")
    @extend_schema(methods=["POST"], request=ProductionStepCreateSerializer, responses={201: ProductionStepSerializer},
                   summary="Report a production step: the production department or the order's department (ORD-2)")
    @action(detail=True, methods=["get", "post"], **NESTED)
    def production(self, request, pk=None):
        order = self.get_object()
        if request.method == "GET":
            return Response(ProductionStepSerializer(order.production_steps.select_related("recorded_by"),
                                                     many=True).data)
        step = services.production_step_add(order=order, actor=request.user,
                                            **self.validated(ProductionStepCreateSerializer))
        return Response(ProductionStepSerializer(step).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ShipSerializer, responses={201: DeliveryDetailSerializer},
                   summary="Record a shipment of part or all of the lines (ORD-2)")
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        order = self.get_object()
        delivery = services.delivery_ship(order=order, actor=request.user, **self.validated(ShipSerializer))
        delivery = selectors.delivery_get(user=request.user, pk=delivery.pk, details=True)
        return Response(DeliveryDetailSerializer(delivery, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    # --- ORD-3 installation -------------------------------------------------------------------

    @_transition(ScheduleInstallationSerializer, "Schedule the installation with named engineers (ORD-3)")
    @action(detail=True, methods=["post"], url_path="schedule-installation")
    def schedule_installation(self, request, pk=None):
        order = self.get_object()
        services.installation_schedule(order=order, actor=request.user,
                                       **self.validated(ScheduleInstallationSerializer))
        return self.detail_response(order)

    # --- audit trail, attachments, export -----------------------------------------------------

    # --- what every record endpoint has (qsm.api.records): timeline, attachments, export ---------

    def timeline_entries(self, record):
        # The order's story includes its deliveries and installation: the same selector as the page.
        return selectors.order_timeline(record)


    export_name = "orders.orders"  # orders.exports

    def attach(self, record, *, upload, description):
        return services.order_attach(order=record, actor=self.request.user, upload=upload, description=description)


# --- deliveries -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List deliveries (scoped to the user; filterable; keyset-paginated)"),
    retrieve=extend_schema(responses=DeliveryDetailSerializer),
)
@extend_schema(tags=["orders"])
class DeliveryViewSet(UserLanguageMixin, RecordActionsMixin, RecordTimelineMixin, mixins.ListModelMixin,
                      viewsets.GenericViewSet):
    queryset = Delivery.objects.none()
    serializer_class, detail_serializer_class = DeliverySerializer, DeliveryDetailSerializer
    record_selector, record_name = staticmethod(selectors.delivery_get), "delivery"
    pagination_class = cursor_pagination("-shipped_at", "-id")  # the delivery_shipped_idx index
    filter_backends = [FilterBackend]
    filterset_class = DeliveryFilter
    lookup_value_regex = r"\d+"
    input_serializers = {"confirm": DeliveryConfirmSerializer, "reject": DeliveryRejectSerializer}

    def get_queryset(self):
        return selectors.delivery_list(user=self.request.user)

    def detail_record(self, pk) -> Delivery:
        return selectors.delivery_get(user=self.request.user, pk=pk, details=True)  # with its lines

    def retrieve(self, request, pk=None):
        return self.record_detail()  # read once (PERF-1)

    @_transition(DeliveryConfirmSerializer, "Received and quality-checked; the order is delivered when nothing is "
                 "outstanding (ORD-2)", DeliveryDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self.fire(services.delivery_confirm, DeliveryConfirmSerializer)

    @_transition(DeliveryRejectSerializer, "Rejected at receipt: its quantities do not count (ORD-2)",
                 DeliveryDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.fire(services.delivery_reject, DeliveryRejectSerializer)


# --- installations --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List installations (scoped to the user and the engineers; filterable)"),
    retrieve=extend_schema(responses=InstallationDetailSerializer),
)
@extend_schema(tags=["orders"])
class InstallationViewSet(UserLanguageMixin, RecordActionsMixin, RecordTimelineMixin, mixins.ListModelMixin,
                          viewsets.GenericViewSet):
    queryset = Installation.objects.none()
    serializer_class, detail_serializer_class = InstallationSerializer, InstallationDetailSerializer
    record_selector, record_name = staticmethod(selectors.installation_get), "installation"
    # NB: no (-scheduled_for, -id) index yet (installation_status_date_idx leads with the status).
    pagination_class = cursor_pagination("-scheduled_for", "-id")
    filter_backends = [FilterBackend]
    filterset_class = InstallationFilter
    lookup_value_regex = r"\d+"
    input_serializers = {"start": CommentSerializer, "commission": CommissionSerializer,
                         "acceptance": AcceptanceSerializer, "reschedule": RescheduleInstallationSerializer,
                         "change_engineers": ChangeEngineersSerializer}

    def get_queryset(self):
        return selectors.installation_list(user=self.request.user).prefetch_related("engineers")

    def detail_record(self, pk) -> Installation:
        return selectors.installation_get(user=self.request.user, pk=pk, details=True)  # engineers, rounds

    def retrieve(self, request, pk=None):
        return self.record_detail()  # read once (PERF-1)

    @_transition(RescheduleInstallationSerializer, "Move a scheduled installation to another date, with the reason; "
                 "the engineers are told (ORD-3)", InstallationDetailSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        return self.fire(services.installation_reschedule, RescheduleInstallationSerializer)

    @_transition(ChangeEngineersSerializer, "Name other engineers, with the reason; those taken off and those added "
                 "are told (ORD-3)", InstallationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="change-engineers")
    def change_engineers(self, request, pk=None):
        return self.fire(services.installation_change_engineers, ChangeEngineersSerializer)

    @_transition(CommentSerializer, "The engineers start work on site (ORD-3)", InstallationDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self.fire(services.installation_start, CommentSerializer)

    @_transition(CommissionSerializer, "Record the site work and the commissioning test (ORD-3)",
                 InstallationDetailSerializer)
    @action(detail=True, methods=["post"])
    def commission(self, request, pk=None):
        return self.fire(services.installation_commission, CommissionSerializer)

    @_transition(AcceptanceSerializer, "Record the customer's acceptance: accepted, with remarks, or rejected "
                 "back to rework (ORD-3, ORD-4)", InstallationDetailSerializer)
    @action(detail=True, methods=["post"])
    def acceptance(self, request, pk=None):
        return self.fire(services.acceptance_record, AcceptanceSerializer)
