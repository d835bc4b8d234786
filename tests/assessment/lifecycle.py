"""The lifecycle-table checker of the quality-control tests (like tests/complaints/test_lifecycle).

For a record in a state, every (action, role) is fired through the engine inside a savepoint that
is rolled back. Expected: an allowed role in a source state moves the record to the target; a role
the rules refuse -> PermissionDenied; an allowed role in another state -> TransitionNotAllowed.
Whatever is refused changes nothing: the status, the timeline and the deadlines of the record.
"""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from qsm.errors import PermissionDenied, TransitionNotAllowed
from qsm.sla.models import Deadline
from qsm.workflow import engine
from qsm.workflow.models import Event

# Everyone the tables try (tests/builders/assessment.py ``cast``), plus the SYSTEM actor.
ROLES = ("quality", "quality_manager", "member", "colleague", "manager", "service_staff", "service_manager",
         "outsider", "outside_manager", "administrator")


class _Rollback(Exception):
    pass


def snapshot(record) -> tuple:
    ct = ContentType.objects.get_for_model(record)
    fresh = type(record).objects.get(pk=record.pk)
    return (fresh.status, Event.objects.filter(content_type=ct, object_id=record.pk).count(),
            sorted(Deadline.objects.filter(content_type=ct, object_id=record.pk).values_list("stage", "state")))


def fire(action, **params):
    def run(record, actor):
        engine.fire(record, action, actor=actor, **params)
    return run


def attempt(record, actor, expected: str, target: str, run) -> str | None:
    """Run ``run(fresh record, actor)`` in a rolled-back savepoint; a mismatch as text, or None."""
    model = type(record)
    before = snapshot(record)
    outcome = None
    try:
        with transaction.atomic():
            fresh = model.objects.get(pk=record.pk)
            try:
                run(fresh, actor)
                moved = model.objects.get(pk=record.pk).status
                outcome = "allowed" if moved == target else f"allowed but moved to {moved}"
            except PermissionDenied:
                outcome = "denied"
            except TransitionNotAllowed:
                outcome = "illegal"
            if outcome in ("denied", "illegal") and snapshot(record) != before:
                outcome += " and changed something"
            raise _Rollback
    except _Rollback:
        pass
    return None if outcome == expected else f"expected {expected}, got {outcome}"


def check(record, table: dict, roles: dict) -> list[str]:
    """Every (action, role) of ``table`` ({action: (sources, target, allowed roles, run)}) on ``record``."""
    state = record.status
    problems = []
    for action, (sources, target, allowed, run) in table.items():
        for role, actor in roles.items():
            expected = ("allowed" if state in sources else "illegal") if role in allowed else "denied"
            problem = attempt(record, actor, expected, target, run)
            if problem:
                problems.append(f"{state} / {action} / {role}: {problem}")
    return problems


def roles_of(people, **extra) -> dict:
    from assessment.rules import SYSTEM

    return {**{r: getattr(people, r) for r in ROLES}, "system": SYSTEM, **extra}
