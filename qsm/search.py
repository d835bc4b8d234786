"""SEARCH-1 / PERF-1: substring search that an index serves, declared once per model.

The search box of every list matches case-insensitive substrings (``icontains``), numbers exactly
(``iexact``) and the name of the record's customer. Written as an ``OR`` of ``icontains``, no index
serves it: a search with no match walks the whole table (seconds at a million rows). Trigrams
(pg_trgm) cannot serve the two-character Chinese words most searches are, and the embedded
PostgreSQL has no pg_trgm. So the core keeps its own n-grams, in built-in PostgreSQL only:

* ``qsm_grams(col, ...)`` (a core migration, ``qsm/org/migrations/0012_h3_search_grams.py``) is the
  upper-cased characters and character pairs of each column; a GIN index on it per model
  (``grams_index``) finds the rows holding every pair of the query (its one character when the
  query is one character long). For a query of one or two characters that is exactly
  ``icontains``; a longer one is rechecked with ``icontains`` itself, so results never differ.
* A model declares what its search box matches::

      search.register(Inquiry,
                      search.Text("subject", "contact_name", "contact_phone"),  # the grams index's columns
                      search.Exact("number"),                                   # iexact; an Upper index
                      search.Related("customer", search.Text("name")))         # the customer's name

  and its FilterSet's ``q`` calls ``search.apply(queryset, value)``.
* Each declared part is one index-served query. The search is ``pk IN (part UNION part ...)``; when
  the query that holds it is a page (ordered and limited: the keyset pages of the lists and the
  API's cursor pages), each part also gets the page's other conditions (visibility, the other
  filters, the cursor), its order and its limit, so a word that matches half the table costs a
  page per part, not half the table (``Search.as_sql``).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.lookups import DataContains
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models
from django.db.models import Case, Exists, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import Col, Expression
from django.db.models.lookups import Exact as ExactLookup
from django.db.models.lookups import In, Lookup
from django.db.models.sql.query import Query
from django.db.models.sql.where import AND, WhereNode

GRAMS_FUNCTION = "qsm_grams"
QUERY_GRAMS_FUNCTION = "qsm_query_grams"

# The two functions, created by qsm/org/migrations/0012_h3_search_grams.py. Built-in PostgreSQL only
# (plpgsql is in every database): no extension, so the embedded server searches the same way.
# ``qsm_grams`` keeps duplicates: GIN keeps each key of a row once anyway, and skipping the DISTINCT
# halves the cost of indexing a row. COST 1000 makes the planner test it after cheaper conditions.
# IMMUTABLE: ``upper`` is, and a query's grams are then computed once, when the query is planned.
CREATE_FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION {GRAMS_FUNCTION}(VARIADIC parts text[]) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 1000 AS $$
DECLARE
  t text; u text; grams text[] := '{{}}';
BEGIN
  FOREACH t IN ARRAY parts LOOP
    CONTINUE WHEN t IS NULL;
    u := upper(t);
    FOR i IN 1..char_length(u) LOOP
      grams := grams || substr(u, i, 1) || substr(u, i, 2);
    END LOOP;
  END LOOP;
  RETURN grams;
END $$;

CREATE OR REPLACE FUNCTION {QUERY_GRAMS_FUNCTION}(q text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  u text := upper(q); grams text[] := '{{}}';
BEGIN
  IF char_length(u) <= 1 THEN
    RETURN ARRAY[u];
  END IF;
  FOR i IN 1..char_length(u) - 1 LOOP
    grams := grams || substr(u, i, 2);
  END LOOP;
  RETURN grams;
END $$;
"""
DROP_FUNCTIONS_SQL = f"""
DROP FUNCTION IF EXISTS {GRAMS_FUNCTION}(VARIADIC text[]);
DROP FUNCTION IF EXISTS {QUERY_GRAMS_FUNCTION}(text);
"""

# A query of at most this many characters is matched exactly by its grams: no recheck.
EXACT_GRAM_LENGTH = 2
# From this estimated fraction of matching rows on, a part walks the list's order (see match_estimate).
TEXT_COMMON = 0.005
RELATED_COMMON = 0.01


