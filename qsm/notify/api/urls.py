from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("", views.NotificationViewSet, basename="api-notification")

urlpatterns = router.urls
