from django.urls import include, path

from . import views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("inbox/", views.InboxView.as_view(), name="api-inbox"),
    path("auth/token/", views.TokenObtainView.as_view(), name="api-token"),
    path("auth/token/revoke/", views.TokenRevokeView.as_view(), name="api-token-revoke"),
    path("org/", include("qsm.org.api.urls")),
    path("notifications/", include("qsm.notify.api.urls")),
    path("exports/", include("qsm.exports.api.urls")),
    path("presales/", include("presales.api.urls")),
    path("orders/", include("orders.api.urls")),
    path("aftersales/", include("aftersales.api.urls")),
    path("complaints/", include("complaints.api.urls")),
    path("quality/", include("assessment.api.urls")),
]
