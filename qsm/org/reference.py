"""Reference data of the organisation app: the role groups every installation has (ORG-1).

Declared on the AppConfig (``reference_data``); the test suite reloads it after a flush. The
loader is idempotent and takes an app registry, so a data migration may call it with its own.
"""
from __future__ import annotations

ROLES = ["staff", "quality_officer", "manager", "administrator", "installation_engineer"]


def load(apps) -> None:
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
