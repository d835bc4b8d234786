"""VIS-1 with a real `celery -A qsm worker` process: the task beat sends plans the due visits."""
from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from django.conf import settings
from django.utils import timezone

from aftersales.models import Visit
from aftersales.tasks import schedule_visits
from qsm.celery import app
from qsm.followup.models import FollowUp
from qsm.followup.services import follow_up_request
from tests.factories import CustomerFactory
from tests.sla.test_celery_worker import BASE_DIR, Worker, _broker_url, _purge, _test_database_url, _wait_for


@pytest.fixture(autouse=True)
def _real_broker():
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


@pytest.mark.celery_worker
@pytest.mark.spec("VIS-1")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_beat_task_and_plans_the_due_visits(tmp_path, business_department):
    broker = _broker_url()
    queue = f"qsm-test-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.sla.worker_settings",
        "DATABASE_URL": _test_database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_MAIL_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "VISIT_SCHEDULER_BATCH": "3",
        "PYTHONPATH": str(BASE_DIR),
    }
    # the beat entry names the task the worker runs
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == schedule_visits.name)
    long_ago = timezone.now() - dt.timedelta(days=3)  # beat was down: these waited
    for c in (CustomerFactory() for _n in range(7)):
        follow_up_request(c, "case_resolved", long_ago, customer=c, department=business_department)
    worker = Worker(env=env, queue=queue, log=tmp_path / "worker.log")
    try:
        worker.wait_ready()
        with app.connection_for_write(broker) as conn:
            sent = app.send_task(entry["task"], queue=queue, connection=conn)
        _wait_for(lambda: Visit.objects.count() == 7, "the worker to plan the seven visits", [worker])
        _wait_for(lambda: f"[{sent.id}] succeeded" in worker.output(), "the task to finish", [worker])
    finally:
        worker.stop()
        _purge(broker, queue)
    assert not FollowUp.objects.filter(consumed_at__isnull=True).exists()
    assert sorted(Visit.objects.values_list("follow_up__customer_id", flat=True)) == sorted(
        FollowUp.objects.values_list("customer_id", flat=True))
    assert "Traceback" not in worker.output(), worker.output()[-3000:]
