"""The benchmark's URLconf: the project's, plus the bare signed-in view. Used only by
`manage.py bench` (in-process) and the gunicorn it starts (qsm.bench.settings), never in
production: qsm.urls does not mount the bare view."""
from django.urls import path

from qsm.urls import handler400  # noqa: F401  (handler400 is read by Django)
from qsm.urls import urlpatterns as project_urlpatterns

from .views import bare

BARE_PATH = "/__bench__/ok/"

urlpatterns = [path(BARE_PATH.strip("/") + "/", bare, name="bench-bare"), *project_urlpatterns]
