"""System checks of the declared workflows (run at start-up by ``manage.py`` and by the tests)."""
from __future__ import annotations

from django.core import checks
from django.db import DatabaseError, connections


def _migrations_pending(alias: str = "default") -> bool:
    """Before ``migrate`` has loaded the policies there is nothing to check (and ``migrate``
    itself runs the checks first: an error here must not stop it)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def clock_policies(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """qsm.E001: every policy clock a workflow declares has an active catch-all SLA policy.

    A catch-all is the policy with blank channel and priority: without it a record whose channel
    or priority has no specific policy would get no deadline at all (SLA-1).
    """
    from qsm.sla.models import SlaPolicy

    from .engine import workflows

    errors: list[checks.CheckMessage] = []
    try:
        if _migrations_pending():
            return []
        for wf in workflows():
            for clock in wf.clocks:
                if clock.is_date:
                    continue
                if not SlaPolicy.objects.filter(record_type=wf.record_type, stage=clock.stage, channel="",
                                                priority="", is_active=True).exists():
                    errors.append(checks.Error(
                        f"No active SLA policy for the {wf.record_type} clock “{clock.stage}”.",
                        hint=(f"Add or activate an SLA policy with record type {wf.record_type}, stage "
                              f"{clock.stage}, any channel and any priority (admin: SLA policies)."),
                        obj=wf.model, id="qsm.E001",
                    ))
    except DatabaseError:  # no database yet (a build step): nothing to check against
        return []
    return errors