class Grams(Func):
    """``qsm_grams(col, ...)``: what a grams index holds and what the search compares with it."""

    function = GRAMS_FUNCTION
    output_field = ArrayField(models.TextField())


class QueryGrams(Func):
    """``qsm_query_grams(q)``: the pairs of the query, or its one character."""

    function = QUERY_GRAMS_FUNCTION
    output_field = ArrayField(models.TextField())


def grams_index(*fields: str, name: str) -> GinIndex:
    """The GIN index a ``Text`` part reads: put it in the model's ``Meta.indexes``."""
    return GinIndex(Grams(*fields), name=name)


# --- the declaration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """Case-insensitive substring of any of these columns of the model (``icontains``), served by
    the model's ``grams_index`` over exactly these columns, or over the ``index`` columns when they
    hold more (the recheck keeps the declared columns: ``Text("phone", index=("phone", "email"))``)."""

    fields: tuple[str, ...]
    index: tuple[str, ...]

    def __init__(self, *fields: str, index: tuple[str, ...] | None = None):
        object.__setattr__(self, "fields", tuple(fields))
        object.__setattr__(self, "index", tuple(index) if index else tuple(fields))

    def check(self, model) -> None:
        for name in self.fields:
            field = model._meta.get_field(name)
            if not isinstance(field, (models.CharField, models.TextField)) or field.is_relation:
                raise ImproperlyConfigured(f"search.Text: {model.__name__}.{name} is not a text column")
        if not set(self.fields) <= set(self.index) or _grams_index(model, self.index) is None:
            raise ImproperlyConfigured(
                f"search.Text{self.fields}: {model.__name__} declares no search.grams_index{self.index}")

    def recheck(self, term: str, prefix: str = "") -> Q:
        """The declared semantics itself: ``icontains`` on any of the columns."""
        found = Q()
        for name in self.fields:
            found |= Q(**{f"{prefix}{name}__icontains": term})
        return found

    def is_common(self, model, term: str, threshold: float = TEXT_COMMON) -> bool:
        return common_grams(model, self.index, term, threshold)

    def q(self, model, term: str) -> Q:
        # The recheck is the declared semantics (icontains), and on a walk along the list's order
        # the cheap test made first (LIKE, ~1 µs a row, against ~30 µs for the row's grams). Inside
        # a CASE the planner rates it at one half instead of its own guess for LIKE on UPPER(), which
        # has no statistics and would make every word look rare.
        recheck = _rated_half(self.recheck(term))
        if self.is_common(model, term):
            # The planner would guess the match rare (it multiplies the pairs' frequencies) and read
            # the whole match from the index; without the index condition it walks the list's order.
            return recheck
        return Q(DataContains(Grams(*self.index), QueryGrams(Value(term)))) & recheck


def _rated_half(condition: Q) -> Q:
    return Q(Case(When(condition, then=Value(True)), default=Value(False), output_field=models.BooleanField()))


@dataclass(frozen=True)
class Exact:
    """Case-insensitive equality (``iexact``) of a column, or of a column across foreign keys
    (``source_inquiry__number``): the column's model declares ``models.Index(Upper(column))``."""

    path: str

    def check(self, model) -> None:
        target, name = _follow(model, self.path)
        target._meta.get_field(name)
        if not any(_is_upper_index(index, name) for index in target._meta.indexes):
            raise ImproperlyConfigured(f"search.Exact({self.path!r}): {target.__name__} has no index on Upper({name!r})")

    def q(self, model, term: str) -> Q:
        *hops, name = self.path.split("__")
        return _through(model, hops, lambda target: Q(**{f"{name}__iexact": term}))


