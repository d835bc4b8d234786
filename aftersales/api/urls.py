from . import visit_urls

# /api/aftersales/visits/ (visit_urls); the case endpoints join here.
urlpatterns = [
    *visit_urls.urlpatterns,
]
