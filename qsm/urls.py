from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from qsm import views
from qsm.api.schema_view import SchemaView
from qsm.org import account_views
from qsm.sla.views import CalendarReloadView
from qsm.web.legacy_urls import legacy_urlpatterns

handler400 = "qsm.views.bad_request"

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("qsm.org.account_urls")),
    path("language/", views.LanguageSwitchView.as_view(), name="set-language"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", views.NotificationMarkReadView.as_view(), name="notifications-read"),
    path("exports/", include("qsm.exports.urls")),
    path("calendar/reload/", CalendarReloadView.as_view(), name="calendar-reload"),
    # The old addresses (/orders/orders/, /presales/inquiries/, /org/customers/) and /favicon.ico
    # redirect permanently; they come first, before the apps' own patterns.
    *legacy_urlpatterns(),
    path("", include("qsm.org.urls")),
    path("presales/", include("presales.urls")),
    path("orders/", include("orders.urls")),
    path("aftersales/", include("aftersales.urls")),
    path("complaints/", include("complaints.urls")),
    path("quality/", include("assessment.urls")),
    path("", include("qsm.links.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("qsm.api.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # The split view serves the Swagger UI's init script from ?script: no inline script (CSP, SEC-2).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
