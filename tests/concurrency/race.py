"""Two database connections racing for one record (STYLE.md: a race is proven, not argued).

``at_once`` starts callables in threads behind a barrier, each on its own connection, and
returns what each returned or raised. ``while_held`` is the deterministic form of the same
race: ``holder`` commits its change while ``contender`` (working from what it read before) is
already waiting on the root record's lock, which is the interleaving that turns a check made
before the lock into a write on a record in the wrong state.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def at_once(*calls, timeout: float = 60) -> list[Outcome]:
    barrier = threading.Barrier(len(calls))
    outcomes = [Outcome() for _ in calls]

    def run(i, call):
        try:
            barrier.wait(timeout=timeout)
            outcomes[i].value = call()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            outcomes[i].error = exc
        finally:
            connection.close()  # each thread has its own connection; leave none behind

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout * 2)
    assert not any(t.is_alive() for t in threads), "a racing thread hung (deadlock?)"
    return outcomes


def _lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def while_held(holder, contender, *, wait_for_waiter: float = 5.0) -> tuple[Outcome, Outcome]:
    """Run ``holder`` in a transaction on one connection; once it has done its work (and holds
    its row locks), start ``contender`` on a second connection, wait until the contender is
    blocked on a lock (or ``wait_for_waiter`` seconds if it never takes one: code that does not
    lock), then commit the holder. Returns (holder outcome, contender outcome)."""
    held, released = threading.Event(), threading.Event()
    first, second = Outcome(), Outcome()

    def hold():
        try:
            with transaction.atomic():
                first.value = holder()
                held.set()
                deadline = time.monotonic() + wait_for_waiter
                while time.monotonic() < deadline and not released.is_set() and _lock_waiters() == 0:
                    time.sleep(0.02)
        except BaseException as exc:  # noqa: BLE001
            first.error = exc
        finally:
            held.set()
            connection.close()

    def contend():
        try:
            held.wait(timeout=30)
            second.value = contender()
        except BaseException as exc:  # noqa: BLE001
            second.error = exc
        finally:
            released.set()
            connection.close()

    threads = [threading.Thread(target=hold), threading.Thread(target=contend)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a racing thread hung (deadlock?)"
    assert first.ok, first.error
    return first, second
