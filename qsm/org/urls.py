from django.http import HttpResponse
from django.urls import path

app_name = "org"


def _todo(request, *args, **kwargs):  # replaced by the pages work in progress
    return HttpResponse(status=501)


urlpatterns = [
    path("customers/", _todo, name="customer-list"),
    path("customers/<int:pk>/", _todo, name="customer-detail"),
]
