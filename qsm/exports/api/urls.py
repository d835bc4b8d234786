from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("", views.ExportJobViewSet, basename="api-export-job")

urlpatterns = router.urls
