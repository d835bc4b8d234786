"""SLA-2 / NTF-1 with real `celery -A qsm worker` processes: a mail server that accepts the
connection and never answers holds up no reminder, and a warm shutdown of the mail worker ends.

A clock worker consumes the default queue and a mail worker the `mail` queue, as the README
tells production to run them. The mail queue is filled with e-mails for a silent server first;
the sweep sent after them still puts every reminder in the app within seconds, while the mail
worker is still working through its backlog, one bounded wait (EMAIL_TIMEOUT = 1 s) at a time.
"""
from __future__ import annotations

import datetime as dt
import os
import time
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from qsm.celery import app
from qsm.notify.models import Notification
from qsm.notify.tasks import send_notification_emails
from qsm.org.models import Department, Role
from qsm.sla.calendar import default_calendar
from qsm.sla.models import Deadline
from qsm.sla.tasks import sweep_deadlines
from tests.factories import DepartmentFactory, UserFactory
from tests.notify.test_mail_outage import black_hole  # noqa: F401  (a fixture)
from tests.sla.test_celery_worker import (
    BASE_DIR,
    Worker,
    _broker_url,
    _purge,
    _test_database_url,
    _wait_for,
)

BACKLOG = 30  # e-mails queued before the sweep: at least 30 s of a silent server for one process
REMINDERS = 6


@pytest.fixture(autouse=True)
def _real_broker():
    """conftest makes tasks eager for the rest of the suite; this test needs the real broker."""
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


@pytest.mark.celery_worker
@pytest.mark.spec("SLA-2", "NTF-1", "REL-1")
@pytest.mark.django_db(transaction=True)
def test_real_workers_remind_on_time_while_the_mail_server_never_answers(tmp_path, black_hole):  # noqa: F811
    port, accepted = black_hole
    broker = _broker_url()
    suffix = uuid.uuid4().hex[:10]
    clock_queue, mail_queue = f"qsm-test-clocks-{suffix}", f"qsm-test-mail-{suffix}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.sla.worker_settings",
        "DATABASE_URL": _test_database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": clock_queue,
        "CELERY_MAIL_QUEUE": mail_queue,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_TIMEOUT": "1",
        "PYTHONPATH": str(BASE_DIR),
    }
    # given due reminders, and a backlog of e-mails for a mail server that never answers
    department = DepartmentFactory(code="mailworker", name="Mail worker test department")
    owner = UserFactory(username="owner", email="owner@example.com", language="en", department=department,
                        roles=[Role.STAFF])
    now = timezone.now()
    for i in range(REMINDERS):
        Deadline.objects.create(
            content_type=ContentType.objects.get_for_model(Department), object_id=i, stage="mail-worker-test",
            calendar=default_calendar(), title=f"Mail worker test #{i}", url=f"/mail-worker-test/{i}/",
            owner=owner, department=department, started_at=now - dt.timedelta(hours=2), allowed_minutes=240,
            remind_at=now - dt.timedelta(minutes=30), due_at=now + dt.timedelta(days=1),
        )
    backlog = Notification.objects.bulk_create(
        Notification(recipient=owner, kind="sla_reminder", title=f"Backlog #{i}") for i in range(BACKLOG))
    reminders = Notification.objects.filter(kind="sla_reminder", url__startswith="/mail-worker-test/")
    workers: list[Worker] = []
    timings: dict[str, float] = {}
    try:
        with app.connection_for_write(broker) as conn:
            for n in backlog:
                send_notification_emails.apply_async(([n.pk],), queue=mail_queue, connection=conn)
            mail = Worker(env=env, queue=mail_queue, log=tmp_path / "mail.log")
            clocks = Worker(env=env, queue=clock_queue, log=tmp_path / "clocks.log")
            workers += [mail, clocks]
            mail.wait_ready()
            clocks.wait_ready()
            _wait_for(lambda: len(accepted) >= 1, "the mail worker to reach the silent server", workers)

            # when beat sends the sweep while the mail worker is stuck on its backlog
            sent_at = time.monotonic()
            sweep_deadlines.apply_async(queue=clock_queue, connection=conn)

            # then every reminder is in the app within seconds, long before the backlog is through
            timings["reminders"] = _wait_for(lambda: reminders.count() == REMINDERS, "the reminders", workers)
            attempts = len(accepted)
            assert attempts < BACKLOG, f"the mail worker got through {attempts} e-mails before the reminders came"
            assert timings["reminders"] < 20

            # and each mail task gives up after one bounded wait: the worker keeps moving
            _wait_for(lambda: len(accepted) >= attempts + 2, "the mail worker to move on", workers)

            # when the mail worker is asked to stop (warm shutdown), it finishes its current task and ends
            stopping = time.monotonic()
            mail.proc.terminate()  # the main process only, as `make run` stops it: warm shutdown
            mail.proc.wait(timeout=20)
            timings["mail worker stop"] = time.monotonic() - stopping
            timings["since sweep sent"] = time.monotonic() - sent_at
    finally:
        for w in workers:
            w.stop()
        _purge(broker, clock_queue)
        _purge(broker, mail_queue)

    # nothing was sent, nothing is left claimed: every e-mail waits for the catch-up
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()
    assert not Notification.objects.filter(email_claimed_at__isnull=False).exists()
    assert Notification.objects.filter(email_wanted=True).count() == BACKLOG + REMINDERS
    assert "Traceback" not in clocks.output(), clocks.output()[-3000:]
    print("mail outage worker timings (s):", {k: round(v, 2) for k, v in timings.items()})
