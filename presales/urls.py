from django.http import HttpResponse
from django.urls import path

app_name = "presales"


def _todo(request, *args, **kwargs):  # replaced by the pages work in progress
    return HttpResponse(status=501)


urlpatterns = [
    path("inquiries/", _todo, name="inquiry-list"),
    path("inquiries/<int:pk>/", _todo, name="inquiry-detail"),
]
