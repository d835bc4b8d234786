"""Who acts on a record, and through what (WF-2, §3 of issue 6).

Staff act as themselves (a ``User``). Two other actors exist:

* ``CustomerActor``: a customer acting through a signed link (``qsm.links``), named by the
  contact name the link was issued for and the link's id;
* ``SystemActor``: a sweep or scheduled job, named by a short code ("sla_sweep").

Both look like an anonymous user to the role predicates (``is_authenticated`` is False, no
department, no roles), so every existing ``rules`` predicate refuses them; a transition that a
customer or the system may fire says so explicitly with ``customer_via(purpose)`` or
``is_system``.

*Via* says through what an event came: a page, the API, a customer link or the system. Pages and
the API set it per request (``ViaMiddleware``); outside a request (Celery, management commands,
tests calling services) it is ``system``.
"""
from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass

import rules
from django.db import models
from django.utils.translation import gettext_lazy as _


class Via(models.TextChoices):
    PAGE = "page", _("page")
    API = "api", _("API")
    LINK = "link", _("customer link")
    SYSTEM = "system", _("system")


class ActorKind(models.TextChoices):
    USER = "user", _("staff")
    CUSTOMER = "customer", _("customer")
    SYSTEM = "system", _("system")


class _NotAUser:
    """What role predicates read on a user: nothing that grants a staff right."""

    is_authenticated = False
    is_anonymous = False
    is_active = False
    is_staff = False
    is_superuser = False
    pk = None
    id = None
    department_id = None
    department = None
    language = ""

    def has_role(self, role) -> bool:
        return False

    def has_perm(self, perm, obj=None) -> bool:
        return False


@dataclass(frozen=True, eq=True)
class SystemActor(_NotAUser):
    name: str  # a code: "sla_sweep", "follow_up_scheduler"

    kind = ActorKind.SYSTEM

    def __str__(self) -> str:
        return str(_("System"))


@dataclass(frozen=True, eq=True)
class CustomerActor(_NotAUser):
    """The customer behind a signed link. ``purpose`` and ``link_id`` say which link."""

    name: str
    link_id: int | None = None
    purpose: str = ""

    kind = ActorKind.CUSTOMER

    def __str__(self) -> str:
        return self.name or str(_("Customer"))


def actor_kind(actor) -> str:
    if isinstance(actor, (SystemActor, CustomerActor)):
        return actor.kind
    return ActorKind.USER if actor is not None else ActorKind.SYSTEM


@rules.predicate
def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def customer_via(purpose: str):
    """A predicate for a Transition: the customer acting through a link issued for ``purpose``."""

    @rules.predicate(name=f"customer_via_{purpose}")
    def predicate(actor, record=None) -> bool:
        return isinstance(actor, CustomerActor) and actor.purpose == purpose

    return predicate


# --- via, per request ------------------------------------------------------------------------------

_current_via: ContextVar[str] = ContextVar("qsm_via", default=Via.SYSTEM)


def current_via() -> str:
    return _current_via.get()


@contextlib.contextmanager
def acting_via(via: str):
    """Everything written inside the block records ``via`` (unless the actor says otherwise)."""
    token = _current_via.set(via)
    try:
        yield
    finally:
        _current_via.reset(token)


def resolve_via(actor, via: str | None) -> str:
    """A customer only ever acts through a link and the system through the system."""
    if isinstance(actor, CustomerActor):
        return Via.LINK
    if isinstance(actor, SystemActor):
        return Via.SYSTEM
    return via or current_via()


def event_actor_fields(actor, via: str | None = None) -> dict:
    """The Event columns that say who and through what."""
    kind = actor_kind(actor)
    fields = {"via": resolve_via(actor, via), "actor_kind": kind, "actor": None, "actor_label": "", "link_id": None}
    if kind == ActorKind.USER:
        fields["actor"] = actor
    elif kind == ActorKind.CUSTOMER:
        fields["actor_label"] = (actor.name or "")[:100]
        fields["link_id"] = actor.link_id
    elif actor is not None:
        fields["actor_label"] = actor.name[:100]
    return fields
