"""ORG-1: who may see a record, declared once per model.

A domain app declares each model's visibility in its ``rules.py``:

    INQUIRY_VISIBILITY = visibility.register(Inquiry, Visibility(
        owner="owner",
        departments=("department", "handover_department"),      # members of these see it
        users=("discussions__invited_users",),                   # participants (any path to users)
        participant_departments=("discussions__invited_departments",),
    ))
    DELIVERY_VISIBILITY = visibility.register(Delivery, Visibility(through="order"))  # as its order

A department that is not the record's may be given sight of the records in some states by a
declared role of the department (a boolean field of ``Department``), and a record may be readable
by whoever can see another record it came from:

    ORDER_VISIBILITY = visibility.register(Order, Visibility(
        ...,
        department_roles=(DepartmentRole("is_production", states=("in_production", "delivering")),),
        readers_of=("source_inquiry",),      # whoever sees the inquiry reads the order it became
    ))

and gets both halves from that one declaration:

* ``filter(queryset, user)`` for the selectors (lists, exports, ``*_get`` that 404s), and
* ``can_view(user, record)``, a ``rules`` predicate for one record already loaded.

The quality department and administrators see every record (§2(一)). Before this module the
two halves were written by hand in each app and disagreed (``can_view_order`` ignored the owner
and the installing engineers that ``order_visible`` let in).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import rules
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet

from qsm.org.rules import is_manager, sees_everything


@dataclass(frozen=True)
class DepartmentRole:
    """Members of a department whose boolean ``flag`` is set (``Department.is_production``) see the
    records whose ``field`` is in ``states`` (§3.2(2): production follows the orders it produces).
    Filtered on the record's own column: the list's status index serves it, no per-row query."""

    flag: str
    states: tuple[str, ...]
    field: str = "status"

    def applies_to(self, user) -> bool:
        department = getattr(user, "department", None) if getattr(user, "department_id", None) else None
        return bool(department is not None and getattr(department, self.flag, False))


@dataclass(frozen=True)
class Public:
    """Every signed-in user reads the records whose ``field`` (a column of the record) is set, or
    is one of ``values`` when given: the company's published rules (QC-1: an effective standard
    and its superseded versions are read by all staff; drafts are not)."""

    field: str
    values: tuple[Any, ...] | None = None

    def q(self, at: str) -> Q:
        if self.values is None:
            return Q(**{f"{at}{self.field}__isnull": False})
        return Q(**{f"{at}{self.field}__in": list(self.values)})

    def holds(self, record) -> bool:
        if self.values is None:
            return _pk(record, self.field) is not None
        return getattr(record, self.field) in self.values


@dataclass(frozen=True)
class Visibility:
    owner: str | None = "owner"  # FK (or FK path: "order__owner") to the user who owns the record
    departments: tuple[str, ...] = ("department",)  # FKs / FK paths to departments whose members see it
    users: tuple[str, ...] = ()  # paths to the users taking part (FK or many-to-many, across relations)
    participant_departments: tuple[str, ...] = ()  # paths to departments invited to take part
    through: str | None = None  # a child record is seen by whoever sees this parent (FK name)
    department_roles: tuple[DepartmentRole, ...] = ()  # departments with a declared role see some states
    readers_of: tuple[str, ...] = ()  # FKs to records whose viewers may read this one (read-only sight)
    # FKs / FK paths to departments whose MANAGERS (not every member) see it (QC-2: the inspected
    # department's managers read its inspections).
    manager_departments: tuple[str, ...] = ()
    public: tuple[Public, ...] = ()  # records every signed-in user reads (see Public)
    model: type[models.Model] | None = field(default=None, compare=False)

    # --- the selector half -----------------------------------------------------------------------

    def q(self, user) -> Q | None:
        """The filter for ``user``; ``None`` means every record."""
        if not getattr(user, "is_authenticated", False):
            return Q(pk__in=[])
        if sees_everything(user):
            return None
        return self._q(user, at="")

    def _q(self, user, *, at: str) -> Q:
        """The filter for a user who does not see everything, on the rows of this model reached
        through ``at`` (``""``: the queried model itself; ``"order__"``: the order of the queried row).

        PERF-1: every branch is decided on the row itself. Columns of the record (and of a parent
        joined by its foreign key) are compared directly; participants and the readers of a source
        record are correlated EXISTS probes that the unique indexes of the invitation tables and the
        primary keys serve. The former ``pk IN (SELECT ...)`` sub-selects built the whole set first:
        every discussion and invitation scanned per request, and for ``readers_of`` every inquiry
        the user may see, too many to hash, so each order row walked that list (seconds at 1M).
        """
        if self.through:
            return visibility_for(self._parent_model())._q(user, at=f"{at}{self.through}__")
        q = Q(pk__in=[])
        if self.owner:
            q |= Q(**{f"{at}{self.owner}": user.pk})
        if user.department_id:
            for name in self.departments:
                q |= Q(**{f"{at}{name}": user.department_id})
            if self.manager_departments and is_manager(user):
                for name in self.manager_departments:
                    q |= Q(**{f"{at}{name}": user.department_id})
        for rule in self.public:
            q |= rule.q(at)
        for path in self.users:
            q |= self._participates(path, user.pk, at=at)
        if user.department_id:
            for path in self.participant_departments:
                q |= self._participates(path, user.department_id, at=at)
        for role in self.department_roles:
            if role.applies_to(user):
                q |= Q(**{f"{at}{role.field}__in": list(role.states)})
        for name in self.readers_of:
            source = self._related_model(name)
            readable = source._base_manager.filter(visibility_for(source)._q(user, at=""), pk=OuterRef(f"{at}{name}"))
            q |= Q(Probe(readable))
        return q

    def _participates(self, path: str, value, *, at: str) -> Q:
        """EXISTS a row at the end of the many-valued ``path`` (``discussions__invited_users``) equal
        to ``value``, for the record (reached through ``at``) of the outer query.

        The sub-query starts at the table the path's first relation leads to, matched to the outer
        row by its own key columns (a discussion by ``content_type, object_id``; an installation by
        ``order_id``), so a probe is one lookup in that table's unique index and one in the
        invitation table's. A path that starts with a forward relation joins this model's table to
        the outer row by primary key instead."""
        first, _sep, rest = path.partition("__")
        back = _back_filter(self.model, self.model._meta.get_field(first), OuterRef(f"{at}pk"))
        if back is not None and rest:
            related = self.model._meta.get_field(first).related_model
            inner = related._base_manager.filter(**back, **{rest: value})
        else:
            inner = self.model._base_manager.filter(pk=OuterRef(f"{at}pk"), **{path: value})
        return Q(Probe(inner))

    def filter(self, queryset: QuerySet, user) -> QuerySet:
        q = self.q(user)
        return queryset if q is None else queryset.filter(q)

    # --- the object half -------------------------------------------------------------------------

    def can_view(self, user, record) -> bool:
        if record is None or not getattr(user, "is_authenticated", False):
            return False
        if sees_everything(user):
            return True
        if self.through:
            parent = _follow([record], self.through)
            return bool(parent) and visibility_for(self._parent_model()).can_view(user, parent[0])
        if self.owner and _pk(record, self.owner) == user.pk:
            return True
        if user.department_id and any(_pk(record, name) == user.department_id for name in self.departments):
            return True
        if user.department_id and self.manager_departments and is_manager(user) and any(
                _pk(record, name) == user.department_id for name in self.manager_departments):
            return True
        if any(rule.holds(record) for rule in self.public):
            return True
        if any(u.pk == user.pk for path in self.users for u in _values(record, path)):
            return True
        if bool(user.department_id) and any(
                d.pk == user.department_id for path in self.participant_departments for d in _values(record, path)):
            return True
        if any(role.applies_to(user) and getattr(record, role.field) in role.states for role in self.department_roles):
            return True
        return any(visibility_for(self._related_model(name)).can_view(user, source)
                   for name in self.readers_of for source in _follow([record], name))

    def _parent_model(self) -> type[models.Model]:
        return self._related_model(self.through)

    def _related_model(self, name: str) -> type[models.Model]:
        return self.model._meta.get_field(name).related_model


class Probe(Exists):
    """EXISTS, probed for each row that reaches it (PERF-1).

    Under an OR, PostgreSQL may instead build the sub-query's whole result into a hash first: it
    sizes that choice as if the filter ran on every row of the table, though a list stops after a
    page. That set is every discussion a department was ever invited to, every installation an
    engineer was ever named on, every inquiry a reader may see: it grows with the history, and
    building it cost more than the page (85–120 ms vs 1.3 ms for the production department at 600,000
    inquiries). ``OFFSET 0`` is the usual PostgreSQL fence that keeps the sub-query as written, so
    a probe costs a few index lookups per row the cheaper branches (owner, department) did not let in.
    """

    template = "EXISTS(%(subquery)s OFFSET 0)"


def _back_filter(model, field, ref) -> dict[str, Any] | None:
    """The filter on the model a reverse (or generic) relation of ``model`` points at that selects
    the rows of the record ``ref``; ``None`` for a forward relation."""
    from django.contrib.contenttypes.fields import GenericRelation
    from django.contrib.contenttypes.models import ContentType

    if isinstance(field, GenericRelation):
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=field.for_concrete_model)
        return {field.content_type_field_name: content_type, field.object_id_field_name: ref}
    if field.auto_created and not field.concrete:  # ManyToOneRel / OneToOneRel: the foreign key's name
        return {field.field.name: ref}
    return None


def _follow(objects: Iterable[Any], name: str) -> list[Any]:
    out = []
    for obj in objects:
        try:
            value = getattr(obj, name)
        except ObjectDoesNotExist:  # a reverse one-to-one that does not exist (no discussion yet)
            continue
        if value is None:
            continue
        if isinstance(value, models.Manager):  # many-to-many or reverse foreign key
            out.extend(value.all())
        else:
            out.append(value)
    return out


def _pk(record, path: str):
    """The id a foreign key (or a path of foreign keys) of ``record`` points at, or None."""
    if "__" not in path:
        return getattr(record, f"{path}_id")
    found = _values(record, path)
    return found[0].pk if found else None


def _values(record, path: str) -> list[Any]:
    objects = [record]
    for name in path.split("__"):
        objects = _follow(objects, name)
    return objects


_registry: dict[type[models.Model], Visibility] = {}


def register(model: type[models.Model], visibility: Visibility) -> Visibility:
    declared = Visibility(owner=visibility.owner, departments=tuple(visibility.departments),
                          users=tuple(visibility.users), participant_departments=tuple(visibility.participant_departments),
                          through=visibility.through, department_roles=tuple(visibility.department_roles),
                          readers_of=tuple(visibility.readers_of),
                          manager_departments=tuple(visibility.manager_departments),
                          public=tuple(visibility.public), model=model)
    names = (declared.through,) if declared.through else (
        declared.owner, *declared.departments, *declared.readers_of, *(r.field for r in declared.department_roles),
        *declared.manager_departments, *(p.field for p in declared.public))
    for name in names:
        if name:
            model._meta.get_field(name.split("__")[0])  # a typo fails at import, not in production
    from qsm.org.models import Department

    for role in declared.department_roles:
        Department._meta.get_field(role.flag)  # the declared role is a field of the department
    _registry[model] = declared
    return declared


def visibility_for(model_or_record) -> Visibility:
    model = model_or_record if isinstance(model_or_record, type) else type(model_or_record)
    return _registry[model]


def visible(queryset_or_model, user) -> QuerySet:
    """The records of a model (or a queryset of it) that ``user`` may see."""
    qs = queryset_or_model if isinstance(queryset_or_model, QuerySet) else queryset_or_model._default_manager.all()
    return visibility_for(qs.model).filter(qs, user)


@rules.predicate
def can_view(user, record) -> bool:
    """Any registered record: may ``user`` see it?"""
    return record is not None and visibility_for(record).can_view(user, record)
