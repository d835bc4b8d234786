"""Purposes of customer links, registered by the module that handles them (the core imports none).

A module declares, in its ``apps.py`` ``ready()`` (or a module imported from there)::

    links.register_purpose(LinkPurpose(code="visit_feedback", model=Visit, label=_("Visit feedback"),
                                       handler=VisitFeedbackHandler()))

The handler is called by the public view with the checked link:

* ``get(request, use)`` renders the page (nothing is consumed);
* ``post(request, use)`` runs the customer's action with ``use.actor`` (a ``CustomerActor``),
  inside the transaction that marks the link used. A response with a status of 400 or more
  (form errors) rolls the action back and leaves the link usable.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.db import models


class LinkHandler(Protocol):
    def get(self, request, use) -> Any: ...

    def post(self, request, use) -> Any: ...


@dataclass(frozen=True)
class LinkPurpose:
    code: str
    model: type[models.Model]
    label: Any
    handler: LinkHandler


_purposes: dict[str, LinkPurpose] = {}


def register_purpose(purpose: LinkPurpose) -> LinkPurpose:
    _purposes[purpose.code] = purpose
    return purpose


def unregister_purpose(code: str) -> None:
    _purposes.pop(code, None)


def purpose_for(code: str) -> LinkPurpose | None:
    return _purposes.get(code)
