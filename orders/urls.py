from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="order-list"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("from-inquiry/<int:pk>/", views.OrderFromInquiryView.as_view(), name="order-from-inquiry"),
]
