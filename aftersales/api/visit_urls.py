from rest_framework.routers import SimpleRouter

from .visits import VisitViewSet

router = SimpleRouter()
router.register("visits", VisitViewSet, basename="api-visit")

urlpatterns = router.urls
