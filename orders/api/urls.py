from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("orders", views.OrderViewSet, basename="api-order")
router.register("deliveries", views.DeliveryViewSet, basename="api-delivery")
router.register("installations", views.InstallationViewSet, basename="api-installation")

urlpatterns = router.urls
