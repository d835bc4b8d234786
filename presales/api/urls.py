from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("inquiries", views.InquiryViewSet, basename="api-inquiry")

urlpatterns = router.urls