@dataclass(frozen=True)
class Related:
    """A part of a related record, through foreign keys (``order__customer``) or, last, a reverse
    foreign key (``contacts``: any of the customer's contacts): a part of the related model
    (``Text("name")`` of the customer)."""

    path: str
    part: Text | Exact

    def check(self, model) -> None:
        target, _ = _follow(model, f"{self.path}__pk")
        self.part.check(target)

    def q(self, model, term: str) -> Q:
        hops = self.path.split("__")
        target, _ = _follow(model, f"{self.path}__pk")
        if isinstance(self.part, Text) and self.part.is_common(target, term, RELATED_COMMON):
            # Thousands of related records match ("有限公司"): ``fk IN (their ids)`` would read every
            # record of each. A per-row check of the record's own related row keeps the walk along
            # the list's order, which finds a page of such a common match within a few hundred rows.
            # A correlated scalar sub-select: PostgreSQL cannot turn it into a join it would then
            # plan from the related side.
            field = model._meta.get_field(hops[0])
            first = field.related_model
            rest = "__".join(hops[1:])
            recheck = self.part.recheck(term, f"{rest}__" if rest else "")
            if field.one_to_many:  # any of the record's related rows, read by their foreign key's index
                return Q(Exists(first._base_manager.filter(recheck, **{field.field.name: OuterRef("pk")})))
            found = first._base_manager.filter(recheck, pk=OuterRef(hops[0])).order_by().values(found=Value(True))[:1]
            return Q(Subquery(found, output_field=models.BooleanField()))
        return _through(model, hops, lambda related: self.part.q(related, term))


@dataclass(frozen=True)
class Searchable:
    model: type[models.Model]
    parts: tuple[Text | Exact | Related, ...]


_registry: dict[type[models.Model], Searchable] = {}


def declare(model: type[models.Model], *parts: Text | Exact | Related) -> Searchable:
    """A search of ``model`` (``apply(queryset, term, declared)``). Checked now: a typo or a missing
    index fails at import, not as a slow page in production."""
    if not parts:
        raise ImproperlyConfigured(f"search.declare({model.__name__}): nothing to search")
    for part in parts:
        part.check(model)
    return Searchable(model=model, parts=tuple(parts))


def register(model: type[models.Model], *parts: Text | Exact | Related) -> Searchable:
    """Declare what the search box of ``model``'s lists matches (its default search)."""
    declared = declare(model, *parts)
    _registry[model] = declared
    return declared


def searchable(model) -> Searchable:
    try:
        return _registry[model]
    except KeyError:
        raise ImproperlyConfigured(f"{model.__name__} declares no search (qsm.search.register)") from None


def normalize(term) -> str:
    return term.strip() if isinstance(term, str) else ""


def matches(model, term: str, declared: Searchable | None = None) -> Search | None:
    """The condition "``term`` is found in the record" (``None``: an empty search matches all)."""
    term = normalize(term)
    if not term:
        return None
    declared = declared or searchable(model)
    return Search(model, tuple(part.q(model, term) for part in declared.parts))


def apply(queryset, term, declared: Searchable | None = None):
    """``queryset`` narrowed to the records matching ``term`` (the model's registered search, or
    ``declared``); composes with any other filter."""
    condition = matches(queryset.model, term, declared)
    return queryset if condition is None else queryset.filter(condition)


# --- the condition --------------------------------------------------------------------------------


class Search(Expression):
    """``pk IN (part_1 UNION part_2 ...)``, each part one index-served condition.

    In a page (the query holding it is ordered and limited, and the search is one of its top-level
    ``AND`` conditions), each part is the page itself with the part in place of the search:
    ``SELECT pk ... WHERE <other conditions> AND <part> ORDER BY <page order> LIMIT <page end>``.
    Every row of the page is among the first rows of a part that it matches, so the union holds
    the page; the outer query keeps its own conditions, order and limit, so the result is the same
    rows as the ``OR`` of the parts, read through indexes only.
    """

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, model, parts: tuple[Q, ...]):
        super().__init__(output_field=models.BooleanField())
        self.model = model
        self.parts = parts

    def __repr__(self) -> str:
        return f"Search({self.model.__name__}, {self.parts!r})"

    def get_source_expressions(self):
        return []

    def resolve_expression(self, *args, **kwargs):
        # Nothing to resolve (the parts are resolved in their own queries), and the page form finds
        # this very object among the conditions of the query being compiled: no copy.
        return self

    def as_sql(self, compiler, connection):
        query = compiler.query
        pk = query.model._meta.pk
        parts = self._page_parts(query) if self._in_page(query) else None
        if parts is None:
            parts = [query.model._base_manager.filter(part).order_by().values("pk") for part in self.parts]
        union = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
        lookup = In(pk.get_col(query.get_initial_alias()), union.query.resolve_expression(query))
        return compiler.compile(lookup)

    # -- the page form --

    def _in_page(self, query) -> bool:
        return (query.model is self.model and query.high_mark is not None and not query.distinct
                and not query.combinator and _top_level_path(query.where, self) is not None)

    def _page_parts(self, query):
        parts = []
        for part in self.parts:
            clone = query.clone()
            path = _top_level_path(clone.where, self)
            if path is None:  # pragma: no cover - the clone holds the same conditions
                return None
            parent, child = path
            parent.children.remove(child)
            _drop_unused_joins(clone)
            clone.explain_info = None  # the page's EXPLAIN, FOR UPDATE are the page's, not a part's
            clone.select_for_update = False
            clone.add_q(part)
            clone.clear_limits()
            clone.set_limits(high=query.high_mark)
            parts.append(models.QuerySet(model=query.model, query=clone).values("pk"))
        return parts


