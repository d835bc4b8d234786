"""The one Celery app. Beat drives every clock (DESIGN.md, Clocks)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qsm.settings")

app = Celery("qsm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
