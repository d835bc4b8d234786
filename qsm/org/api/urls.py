from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("customers", views.CustomerViewSet, basename="api-customer")
router.register("products", views.ProductViewSet, basename="api-product")
router.register("departments", views.DepartmentViewSet, basename="api-department")
router.register("users", views.UserDirectoryViewSet, basename="api-user")

urlpatterns = router.urls
