"""Status colours, declared by the module that owns the states (not a global table in the core).

A module declares the Bootstrap colour of each value of a choice field next to its lifecycle
table, e.g. in ``orders/workflows.py``::

    declare_colours(Order, {S.REVIEW: "warning", S.RETURNED: "danger", ...})
    declare_colours(ReviewFinding, {...}, field="result")

The ``status_badge`` template tag asks ``colour_for(record, field)``. A declaration must name a
colour for every choice of the field: a new state without a colour fails at start-up, not as a
grey badge nobody notices.
"""
from __future__ import annotations

from django.db import models

COLOURS = frozenset({"primary", "secondary", "success", "danger", "warning", "info", "light", "dark"})
DEFAULT = "secondary"

_declared: dict[tuple[type[models.Model], str], dict[str, str]] = {}


def declare_colours(model: type[models.Model], colours: dict[str, str], *, field: str = "status") -> None:
    choices = {value for value, _label in model._meta.get_field(field).choices}
    given = {str(value) for value in colours}
    if given != choices:
        raise ValueError(f"{model.__name__}.{field} colours: missing {sorted(choices - given)}, "
                         f"unknown {sorted(given - choices)}")
    wrong = {c for c in colours.values() if c not in COLOURS}
    if wrong:
        raise ValueError(f"{model.__name__}.{field}: not Bootstrap colours {sorted(wrong)}")
    _declared[(model, field)] = {str(value): colour for value, colour in colours.items()}


def colour_for(record, field: str = "status") -> str:
    colours = _declared.get((type(record), field))
    if colours is None:
        return DEFAULT
    return colours.get(str(getattr(record, field, "")), DEFAULT)


def declared() -> dict[tuple[type[models.Model], str], dict[str, str]]:
    return dict(_declared)
