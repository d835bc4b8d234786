"""PERF-1: EXPLAIN of the benchmark's hot queries, and the check that a list's order is read from
an index (no Sort over the table).

The SQL is what the ORM issued for the page (captured with its parameters), run as it is. The
check turns sequential scans and sorts off inside its own transaction: on a tiny seeded database
the planner rightly prefers to scan and sort a few hundred rows, so what can be proved there is
that an index *can* serve the list's order; with that index gone, PostgreSQL has to sort anyway,
and the Sort node is back. At scale, the plans the benchmark writes show the planner's own choice.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator

from django.db import connection, transaction

_DECLARE = re.compile(r"^\s*DECLARE\s+\S+\s+(?:NO\s+SCROLL\s+)?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+", re.I | re.S)


def plain_sql(sql: str) -> str:
    """The SELECT of a captured statement (a server-side cursor's ``DECLARE ... FOR SELECT``)."""
    return _DECLARE.sub("", sql, count=1)


def is_select(sql: str) -> bool:
    head = plain_sql(sql).lstrip().lstrip("(").lstrip()[:6].upper()
    return head in ("SELECT", "WITH")


Query = tuple[str, object]  # (SQL with placeholders, its parameters), as the ORM executed it


def main_query(queries: list[Query], table: str, *, ordered: bool = True) -> Query | None:
    """The query of a request that reads FROM ``table`` (the list's own, with its ORDER BY), not
    a lookup of a filter's value or a prefetch of another table."""
    marker = f'FROM "{table}"'
    selects = [(plain_sql(sql), params) for sql, params in queries if is_select(sql)]
    if ordered:
        for sql, params in selects:
            if marker in sql and "ORDER BY" in sql:
                return sql, params
    for sql, params in selects:
        if marker in sql:
            return sql, params
    return None


def explain_text(query: Query) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) as PostgreSQL prints it."""
    sql, params = query
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + plain_sql(sql), params)
        return "\n".join(row[0] for row in cursor.fetchall())


def explain_json(query: Query, *, seqscan: bool = True, sort: bool = True) -> dict:
    """The plan tree (no ANALYZE: the planner's choice is what is checked)."""
    sql, params = query
    with transaction.atomic(), connection.cursor() as cursor:
        if not seqscan:
            cursor.execute("SET LOCAL enable_seqscan = off")
        if not sort:
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + plain_sql(sql), params)
        raw = cursor.fetchone()[0]
    data = json.loads(raw) if isinstance(raw, str) else raw
    return data[0]["Plan"]


def _nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def index_order_problems(query: Query, table: str) -> tuple[list[str], list[str]]:
    """(problems, indexes): why the list's order is not read from an index of ``table`` (empty
    when it is), and the indexes the plan reads ``table`` by.

    A Sort node with a scan of ``table`` below it means the whole matching set is read and sorted
    before the first row is shown; that is what a list must never do at a million rows.
    """
    plan = explain_json(query, seqscan=False, sort=False)
    problems: list[str] = []
    indexes: list[str] = []
    for node in _nodes(plan):
        if node.get("Relation Name") == table and node["Node Type"] in ("Index Scan", "Index Only Scan"):
            indexes.append(node.get("Index Name", ""))
        if node["Node Type"] == "Sort" and any(n.get("Relation Name") == table for n in _nodes(node)):
            problems.append(f"Sort ({', '.join(node.get('Sort Key', []))}) over {table}")
    if not indexes:
        problems.append(f"{table} is not read by an index scan")
    return problems, indexes
