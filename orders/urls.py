from importlib.util import find_spec

from django.urls import path

from . import views

app_name = "orders"

# /orders/ is the order list and /orders/<id>/ an order; deliveries and installations are lists of
# their own under it (the old /orders/orders/... redirects permanently: qsm.web.legacy_urls).

def acceptance_pdf(request, pk: int):
    # Imported on first use: the PDF library loads only when someone prints a form.
    from .pdf import acceptance_form_pdf

    return acceptance_form_pdf(request, pk)


def _order(suffix: str, view, name: str):
    return path(f"<int:pk>/{suffix}", view.as_view(), name=name)


urlpatterns = [
    path("", views.OrderListView.as_view(), name="order-list"),
    path("export/", views.OrderExportView.as_view(), name="order-export"),
    path("new/", views.OrderCreateView.as_view(), name="order-create"),
    path("<int:pk>/", views.OrderDetailView.as_view(), name="order-detail"),
    _order("fire/", views.OrderTransitionView, "order-fire"),
    _order("amend/", views.OrderAmendView, "order-amend"),
    _order("review/", views.ReviewDecisionView, "review-findings"),
    _order("approve/", views.OrderApproveView, "order-approve"),
    _order("return/", views.OrderReturnView, "order-return"),
    _order("ship/", views.DeliveryShipView, "delivery-ship"),
    _order("deliveries/<int:delivery_pk>/confirm/", views.DeliveryConfirmView, "delivery-confirm"),
    _order("deliveries/<int:delivery_pk>/reject/", views.DeliveryRejectView, "delivery-reject"),
    _order("progress/", views.ProgressNoteAddView, "progress-add"),
    _order("progress/<int:note_pk>/answer/", views.ProgressAnswerView, "progress-answer"),
    _order("production/", views.ProductionStepAddView, "production-step-add"),
    _order("installation/schedule/", views.InstallationScheduleView, "installation-schedule"),
    _order("installation/reschedule/", views.InstallationRescheduleView, "installation-reschedule"),
    _order("installation/engineers/", views.InstallationEngineersView, "installation-engineers"),
    _order("installation/start/", views.InstallationStartView, "installation-start"),
    _order("installation/commission/", views.InstallationCommissionView, "installation-commission"),
    _order("installation/acceptance/", views.AcceptanceRecordView, "acceptance-record"),
    _order("attachments/", views.OrderAttachView, "order-attach"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.OrderAttachmentDownloadView.as_view(),
         name="order-attachment"),
    path("deliveries/", views.DeliveryListView.as_view(), name="delivery-list"),
    path("deliveries/export/", views.DeliveryExportView.as_view(), name="delivery-export"),
    path("installations/", views.InstallationListView.as_view(), name="installation-list"),
    path("installations/export/", views.InstallationExportView.as_view(), name="installation-export"),
    path("from-inquiry/<int:pk>/", views.OrderFromInquiryView.as_view(), name="order-from-inquiry"),
]

# ORD-3: the printable acceptance form is written separately (orders/pdf.py); link it once it exists.
if find_spec("orders.pdf") is not None:
    urlpatterns.append(path("<int:pk>/acceptance.pdf", acceptance_pdf, name="acceptance-pdf"))
