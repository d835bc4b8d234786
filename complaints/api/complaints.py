"""CMP-1 API (API-1): complaints, each transition its own action.

Thin: params -> selector -> service -> serializer. Reads go through ``complaints.selectors`` (another
department's complaint is a 404 on every endpoint), writes through the services; domain errors
become 400/403/409 with a ``code`` in ``qsm.api.exceptions``.
"""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qsm.api.exceptions import validation_error_detail
from qsm.api.filters import FilterBackend
from qsm.api.mixins import RecordActionsMixin, UserLanguageMixin, cursor_pagination
from qsm.api.records import NESTED, RecordAttachmentsMixin, RecordExportMixin, RecordTimelineMixin
from qsm.api.serializers import AttachmentUploadSerializer, ReasonSerializer, ReplySerializer
from qsm.contacts.api.serializers import CaseContactCreateSerializer, CaseContactSerializer

from ..filters import ComplaintFilter
from ..models import Complaint
from ..selectors import complaint_get
from ..selectors import complaints as selectors
from ..services import intake as services
from ..services import record as record_services
from .complaint_serializers import (
    AssignSerializer,
    ComplaintCreateSerializer,
    ComplaintDetailSerializer,
    ComplaintSerializer,
    ComplaintUpdateSerializer,
)


def _transition(request, summary: str):
    return extend_schema(request=request, responses=ComplaintDetailSerializer, summary=summary)


@extend_schema_view(
    list=extend_schema(summary="List complaints (scoped to the user; filterable; keyset-paginated)"),
    retrieve=extend_schema(responses=ComplaintDetailSerializer,
                           summary="One complaint: what was received, the promised reply time, deadlines, contacts"),
    create=extend_schema(request=ComplaintCreateSerializer, responses={201: ComplaintDetailSerializer},
                         summary="Log a complaint from any channel; answers the promised reply time (CMP-1)"),
    partial_update=extend_schema(request=ComplaintUpdateSerializer, responses=ComplaintDetailSerializer,
                                 summary="Correct the intake fields while the complaint is received"),
)
@extend_schema(tags=["complaints"])
class ComplaintViewSet(UserLanguageMixin, RecordActionsMixin, RecordTimelineMixin, RecordAttachmentsMixin,
                       RecordExportMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Complaint.objects.none()  # for the schema; requests read through the selectors
    serializer_class, detail_serializer_class = ComplaintSerializer, ComplaintDetailSerializer
    record_selector, record_name = staticmethod(complaint_get), "complaint"  # another department's: 404
    # The list is read by the (-received_at, -id) index; keyset pagination never counts rows.
    pagination_class = cursor_pagination("-received_at", "-id")
    filter_backends = [FilterBackend]
    filterset_class = ComplaintFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    input_serializers = {
        "create": ComplaintCreateSerializer, "partial_update": ComplaintUpdateSerializer, "assign": AssignSerializer,
        "reply": ReplySerializer, "close_unresolved": ReasonSerializer,
        "cancel": ReasonSerializer, "contacts": CaseContactCreateSerializer, "attachments": AttachmentUploadSerializer,
    }

    def get_queryset(self):
        return selectors.complaint_list(user=self.request.user)

    def _reasoned(self, service) -> Response:
        """close unresolved / cancel: the core's ``comment`` is the service's ``reason``."""
        complaint = self.get_object()  # 404 before anything else
        reason = self.validated(ReasonSerializer)["comment"]
        return self.detail_response(service(complaint=complaint, actor=self.request.user, reason=reason))

    # --- the record ---------------------------------------------------------------------------

    def retrieve(self, request, pk=None):
        return self.detail_response(self.get_object(), reread=False)

    def create(self, request):
        if not request.user.has_perm("complaints.add_complaint"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("You are not allowed to log complaints."))
        data = self.validated(ComplaintCreateSerializer)
        new_customer = data.pop("new_customer", None)
        self._check_visible(data)
        try:
            complaint = services.complaint_intake(
                actor=request.user, new_customer=dict(new_customer) if new_customer else None, **data)
        except services.NewCustomerInvalid as exc:
            raise serializers.ValidationError({"new_customer": validation_error_detail(exc)}) from exc
        return self.detail_response(complaint, status.HTTP_201_CREATED)

    def _check_visible(self, data: dict) -> None:
        """Only an order, visit or case the user may see (ORG-1): another department's is refused
        like a missing one, naming the field."""
        from aftersales.selectors import case_visible
        from aftersales.visit_selectors import visit_visible
        from orders.selectors import order_visible

        for name, visible in (("order", order_visible), ("source_visit", visit_visible),
                              ("source_case", case_visible)):
            record = data.get(name)
            if record is not None and not visible(user=self.request.user).filter(pk=record.pk).exists():
                raise serializers.ValidationError({name: [_("No such record, or not one you may see.")]})

    def partial_update(self, request, pk=None):
        complaint = self.get_object()
        params = self.validated(ComplaintUpdateSerializer, partial=True)
        return self.detail_response(record_services.complaint_update_intake(complaint=complaint, actor=request.user,
                                                                            **params))

    # --- transitions, one action each ---------------------------------------------------------

    @_transition(AssignSerializer, "Assign the investigator (quality department): a received complaint starts its "
                                   "investigation; later the investigator is changed (CMP-2)")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self.fire(services.complaint_assign, AssignSerializer)

    @_transition(ReplySerializer, "Record the reply given to the customer: met or late against the promise (CMP-1)")
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        complaint = self.get_object()
        reply = self.validated(ReplySerializer)["reply"]
        return self.detail_response(services.complaint_reply(complaint=complaint, actor=request.user, reply=reply))

    @_transition(None, "Root cause and responsibility recorded: propose a handling plan (CMP-2)")
    @action(detail=True, methods=["post"], url_path="start-planning")
    def start_planning(self, request, pk=None):
        return self.detail_response(services.complaint_start_planning(complaint=self.get_object(), actor=request.user))

    @_transition(ReasonSerializer, "Close unresolved by a documented management decision (quality manager; "
                                   "reason required; counted separately)")
    @action(detail=True, methods=["post"], url_path="close-unresolved")
    def close_unresolved(self, request, pk=None):
        return self._reasoned(services.complaint_close_unresolved)

    @_transition(ReasonSerializer, "Cancel a complaint logged twice or not a complaint (quality manager)")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._reasoned(services.complaint_cancel)

    @extend_schema(methods=["GET"], responses=CaseContactSerializer(many=True), summary="Contact log")
    @extend_schema(methods=["POST"], request=CaseContactCreateSerializer, responses={201: CaseContactSerializer},
                   summary="Log a contact with the customer (a progress report, a call)")
    @action(detail=True, methods=["get", "post"], **NESTED)
    def contacts(self, request, pk=None):
        complaint = self.get_object()
        if request.method == "GET":
            return Response(CaseContactSerializer(selectors.complaint_contacts(complaint), many=True).data)
        entry = record_services.complaint_contact_add(complaint=complaint, actor=request.user,
                                                      **self.validated(CaseContactCreateSerializer))
        return Response(CaseContactSerializer(entry).data, status=status.HTTP_201_CREATED)

    # --- what every record endpoint has (qsm.api.records): timeline, attachments, export ---------

    export_name = "complaints.complaints"  # complaints.exports

    def attach(self, record, *, upload, description):
        return record_services.complaint_attach(complaint=record, actor=self.request.user, upload=upload,
                                                description=description)
