"""How the timeline lines of a record's child rows read (WF-2): a plan's steps or measures added,
changed and removed, written as raw data by the module's service and rendered in the reader's
language when read (``qsm.workflow.selectors.register_event_text``)."""
from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _


def day_text(value) -> str:
    """An ISO date of an event's data in the reader's format ("—" for none)."""
    return formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT") if value else "—"


def changes_text(model: type[models.Model], changes: dict, *, dates=("due_date",)) -> str:
    """``{"field": [old, new], ...}`` as "label: old → new; ..." (dates in the reader's format; a
    field the model does not have is named as written)."""
    parts = []
    for name, (old, new) in changes.items():
        if name in dates:
            old, new = day_text(old), day_text(new)
        try:
            label = model._meta.get_field(name).verbose_name
        except models.FieldDoesNotExist:
            label = name
        parts.append(_("%(field)s: %(old)s → %(new)s") % {"field": label, "old": old, "new": new})
    return "; ".join(parts)