def _top_level_path(where: WhereNode, node) -> tuple[WhereNode, object] | None:
    """The (AND node, child) holding ``node`` if every node above it is a plain AND; else None."""
    if where.negated or where.connector != AND:
        return None
    for child in where.children:
        if child is node or (isinstance(child, ExactLookup) and child.lhs is node):
            return where, child
        if isinstance(child, WhereNode):
            found = _top_level_path(child, node)
            if found is not None:
                return found
    return None


def _drop_unused_joins(query) -> None:
    """Leave out of a part the joins only the page's columns needed (``select_related``: the page
    is compiled when the part is built, so its joins are in the query). A join the conditions use,
    or one on the way to it, stays."""
    used: set[str] = set()
    _collect_aliases(query.where, used)
    for alias in list(used):
        join = query.alias_map.get(alias)
        while join is not None and getattr(join, "parent_alias", None):
            used.add(join.parent_alias)
            join = query.alias_map.get(join.parent_alias)
    base = query.get_initial_alias()
    for alias in query.alias_map:
        if alias != base and alias not in used:
            query.alias_refcount[alias] = 0


def _collect_aliases(node, used: set[str]) -> None:
    if node is None:
        return
    if isinstance(node, Col):
        used.add(node.alias)
        return
    if isinstance(node, Query):  # a subquery: a correlated one names the outer query's aliases
        _collect_aliases(node.where, used)
        for annotation in node.annotations.values():
            _collect_aliases(annotation, used)
        return
    if isinstance(node, WhereNode):
        for child in node.children:
            _collect_aliases(child, used)
        return
    if isinstance(node, (list, tuple)):
        for item in node:
            _collect_aliases(item, used)
        return
    if isinstance(node, Lookup):
        _collect_aliases(node.lhs, used)
        _collect_aliases(node.rhs, used)
        return
    if hasattr(node, "query") and isinstance(node.query, Query):  # Subquery, Exists
        _collect_aliases(node.query, used)
    if hasattr(node, "get_source_expressions"):
        for source in node.get_source_expressions():
            _collect_aliases(source, used)


# --- helpers --------------------------------------------------------------------------------------


def _follow(model, path: str):
    """The model at the end of ``path``'s foreign keys and the last name: ("a__b__c") -> (B, "c").
    The last hop may be a reverse foreign key (one to many); a many-to-many is refused."""
    *hops, name = path.split("__")
    for i, hop in enumerate(hops):
        field = model._meta.get_field(hop)
        single = field.many_to_one or field.one_to_one
        if not single and not (field.one_to_many and i == len(hops) - 1):
            raise ImproperlyConfigured(f"search: {model.__name__}.{hop} is not a foreign key")
        model = field.related_model
    return model, name


def _through(model, hops: list[str], leaf) -> Q:
    """``leaf(target)`` on the model at the end of ``hops``, as nested ``fk IN (SELECT pk ...)``:
    each hop reads its foreign key's index, no join multiplies rows."""
    if not hops:
        return leaf(model)
    field = model._meta.get_field(hops[0])
    target = field.related_model
    inner = _through(target, hops[1:], leaf)
    if field.one_to_many:  # the related rows' foreign keys: no join, no repeated record
        return Q(pk__in=target._base_manager.filter(inner).values(field.field.attname))
    return Q(**{f"{hops[0]}__in": target._base_manager.filter(inner).values("pk")})


