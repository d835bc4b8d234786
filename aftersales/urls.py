from . import visit_urls

app_name = "aftersales"

# /aftersales/visits/... (visit_urls); the case pages join here.
urlpatterns = [
    *visit_urls.urlpatterns,
]
