"""NTF-1 / SLA-2: a mail server that accepts the connection and never answers stops nothing.

Every SMTP operation is bounded (EMAIL_TIMEOUT), no transaction or row lock is held while a
message is on the wire (claim, commit, send, mark), the first silent answer ends the batch, and
e-mail travels on its own queue: the reminders of the sweep still fire on time, and the e-mail
stays pending for the catch-up. Delivery is at least once, with one Message-ID per notification.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import socket
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.utils import timezone

from qsm.celery import app
from qsm.notify.models import Notification
from qsm.notify.services import _claim, message_id, notification_emails_send, notify
from qsm.notify.tasks import send_notification_emails, send_pending_emails
from qsm.org.models import Department, Role
from qsm.sla.calendar import default_calendar
from qsm.sla.models import Deadline
from qsm.sla.tasks import sweep_deadlines
from tests.factories import DepartmentFactory, UserFactory

SMTP = "django.core.mail.backends.smtp.EmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def black_hole():
    """An SMTP "server" that accepts every connection and never says a word."""
    server = socket.create_server(("127.0.0.1", 0), backlog=16)
    server.settimeout(0.05)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _address = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(conn)  # kept open, never answered

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join(timeout=5)
    for conn in accepted:
        conn.close()
    server.close()


@pytest.fixture
def silent_smtp(settings, black_hole):
    port, accepted = black_hole
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 1
    settings.EMAIL_USE_TLS = False
    return accepted


def _due_reminders(count: int) -> list[Deadline]:
    """``count`` running deadlines whose reminder level is due now, owned by people with e-mail."""
    department = DepartmentFactory(code="outage", name="Outage test department")
    owners = [UserFactory(username=f"owner{i}", email=f"owner{i}@example.com", language="en",
                          department=department, roles=[Role.STAFF]) for i in range(2)]
    now = timezone.now()
    return [
        Deadline.objects.create(
            content_type=ContentType.objects.get_for_model(Department), object_id=i, stage="outage-test",
            calendar=default_calendar(), title=f"Outage test #{i}", url=f"/outage-test/{i}/",
            owner=owners[i % 2], department=department, started_at=now - dt.timedelta(hours=2),
            allowed_minutes=240, remind_at=now - dt.timedelta(minutes=30), due_at=now + dt.timedelta(days=1),
        )
        for i in range(count)
    ]


@pytest.mark.spec("SLA-2", "NTF-1", "REL-1")
def test_reminders_fire_on_time_while_the_mail_server_never_answers(db, silent_smtp, django_capture_on_commit_callbacks,
                                                                    time_machine, mailoutbox):
    # given three due reminders and a mail server that accepts connections and never answers
    deadlines = _due_reminders(3)
    reminders = Notification.objects.filter(kind="sla_reminder", url__startswith="/outage-test/")

    # when the sweep runs
    started = time.monotonic()
    with django_capture_on_commit_callbacks() as callbacks:
        result = sweep_deadlines()
    sweep_seconds = time.monotonic() - started

    # then every reminder is there, in the app, at once: the sweep itself never touches SMTP
    assert result["reminded"] == 3 and reminders.count() == 3
    assert not Deadline.objects.filter(pk__in=[d.pk for d in deadlines], reminded_at__isnull=True).exists()
    assert silent_smtp == [] and sweep_seconds < 10

    # when the e-mails are handed over after commit (eager here: each mail task runs in this process)
    waits = []
    for callback in callbacks:
        started = time.monotonic()
        callback()
        waits.append(time.monotonic() - started)

    # then the batch's one mail task gave up after one bounded wait (EMAIL_TIMEOUT = 1 s) instead
    # of hanging: the sweep hands a batch's e-mails over in one message, not one per reminder
    assert len(waits) == 1 and len(silent_smtp) == 1
    assert all(0.9 <= wait < 5 for wait in waits), waits
    # and every e-mail stays pending, unclaimed, for the catch-up sweep
    assert set(reminders.values_list("email_wanted", "email_claimed_at", "emailed_at")) == {(True, None, None)}

    # when the mail server answers again, the catch-up sends each e-mail once
    django_settings.EMAIL_BACKEND = LOCMEM
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=3), tick=False)
    assert send_pending_emails() == 3
    assert send_pending_emails() == 0
    assert sorted(m.extra_headers["Message-ID"] for m in mailoutbox) == sorted(
        message_id(pk) for pk in reminders.values_list("pk", flat=True))


@pytest.mark.spec("NTF-1", "REL-1")
def test_a_silent_server_ends_the_batch_after_one_bounded_wait(silent_smtp, english_user):
    rows = [notify(recipients=[english_user], kind="sla_reminder", title=f"#{i}")[0] for i in range(4)]

    started = time.monotonic()
    assert send_notification_emails([n.pk for n in rows]) == 0
    elapsed = time.monotonic() - started

    assert 0.9 <= elapsed < 4  # one EMAIL_TIMEOUT, not four
    assert len(silent_smtp) == 1
    assert not Notification.objects.filter(email_claimed_at__isnull=False).exists()
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()


class _WatchingBackend(LocmemBackend):
    """Records, for each message, whether a transaction was open and whether another connection
    could lock the notification's row while the message was being sent."""

    seen: list[tuple[bool, bool]] = []

    def send_messages(self, messages):
        for message in messages:
            pk = int(message.extra_headers["Message-ID"].split("-")[2].split("@")[0])
            locked_elsewhere: list[bool] = []

            def try_lock(pk=pk, locked_elsewhere=locked_elsewhere):
                try:
                    with transaction.atomic():
                        Notification.objects.select_for_update(nowait=True).get(pk=pk)
                    locked_elsewhere.append(False)
                except Exception:
                    locked_elsewhere.append(True)
                finally:
                    connection.close()

            other = threading.Thread(target=try_lock)
            other.start()
            other.join(timeout=30)
            _WatchingBackend.seen.append((connection.in_atomic_block, locked_elsewhere == [True]))
        return super().send_messages(messages)


