from django.urls import path

from . import views

app_name = "links"

urlpatterns = [
    path("l/<str:token>/", views.LinkOpenView.as_view(), name="open"),
    path("links/qr.<str:fmt>", views.LinkQRView.as_view(), name="qr"),
]
