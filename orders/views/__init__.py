"""In-sale pages (ORD-1..4, SEARCH-1). Thin: form -> selector -> service -> redirect or render.

Every POST view reads the order through ``order_get`` (another department's order is a 404),
calls one service and then redirects (success) or re-renders the record page with the bound form:
form errors with HTTP 400, an illegal transition with its message and HTTP 409, and a missing
permission is Django's 403. The record page's forms are boosted by htmx, which swaps only the
page body (``#order-page``) and the messages; without JavaScript they are ordinary POSTs.

The package: ``lists`` (lists and exports), ``create`` (a new order), ``record`` (the order page, the
base of its forms, review, amendment, attachments, conversion of an inquiry), ``delivery``,
``progress`` and ``installation`` (the page's forms for ORD-2 and ORD-3).
"""

from .create import OrderCreateView, OrderFromInquiryView, apply_service_errors
from .delivery import DeliveryConfirmView, DeliveryRejectView, DeliveryShipView
from .installation import (
    AcceptanceRecordView,
    InstallationCommissionView,
    InstallationEngineersView,
    InstallationRescheduleView,
    InstallationScheduleView,
    InstallationStartView,
)
from .lists import (
    DeliveryExportView,
    DeliveryListView,
    InstallationExportView,
    InstallationListView,
    OrderExportView,
    OrderListView,
)
from .progress import ProductionStepAddView, ProgressAnswerView, ProgressNoteAddView
from .record import (
    OrderAmendView,
    OrderApproveView,
    OrderAttachmentDownloadView,
    OrderAttachView,
    OrderDetailView,
    OrderPostView,
    OrderReturnView,
    OrderTransitionView,
    ReviewDecisionView,
    order_page_context,
    render_order_page,
)

__all__ = [
    "AcceptanceRecordView",
    "DeliveryConfirmView",
    "DeliveryExportView",
    "DeliveryListView",
    "DeliveryRejectView",
    "DeliveryShipView",
    "InstallationCommissionView",
    "InstallationEngineersView",
    "InstallationExportView",
    "InstallationListView",
    "InstallationRescheduleView",
    "InstallationScheduleView",
    "InstallationStartView",
    "OrderAmendView",
    "OrderApproveView",
    "OrderAttachView",
    "OrderAttachmentDownloadView",
    "OrderCreateView",
    "OrderDetailView",
    "OrderExportView",
    "OrderFromInquiryView",
    "OrderListView",
    "OrderPostView",
    "OrderReturnView",
    "OrderTransitionView",
    "ProductionStepAddView",
    "ProgressAnswerView",
    "ProgressNoteAddView",
    "ReviewDecisionView",
    "apply_service_errors",
    "order_page_context",
    "render_order_page",
]