@pytest.mark.spec("NTF-1", "REL-1")
@pytest.mark.django_db(transaction=True)
def test_no_transaction_or_row_lock_is_held_while_a_message_is_sent(settings):
    settings.EMAIL_BACKEND = f"{__name__}._WatchingBackend"
    _WatchingBackend.seen = []
    user = UserFactory(username="alice", email="alice@example.com", language="en")
    ids = [n.pk for n in Notification.objects.bulk_create(
        Notification(recipient=user, kind="sla_reminder", title=f"#{i}") for i in range(3))]

    assert notification_emails_send(ids=ids) == 3

    # not in a transaction, and the row free for anyone to lock, during each send
    assert _WatchingBackend.seen == [(False, False)] * 3
    assert Notification.objects.filter(emailed_at__isnull=False, email_claimed_at__isnull=False).count() == 3


@pytest.mark.spec("NTF-1")
def test_a_repeat_after_a_dead_sender_is_the_same_message(english_user, time_machine, mailoutbox):
    # given a sender that claimed an e-mail, handed it to the server, and died before marking it
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    [n] = notify(recipients=[english_user], kind="sla_reminder", title="At least once")
    _claim(n.pk).send()
    assert len(mailoutbox) == 1

    # when the catch-up runs while the claim is still live, it leaves the e-mail alone
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=5), tick=False)
    assert send_pending_emails() == 0

    # when the claim has lapsed, the catch-up sends it again: at least once, not exactly once ...
    time_machine.move_to(timezone.now() + dt.timedelta(seconds=django_settings.NOTIFY_EMAIL_CLAIM_SECONDS), tick=False)
    assert send_pending_emails() == 1
    assert send_pending_emails() == 0

    # ... and the repeat carries the same Message-ID, derived from the notification, so mail
    # clients and servers recognise it as the same message
    assert len(mailoutbox) == 2
    ids = {m.message()["Message-ID"] for m in mailoutbox}
    assert ids == {f"<qsm-notification-{n.pk}@localhost>"}


@pytest.mark.spec("NTF-1", "SLA-2", "REL-1")
def test_mail_has_its_own_queue_and_every_task_a_time_limit():
    def queue(task):
        return app.amqp.router.route({}, task)["queue"].name

    assert queue("qsm.notify.tasks.send_notification_emails") == django_settings.CELERY_MAIL_QUEUE == "mail"
    assert queue("qsm.notify.tasks.send_pending_emails") == "mail"
    assert queue("qsm.sla.tasks.sweep_deadlines") == django_settings.CELERY_TASK_DEFAULT_QUEUE != "mail"
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    # a claim outlives any task that may hold it
    assert django_settings.NOTIFY_EMAIL_CLAIM_SECONDS > app.conf.task_time_limit
    assert 0 < django_settings.EMAIL_TIMEOUT <= 60


@pytest.mark.spec("REL-1")
def test_the_database_ends_a_session_left_idle_in_a_transaction(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting::int FROM pg_settings WHERE name = 'idle_in_transaction_session_timeout'")
        [timeout_ms] = cursor.fetchone()
    assert 0 < timeout_ms <= 15 * 60 * 1000


@pytest.mark.spec("REL-1")
def test_the_run_command_worker_consumes_the_default_and_the_mail_queue():
    spec = importlib.util.spec_from_file_location("qsm_run", Path(django_settings.BASE_DIR) / "scripts" / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)

    assert run.worker_queues({}) == "celery,mail"
    assert run.worker_queues({"CELERY_TASK_DEFAULT_QUEUE": "clocks", "CELERY_MAIL_QUEUE": "mail"}) == "clocks,mail"


@pytest.fixture
def english_user(db):
    return UserFactory(username="alice", email="alice@example.com", language="en")


@pytest.mark.spec("NTF-1")
def test_an_email_with_no_address_left_is_given_up_not_marked_sent(english_user, mailoutbox):
    [n] = notify(recipients=[english_user], kind="sla_reminder", title="Address removed")
    english_user.email = ""
    english_user.save(update_fields=["email"])

    assert notification_emails_send(ids=[n.pk]) == 0

    n.refresh_from_db()
    assert (n.email_wanted, n.emailed_at, mailoutbox) == (False, None, [])
