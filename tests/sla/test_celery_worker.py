"""SLA-2 / NTF-1 with a real `celery -A qsm worker` process on the Redis broker.

The sweep claims its deadlines in batches (4 here: tests/sla/worker_settings.py), one transaction
each. The worker is SIGKILLed in the middle of a sweep: its second batch has claimed its deadlines
and written their reminders, and waits to commit on a user row this test holds locked (the
reminders' foreign key to their recipient). Then a new worker is started: the killed message comes
back (acks_late), a second sweep is sent, and still every deadline has exactly one reminder and
every reminder exactly one e-mail.

The waits below poll the database for a real process, bounded in time; no deadline is slept on.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from qsm.celery import app
from qsm.notify.models import Notification
from qsm.org.models import Department, Role, User
from qsm.sla.calendar import default_calendar
from qsm.sla.models import Deadline
from qsm.sla.tasks import sweep_deadlines
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture(autouse=True)
def _real_broker():
    """conftest makes tasks eager for the rest of the suite; this test needs the real broker."""
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


BASE_DIR = Path(settings.BASE_DIR)
DEADLINES = 12
BATCH = 4  # SLA_SWEEP_BATCH of the worker (tests/sla/worker_settings.py)
BLOCKED_AT = BATCH  # the first batch (deadlines 0-3) commits; the second waits on the locked owner
WAIT = 60.0  # seconds: an upper bound for a real process, never a deadline
POLL = 0.2


def _broker_url() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        return url  # CI and production: Redis must answer, or the test fails loudly
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except Exception:
        pytest.skip("CELERY_BROKER_URL is kombu's filesystem transport and no Redis answers on 127.0.0.1:6379: "
                    "a worker process needs a broker it can share with this test")
    return "redis://127.0.0.1:6379/0"


def _test_database_url() -> str:
    """DATABASE_URL of the test database this test runs in, for the worker process."""
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host, port, name = db.get("HOST") or "", str(db.get("PORT") or ""), quote(db["NAME"], safe="")
    if host.startswith("/"):  # a Unix socket folder (the embedded server): pass it as an option
        options = {"host": host, **({"port": port} if port else {})}
        return f"postgres://{auth}@/{name}?{urlencode(options)}"
    return f"postgres://{auth}@{host}{':' + port if port else ''}/{name}"


class Worker:
    """One `celery -A qsm worker` process group, consuming only this test's queue."""

    def __init__(self, *, env: dict, queue: str, log: Path):
        self.log = log
        celery = Path(sys.executable).with_name("celery")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [str(celery), "-A", "qsm", "worker", "-Q", queue, "-n", f"{queue}-{uuid.uuid4().hex[:4]}@%h",
             "-P", "prefork", "-c", "1", "-l", "info", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=BASE_DIR, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self) -> float:
        until = time.monotonic() + WAIT
        while time.monotonic() < until:
            if " ready." in self.output():
                return time.monotonic() - self.started
            assert self.proc.poll() is None, f"the worker exited:\n{self.output()[-3000:]}"
            time.sleep(POLL)
        raise AssertionError(f"the worker did not start within {WAIT} s:\n{self.output()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole group (the main process and its pool child), as a crash would."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # warm shutdown
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def _wait_for(condition, what: str, workers=()) -> float:
    start = time.monotonic()
    while time.monotonic() - start < WAIT:
        if condition():
            return time.monotonic() - start
        time.sleep(POLL)
    logs = "\n".join(w.output()[-2000:] for w in workers)
    raise AssertionError(f"timed out after {WAIT} s waiting for {what}\n{logs}")


def _mail(folder: Path) -> Counter:
    """Recipients of the messages the file-based e-mail backend wrote (one count per message)."""
    recipients = Counter()
    for f in folder.glob("*"):
        recipients.update(re.findall(r"^To: (.+)$", f.read_text(errors="replace"), flags=re.M))
    return recipients


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0] > 0


def _end_sessions_waiting_on_a_lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
    _wait_for(lambda: not _waiting_on_a_lock(), "the killed worker's session to end")


def _purge(broker: str, queue: str) -> None:
    """Leave nothing of this test's queue in a Redis that others share (best effort)."""
    import redis

    r = redis.Redis.from_url(broker)
    for key in r.scan_iter(match=f"{queue}*"):
        r.delete(key)
    r.delete(f"_kombu.binding.{queue}")
    for tag, raw in r.hgetall("unacked").items():
        try:
            _payload, exchange, routing_key = json.loads(raw)
        except ValueError:
            continue
        if queue in (exchange, routing_key):
            r.hdel("unacked", tag)
            r.zrem("unacked_index", tag)


