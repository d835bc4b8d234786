"""NTF-1: notifications in the recipient's language; e-mail after commit only, once per send
attempt that wins the claim (delivery as a whole is at least once: tests/notify/test_mail_outage.py),
caught up when the broker was down; the unread count and mark-read."""
from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from qsm.celery import app
from qsm.notify.models import Notification
from qsm.notify.selectors import notification_list, notification_unread_count
from qsm.notify.services import notification_emails_send, notification_mark_read, notify
from qsm.notify.tasks import send_notification_emails, send_pending_emails
from qsm.sla.services import REMINDER_TITLE
from tests.factories import UserFactory

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: a real, refused connection


def _reset_broker_pools() -> None:
    # Drop the app's connection pools so the next publish connects to the configured URL. The
    # pools are not closed: kombu keeps them in a global registry that later tests reuse.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """Point the Celery app at a closed port, as when Redis is down, and back afterwards."""
    previous = app.conf.broker_url, app.conf.broker_write_url, app.conf.task_always_eager
    app.conf.broker_url = app.conf.broker_write_url = CLOSED_PORT_BROKER
    app.conf.task_always_eager = False  # really publish, to the closed port
    _reset_broker_pools()
    yield
    app.conf.broker_url, app.conf.broker_write_url, app.conf.task_always_eager = previous
    _reset_broker_pools()


