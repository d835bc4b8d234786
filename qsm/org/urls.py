from django.urls import path

from . import views

app_name = "org"

# Included at the site root: /customers/... (the old /org/customers/ redirects, qsm.web.legacy_urls).
urlpatterns = [
    path("customers/", views.CustomerListView.as_view(), name="customer-list"),
    path("customers/new/", views.CustomerCreateView.as_view(), name="customer-create"),
    path("customers/lookup/", views.CustomerLookupView.as_view(), name="customer-lookup"),
    path("people/lookup/", views.UserLookupView.as_view(), name="user-lookup"),
    path("people/options/", views.UserOptionsView.as_view(), name="user-options"),
    path("customers/<int:pk>/", views.CustomerDetailView.as_view(), name="customer-detail"),
]