@pytest.mark.celery_worker
@pytest.mark.spec("SLA-2", "NTF-1")
@pytest.mark.django_db(transaction=True)
def test_real_worker_killed_mid_sweep_still_reminds_and_mails_exactly_once(tmp_path):
    broker = _broker_url()
    queue = f"qsm-test-{uuid.uuid4().hex[:10]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.sla.worker_settings",
        "DATABASE_URL": _test_database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_MAIL_QUEUE": queue,  # the e-mail tasks the worker sends go to this queue too
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "PYTHONPATH": str(BASE_DIR),
    }
    # given twelve deadlines whose reminder is due, owned by an English and a Chinese speaker
    # (the first batch only by the English one)
    department = DepartmentFactory(code="worker", name="Worker test department")
    owners = [
        UserFactory(username="owner-en", email="owner-en@example.com", language="en", department=department,
                    roles=[Role.STAFF]),
        UserFactory(username="owner-zh", email="owner-zh@example.com", language="zh-hans", department=department,
                    roles=[Role.STAFF]),
    ]
    now = timezone.now()
    deadlines = [
        Deadline.objects.create(
            content_type=ContentType.objects.get_for_model(Department), object_id=i, stage="worker-test",
            calendar=default_calendar(), title=f"Worker test #{i}", url=f"/worker-test/{i}/",
            owner=owners[0 if i < BLOCKED_AT else i % 2], department=department,
            started_at=now - dt.timedelta(hours=2),
            allowed_minutes=240, remind_at=now - dt.timedelta(minutes=60 - i), due_at=now + dt.timedelta(days=1),
        )
        for i in range(DEADLINES)
    ]
    reminders = Notification.objects.filter(kind="sla_reminder", url__startswith="/worker-test/")
    timings: dict[str, float] = {}
    workers: list[Worker] = []
    test_started = time.monotonic()
    try:
        with app.connection_for_write(broker) as conn:
            with transaction.atomic():
                # when this test holds the Chinese owner's row, so the sweep's second batch cannot
                # commit its reminders to them and stops in the middle ...
                User.objects.select_for_update().get(pk=owners[1].pk)
                first = Worker(env=env, queue=queue, log=tmp_path / "worker-1.log")
                workers.append(first)
                timings["worker 1 ready"] = first.wait_ready()
                first_task = sweep_deadlines.apply_async(queue=queue, connection=conn)
                timings["first reminders"] = _wait_for(lambda: reminders.count() == BLOCKED_AT,
                                                       "the reminders before the locked row", workers)
                _wait_for(_waiting_on_a_lock, "the sweep to wait on the locked row", workers)
                # ... and the worker dies there, mid-task, holding the unacknowledged message, and
                # its database session with it (a host that went down: the COMMIT it had sent
                # never completes; an orphaned session would commit once the lock is free)
                first.kill()
                _end_sessions_waiting_on_a_lock()
            # then what the killed worker did not commit is not there
            assert reminders.count() == BLOCKED_AT
            assert not Deadline.objects.get(pk=deadlines[BLOCKED_AT].pk).reminded_at

            # when a new worker starts and beat sends the sweep again
            second = Worker(env=env, queue=queue, log=tmp_path / "worker-2.log")
            workers.append(second)
            timings["worker 2 ready"] = second.wait_ready()
            second_task = sweep_deadlines.apply_async(queue=queue, connection=conn)
            # then every deadline gets its reminder, every reminder its e-mail ...
            timings["all reminders"] = _wait_for(lambda: reminders.count() >= DEADLINES, "all reminders", workers)
            _wait_for(lambda: not reminders.filter(emailed_at__isnull=True).exists(), "all e-mails", workers)
            # ... and the killed message is delivered again (acks_late) and finds nothing left to do
            timings["killed message redelivered"] = _wait_for(
                lambda: f"[{first_task.id}] succeeded" in second.output()
                and f"[{second_task.id}] succeeded" in second.output(),
                "the redelivered and the second sweep to finish", workers)
            _wait_for(lambda: sum(_mail(mail_dir).values()) >= DEADLINES, "the mail files", workers)
            # let the e-mail tasks still in the queue (sent by both sweeps' commits) run out
            _wait_for(lambda: _queue_empty(broker, queue), "the queue to drain", workers)
        timings["total"] = time.monotonic() - test_started
    finally:
        for w in workers:
            w.stop()
        _purge(broker, queue)

    # exactly one reminder per deadline, to its owner, in the owner's language
    per_deadline = Counter(reminders.values_list("url", "recipient__username"))
    assert len(per_deadline) == DEADLINES and set(per_deadline.values()) == {1}, per_deadline
    assert not Deadline.objects.filter(pk__in=[d.pk for d in deadlines], reminded_at__isnull=True).exists()
    english = reminders.filter(recipient__username="owner-en").first()
    assert english.title.startswith("Reminder: Worker test #")
    # exactly one e-mail per reminder
    assert _mail(mail_dir) == Counter(d.owner.email for d in deadlines)
    assert _mail(mail_dir)["owner-zh@example.com"] == (DEADLINES - BLOCKED_AT) // 2
    assert "Killed" not in second.output() and "Traceback" not in second.output(), second.output()[-3000:]
    print("celery worker timings (s):", {k: round(v, 2) for k, v in timings.items()})


def _queue_empty(broker: str, queue: str) -> bool:
    import redis

    r = redis.Redis.from_url(broker)
    if r.llen(queue):
        return False
    return not any(queue in raw.decode(errors="replace") for raw in r.hvals("unacked"))