@pytest.fixture
def eager_celery():
    """Run enqueued tasks in-process, so an enqueued e-mail lands in the test outbox at once."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def english(db):
    return UserFactory(username="alice", email="alice@example.com", language="en")


@pytest.fixture
def chinese(db):
    return UserFactory(username="li", email="li@example.com", language="zh-hans")


# --- language ----------------------------------------------------------------------------------


@pytest.mark.spec("NTF-1")
def test_each_recipient_is_told_in_their_own_language(english, chinese, mailoutbox):
    # given a message Django itself translates, so the Chinese text exists whatever our catalogue holds
    title = gettext_lazy("This field is required.")
    # when both are notified from a request that runs in English
    with translation.override("en"):
        rows = notify(recipients=[english, chinese], kind="sla_reminder", title=title)
    # then each row holds the text in its recipient's language
    by_user = {n.recipient.username: n.title for n in rows}
    assert by_user == {"alice": "This field is required.", "li": "此项为必填项。"}
    # and the e-mail carries that text too
    notification_emails_send(ids=[n.pk for n in rows])
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects == {"alice@example.com": "[QSM] This field is required.", "li@example.com": "[QSM] 此项为必填项。"}


@pytest.mark.spec("NTF-1", "SLA-2")
def test_a_reminder_title_is_rendered_per_recipient(english, chinese):
    params = {"title": "INQ-2026-000001 Spring order", "due": "2026-02-24 10:00"}
    with translation.override("zh-hans"):
        rows = notify(recipients=[english, chinese], kind="sla_reminder", title=REMINDER_TITLE, params=params)
        expected_chinese = str(REMINDER_TITLE) % params  # our catalogue's text, or the source until translated
    by_user = {n.recipient.username: n.title for n in rows}
    assert by_user["alice"] == "Reminder: INQ-2026-000001 Spring order is due at 2026-02-24 10:00"
    assert by_user["li"] == expected_chinese


@pytest.mark.spec("NTF-1")
def test_each_person_is_told_once_and_inactive_or_excluded_people_not_at_all(english, chinese):
    gone = UserFactory(username="gone", is_active=False)
    rows = notify(recipients=[english, english, chinese, gone, None], kind="sla_reminder", title="Hello", exclude=chinese)
    assert [n.recipient for n in rows] == [english]
    no_mail = UserFactory(username="nomail", email="")
    assert notify(recipients=[no_mail], kind="sla_reminder", title="Hello")[0].email_wanted is False


# --- only after commit ---------------------------------------------------------------------------


@pytest.mark.spec("NTF-1")
def test_no_email_is_enqueued_for_a_transaction_that_rolled_back(english, django_capture_on_commit_callbacks):
    # when the action that notified fails afterwards
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                notify(recipients=[english], kind="sla_reminder", title="Will be rolled back")
                raise RuntimeError("the action failed")
    # then no row remains and nothing was handed to the broker
    assert callbacks == []
    assert not Notification.objects.exists()
    # while a committed one schedules exactly one hand-off, after the commit
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            notify(recipients=[english], kind="sla_reminder", title="Committed")
            assert callbacks == []  # not yet: the transaction is still open
    assert len(callbacks) == 1


@pytest.mark.spec("NTF-1")
@pytest.mark.django_db(transaction=True)
def test_rolled_back_and_committed_notifications_with_a_real_commit(eager_celery, mailoutbox):
    english = UserFactory(username="alice", email="alice@example.com", language="en")
    # when an action notifies and then fails, in a real transaction
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            notify(recipients=[english], kind="sla_reminder", title="Will be rolled back")
            raise RuntimeError("the action failed")
    # then nothing is left: no row, no pending callback, no e-mail
    assert not Notification.objects.exists()
    assert connection.run_on_commit == []
    assert mailoutbox == []
    # when one commits, the e-mail goes out after the commit (eager here: no broker needed)
    with transaction.atomic():
        notify(recipients=[english], kind="sla_reminder", title="Committed")
        assert mailoutbox == []
    assert [m.subject for m in mailoutbox] == ["[QSM] Committed"]
    assert Notification.objects.get().emailed_at is not None


# --- one claim, one send ---------------------------------------------------------------------


@pytest.mark.spec("NTF-1")
def test_email_is_sent_once_even_if_the_task_runs_twice(english, mailoutbox):
    [n] = notify(recipients=[english], kind="sla_reminder", title="Once")
    assert send_notification_emails([n.pk]) == 1
    assert send_notification_emails([n.pk]) == 0  # a redelivered message finds it claimed
    assert len(mailoutbox) == 1
    n.refresh_from_db()
    assert n.emailed_at is not None


@pytest.mark.spec("NTF-1")
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_emails_at_once_send_each_once(mailoutbox):
    # given twenty unsent e-mails (rows made directly: notify() would hand them to the real broker
    # on commit, and this test is about two senders racing, not about the hand-off)
    users = [UserFactory(username=f"u{i}", email=f"u{i}@example.com", language="en") for i in range(2)]
    ids = [n.pk for n in Notification.objects.bulk_create(
        Notification(recipient=users[i % 2], kind="sla_reminder", title=f"Race {i}") for i in range(20)
    )]
    barrier = threading.Barrier(2)
    sent, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=30)
            sent.append(notification_emails_send(ids=ids))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sum(sent) == len(ids) == 20
    assert len(mail.outbox) == 20
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


@pytest.mark.spec("NTF-1")
def test_a_refused_address_is_given_up_without_holding_back_the_others(english, chinese, mailoutbox):
    rows = notify(recipients=[english, chinese], kind="sla_reminder", title="Partly")
    english.email = "not an address\n"  # a header injection attempt: Django refuses to send it
    english.save()
    assert notification_emails_send(ids=[n.pk for n in rows]) == 1
    assert [m.to for m in mailoutbox] == [["li@example.com"]]
    refused = Notification.objects.get(recipient=english)
    # the in-app notification stays; its e-mail is not retried for ever by the catch-up
    assert (refused.email_wanted, refused.emailed_at) == (False, None)


@pytest.mark.spec("NTF-1")
def test_an_smtp_server_that_is_down_leaves_the_email_for_the_catch_up(english, settings, time_machine, mailoutbox):
    [n] = notify(recipients=[english], kind="sla_reminder", title="Server down")
    # given an SMTP server that refuses connections (nothing listens on port 1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 5
    assert notification_emails_send(ids=[n.pk]) == 0
    n.refresh_from_db()
    assert (n.email_wanted, n.email_claimed_at, n.emailed_at) == (True, None, None)  # the claim was given back
    # when the server is back, the catch-up sends it
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=3), tick=False)
    assert send_pending_emails() == 1
    assert [m.subject for m in mailoutbox] == ["[QSM] Server down"]


# --- broker down ---------------------------------------------------------------------------------


@pytest.mark.spec("NTF-1", "SLA-2")
def test_emails_whose_enqueue_failed_are_caught_up_by_the_pending_sweep(
    english, broker_down, time_machine, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    # given the broker is down when a notification commits
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)
    with caplog.at_level(logging.WARNING, logger="qsm.notify.services"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            [n] = notify(recipients=[english], kind="sla_reminder", title="Broker was down")
    # then the request did not fail, the hand-off was tried and logged, and nothing was sent
    assert len(callbacks) == 1
    assert "could not enqueue notification e-mails" in caplog.text
    assert mailoutbox == []
    n.refresh_from_db()
    assert n.emailed_at is None
    # when the catch-up runs a minute later, it leaves the e-mail to a possibly queued task
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=1), tick=False)
    assert send_pending_emails() == 0
    # and two minutes later it sends it, once
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=2), tick=False)
    assert send_pending_emails() == 1
    assert send_pending_emails() == 0
    assert [m.subject for m in mailoutbox] == ["[QSM] Broker was down"]


# --- the bell ------------------------------------------------------------------------------------


@pytest.mark.spec("NTF-1")
def test_unread_count_and_mark_read(english, chinese):
    mine = [notify(recipients=[english], kind="sla_reminder", title=f"#{i}")[0] for i in range(3)]
    theirs = notify(recipients=[chinese], kind="sla_reminder", title="theirs")[0]
    assert notification_unread_count(user=english) == 3
    # marking one read
    assert notification_mark_read(user=english, ids=[mine[0].pk]) == 1
    assert notification_unread_count(user=english) == 2
    # someone else's id is not touched
    assert notification_mark_read(user=english, ids=[theirs.pk]) == 0
    assert notification_unread_count(user=chinese) == 1
    # marking all read, twice
    assert notification_mark_read(user=english) == 2
    assert notification_mark_read(user=english) == 0
    assert notification_unread_count(user=english) == 0
    # the list is newest first and only the user's own
    assert list(notification_list(user=english)) == mine[::-1]


@pytest.mark.spec("NTF-1", "API-2")
def test_an_unregistered_kind_is_refused_before_anything_is_written(staff_user):
    # The API publishes the kinds as an enum and the admin names them: a stray code is a bug.
    from qsm.notify.services import Notice, notify, notify_all

    with pytest.raises(ValueError, match="not registered"):
        notify(recipients=[staff_user], kind="no_such_kind", title="x")
    with pytest.raises(ValueError, match="not registered"):
        notify_all([Notice(recipients=[staff_user], kind="no_such_kind", title="x")])
    assert not Notification.objects.exists()
