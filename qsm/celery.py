"""The one Celery app. Beat drives every clock (DESIGN.md, Clocks).

Two queues (qsm/settings.py): the default one for the sweeps and `mail` for e-mail, so a mail
server that does not answer never holds up a reminder; every task has a soft and a hard time
limit. Configuration comes from the CELERY_* settings.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qsm.settings")

app = Celery("qsm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
