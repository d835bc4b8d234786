from rest_framework.routers import SimpleRouter

from . import views, visit_urls

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="api-case")

# /api/aftersales/cases/ (the router) and /api/aftersales/visits/ (visit_urls).
urlpatterns = [*router.urls, *visit_urls.urlpatterns]