def _grams_index(model, fields: tuple[str, ...]):
    for index in model._meta.indexes:
        for expression in getattr(index, "expressions", ()):
            if isinstance(expression, Grams) and tuple(
                    getattr(source, "name", None) for source in expression.get_source_expressions()) == fields:
                return index
    return None


def _is_upper_index(index, name: str) -> bool:
    from django.db.models.functions import Upper

    return any(isinstance(e, Upper) and [getattr(s, "name", None) for s in e.get_source_expressions()] == [name]
               for e in getattr(index, "expressions", ()))


# --- how common a query's pairs are ----------------------------------------------------------------

# A part reads its whole match from the grams index when the planner believes the match rare. For
# a query of three or more characters it multiplies the frequencies of the pairs ("售后服务" is three
# pairs that always come together) and the recheck's default selectivity, believes a word in every
# tenth record rare, and reads tens of thousands of rows. So the search estimates the match itself,
# from the statistics of the grams index (ANALYZE keeps them, autovacuum runs it): when it is
# common, walking the list's order and testing ``icontains`` finds a page within a few thousand
# rows; when it is rare, the index finds it. The thresholds balance the two at a million rows: the
# index reads at most ~5,000 (text) or ~10,000 (a related record's rows, read by its key) rows; a
# walk tests ~1.5 µs (text) or ~10 µs (a related row, one lookup each) per row (TEXT_COMMON,
# RELATED_COMMON above).
STATS_TTL = 300.0
_stats_lock = threading.Lock()
_stats: dict[tuple[str, str], tuple[float, dict[str, float]]] = {}


def match_estimate(model, fields: tuple[str, ...], term: str) -> float | None:
    """The fraction of rows whose ``fields`` hold ``term`` (three characters or more), estimated as
    a chain of its pairs: P(ABCD) = P(AB) * P(BC)/P(B) * P(CD)/P(C), each P the fraction of rows
    holding that gram (the index's statistics: most common elements). Right for words, whose
    pairs come together ("售后服务" is as common as "售后"), and for numbers, whose pairs do not
    ("0506002": six common pairs, one phone number). ``None``: no statistics, or a short query."""
    if len(term) <= EXACT_GRAM_LENGTH:
        return None  # one element, no recheck: the planner's own estimate is right
    index = _grams_index(model, fields)
    frequencies = _frequencies(model, index.name) if index is not None else {}
    if not frequencies:
        return None
    upper = term.upper()
    estimate = frequencies.get(upper[:2], 0.0)
    for i in range(1, len(upper) - 1):
        shared = frequencies.get(upper[i], 0.0)
        if not shared or not estimate:
            return 0.0  # a gram rarer than any the statistics keep: rare
        estimate *= frequencies.get(upper[i:i + 2], 0.0) / shared
    return min(estimate, 1.0)


def common_grams(model, fields: tuple[str, ...], term: str, threshold: float = TEXT_COMMON) -> bool:
    estimate = match_estimate(model, fields, term)
    return estimate is not None and estimate >= threshold


def forget_statistics() -> None:
    """Drop the cached statistics: the next search reads ``pg_stats`` again (tests start with none)."""
    with _stats_lock:
        _stats.clear()


def _frequencies(model, index_name: str) -> dict[str, float]:
    alias = model._base_manager.db
    key = (alias, index_name)
    now = time.monotonic()
    cached = _stats.get(key)
    if cached is not None and now - cached[0] < STATS_TTL:
        return cached[1]
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = %s AND most_common_elems IS NOT NULL LIMIT 1", [index_name])
        row = cursor.fetchone()
    # most_common_elem_freqs ends with three summary numbers past the elements: zip drops them.
    frequencies = dict(zip(row[0], row[1], strict=False)) if row else {}
    with _stats_lock:
        _stats[key] = (now, frequencies)
    return frequencies
