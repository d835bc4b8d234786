"""Who is who in quality control (§4, ORG-1): the predicates every concern's rules.py shares.

- the quality department's staff (officers and managers) run standards, inspections, notices and
  training for every department (they also see everything: ``qsm.org.rules.sees_everything``);
- the quality manager (a manager of the quality department) approves standard revisions, cancels
  inspections and notices, and may approve a rectification plan for any department;
- ``SYSTEM`` fires the transitions nobody fires by hand (a version taking effect, a notice whose
  plan was approved starting its rectification).
"""
from __future__ import annotations

import rules

from aftersales.rules import is_quality_staff  # noqa: F401  (re-exported for the concerns)
from qsm.org.rules import in_quality_department, is_administrator, is_manager
from qsm.workflow.actors import SystemActor, is_system

SYSTEM = SystemActor("assessment")


@rules.predicate
def system_only(actor, record) -> bool:
    """The cascades' transitions: fired by ``SYSTEM`` (a service's lock, a beat sweep), never by a person."""
    return is_system(actor)


@rules.predicate
def is_quality_manager(user, record=None) -> bool:
    """§4: the quality manager: a manager of the quality department."""
    return bool(getattr(user, "is_authenticated", False) and in_quality_department(user) and is_manager(user))


def is_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "pk", None) and user.is_active)


def actor_user(actor):
    """The person behind ``actor`` (None for the system)."""
    return actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None


def quality_department():
    """The quality department (its managers are told of quality clocks); None before it exists."""
    from qsm.org.models import Department

    return Department.objects.filter(kind=Department.Kind.QUALITY).order_by("pk").first()


@rules.predicate
def quality_staff(user, record=None) -> bool:
    """The quality department's officers and managers (a predicate of one record, for the tables)."""
    return bool(is_quality_staff(user))


quality_staff_or_admin = is_quality_staff | is_administrator
