"""Reading a record's many-to-many relations without re-querying what the page already loaded (PERF-1)."""
from __future__ import annotations

from django.db import models


def relation_contains(instance: models.Model, relation: str, pk) -> bool:
    """Whether ``instance.<relation>`` holds the row ``pk``: from the rows prefetched with the record
    when its page or endpoint loaded them (a rule asked several times per page costs nothing),
    otherwise one indexed lookup."""
    loaded = getattr(instance, "_prefetched_objects_cache", {}).get(relation)
    if loaded is not None:
        return any(row.pk == pk for row in loaded)
    return getattr(instance, relation).filter(pk=pk).exists()
