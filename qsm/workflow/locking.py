"""REL-1: one lock order for records with children, for writes that are not transitions.

A service that changes a record's child (a delivery of an order, a solution of an inquiry) or
edits a record outside ``fire`` must read the state it decides on **under the lock of the root
record**. A check made before the lock is a check of the past: another request may approve,
hand over or cancel the record between the check and the write.

    with locked(order, allowed=can_work_order, actor=actor, states=(S.REVIEW, S.RETURNED),
                denied=_("You are not allowed to change this order.")) as order:
        ...  # write; the order stays locked until the transaction commits

Rule: **lock the parent first**. Every service that touches a child and then looks at its
parent (or fires a transition on both) locks the parent before the child, so two requests
never hold the two locks in opposite orders (a deadlock) and the decision about the parent is
made on committed data (the delivery race: two confirmations each saw only their own line).

``fire`` locks the record it moves; called inside ``locked(root)`` for the root or for a
child, it keeps the same order (root, then child) because PostgreSQL row locks taken in one
transaction are re-entrant.
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from qsm.errors import PermissionDenied, TransitionNotAllowed

T = TypeVar("T")


def lock(record: T) -> T:
    """Lock ``record``'s row for the rest of the current transaction and return it fresh from the
    database. Must be called inside ``transaction.atomic()``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock() needs an open transaction: a row lock outside one is released at once.")
    return type(record)._base_manager.select_for_update().get(pk=record.pk)


@contextlib.contextmanager
def locked(
    record: T,
    *,
    actor: Any = None,
    allowed: Callable[[Any, Any], bool] | None = None,
    states: Iterable[str] | None = None,
    state_field: str = "status",
    denied: str | None = None,
    wrong_state: str | None = None,
) -> Iterator[T]:
    """Open a transaction, lock ``record`` (the root), re-check the actor's right and the state
    on the locked row, and yield it. Raises ``PermissionDenied`` or ``TransitionNotAllowed``
    from inside the lock; nothing is written when it raises.

    ``wrong_state`` may use ``%(state)s`` for the record's current state label. When the block
    ends, the caller's instance gets the field values of the locked row (it is never left stale).
    """
    with transaction.atomic():
        root = lock(record)
        if allowed is not None and not allowed(actor, root):
            raise PermissionDenied(denied or _("You are not allowed to change this record."))
        if states is not None:
            state = getattr(root, state_field)
            if state not in tuple(states):
                label = _state_label(root, state_field)
                message = wrong_state or _("This is not possible: the record is “%(state)s”.")
                raise TransitionNotAllowed(message % {"state": label} if "%(state)s" in message else message,
                                           state=state)
        yield root
    if root is not record:
        _copy_fields(root, record)


def _state_label(record, state_field: str) -> str:
    field = record._meta.get_field(state_field)
    value = getattr(record, state_field)
    return str(dict(field.choices or ()).get(value, value))


def _copy_fields(source, target) -> None:
    for f in source._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    target._state.fields_cache = {}
