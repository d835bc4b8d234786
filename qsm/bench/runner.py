"""PERF-1: the benchmark anyone can rerun (``manage.py bench``, ``make bench``).

Every measurement is a whole request through Django's test client, in-process (server time, no
network), with DEBUG off, as a signed-in user: one warm-up request that also records the
queries, then ``repeat`` timed requests (median and p95). Each has its reference measured in the
same run, and the ratio to it:

- ``sql_floor``: the page's main query (the SQL the ORM issued, captured with its parameters) run
  directly on a database cursor the same number of times: lists, filters, searches, records,
  exports (with the export's row cap);
- ``page1``: the first page of the same list, for a deep page;
- ``sql_replay``: every SELECT of the request run directly ("my work", which has no single main
  query; the bare view, whose only queries are the session's and the user's);
- ``due_0``: the same sweep with nothing due, for the reminder sweep with 1,000 and 10,000 due (with
  nothing due, its floor is counting what is due);
- ``bare``: a signed-in view that only answers "ok", for throughput under wrk (qsm.bench.throughput).

A measurement that fails (an exception, a status other than 200) is recorded as failed, and the
command exits non-zero once everything else is measured. Nothing the run does stays in the
database: the reminder sweep runs inside a transaction that is rolled back, and the sessions the
run opens are deleted.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from unittest import mock

import django
from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import DatabaseError, connection, transaction
from django.db.backends.signals import connection_created
from django.db.models import Count, Max, Min
from django.test import Client
from django.test.utils import override_settings
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone

from . import BenchList, declared_lists
from .plans import Query, explain_text, is_select, main_query

# Search terms (issue 8): nothing matches; a two-character Chinese word most searches are; a
# fragment of a customer's name; a record number.
NO_MATCH = "qzxjv"
CJK_WORD = "安装"
CUSTOMER_FRAGMENT = "苏州恒力"
DEEP_ROWS = 400_000  # at scale 1; the list's 40 % if it has fewer rows
SWEEP_DUE = (0, 1_000, 10_000)  # at scale 1
EXPORT_ROWS = 100_000
PROJECT_APPS = ("qsm", "presales", "orders", "aftersales", "complaints", "assessment")


# --- a request's queries -------------------------------------------------------------------------


class QueryLog:
    """Every statement a block executes, with its parameters (the first ``keep`` of them kept),
    counted without limit: Django's own query log stops at 9,000."""

    def __init__(self, keep: int = 500):
        self.keep = keep
        self.count = 0
        self.queries: list[Query] = []

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        if len(self.queries) < self.keep:
            self.queries.append((sql, params))
        return execute(sql, params, many, context)

    @contextmanager
    def capture(self):
        with connection.execute_wrapper(self):
            yield self


def run_query(query: Query, *, limit: int | None = None) -> int:
    sql, params = query
    if limit is not None and "LIMIT" not in sql.rsplit(")", 1)[-1].upper():
        sql = f"{sql} LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall()) if cursor.description else 0


# --- numbers -------------------------------------------------------------------------------------


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return {"median_ms": round(statistics.median(ordered), 3), "p95_ms": round(p95, 3), "repeats": len(ordered)}


def timed(fn: Callable[[], object], *, repeat: int, budget: float) -> list[float]:
    """``repeat`` runs of ``fn`` in milliseconds; fewer when they pass ``budget`` seconds (never none)."""
    samples: list[float] = []
    start = time.perf_counter()
    for _n in range(max(repeat, 1)):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
        if time.perf_counter() - start > budget:
            break
    return samples


def ratio(value: float | None, reference: float | None) -> float | None:
    if value is None or not reference:
        return None
    return round(value / reference, 2)


# --- the machine and the data --------------------------------------------------------------------


def machine_info() -> dict:
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_database(), pg_database_size(current_database())")
        version, database, size = cursor.fetchone()
    commit = ""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=settings.BASE_DIR, capture_output=True,
                                text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return {
        "cores": os.cpu_count(), "ram_gb": ram, "uname": " ".join(platform.uname()),
        "python": platform.python_version(), "django": django.get_version(), "postgresql": version,
        "database": database, "database_size_mb": round(size / 1024 / 1024), "commit": commit,
    }


def seeded_scales() -> dict[str, float]:
    """module -> the scale ``manage.py seed_scale`` seeded it at (its marker table), if it did."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('qsm_scale_seed') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return {}
        cursor.execute("SELECT module, scale FROM qsm_scale_seed ORDER BY module")
        return {module: float(scale) for module, scale in cursor.fetchall()}


def project_models() -> list:
    return [m for m in apps.get_models() if m.__module__.split(".")[0] in PROJECT_APPS and not m._meta.proxy]


def row_counts() -> dict[str, int]:
    return {m._meta.db_table: m._default_manager.count() for m in project_models()}


def data_fingerprint() -> str:
    """Row counts of every table of the project, and the columns the sweep and a sign-in write
    (deadline claims, last logins): equal before and after a run that changed nothing."""
    digest = hashlib.sha256(repr(sorted(row_counts().items())).encode())
    with connection.cursor() as cursor:
        # A sum of row hashes: no ordering, no million-row string (1.3M deadlines at scale 1).
        cursor.execute("SELECT sum(hashtextextended(concat_ws('|', id, state, remind_at, reminded_at, due_at, overdue_at),"
                       " 0)::numeric) FROM sla_deadline")
        digest.update(str(cursor.fetchone()[0]).encode())
        cursor.execute("SELECT sum(hashtextextended(concat_ws('|', id, last_login), 0)::numeric) FROM org_user")
        digest.update(str(cursor.fetchone()[0]).encode())
    return digest.hexdigest()


def peak_rss_reset() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


# --- who is measured -----------------------------------------------------------------------------


@dataclass
class Users:
    quality: object
    business: object  # the busiest user: the most open records in his department
    department: object
    open_in_department: int


def find_users(lists: list[BenchList]) -> Users:
    from qsm.org.models import Department, Role, User

    business_departments = set(Department.objects.filter(kind=Department.Kind.BUSINESS).values_list("pk", flat=True))
    per_department: Counter = Counter()
    for bl in lists:
        if bl.open_q is None:
            continue
        rows = (bl.model._default_manager.filter(bl.open_q).order_by().values(bl.department_field)
                .annotate(n=Count("pk")))
        for row in rows:
            if row[bl.department_field] in business_departments:
                per_department[row[bl.department_field]] += row["n"]
    if per_department:
        department_id, open_count = per_department.most_common(1)[0]
    else:
        department_id = (User.objects.filter(department__in=business_departments, is_active=True)
                         .values("department").annotate(n=Count("pk")).order_by("-n")
                         .values_list("department", flat=True).first())
        open_count = 0
    if department_id is None:
        raise RuntimeError("no business department with active users: seed the database first")
    members = User.objects.filter(department_id=department_id, is_active=True)
    owned: Counter = Counter()
    for bl in lists:
        if bl.open_q is None or not bl.owner_field:
            continue
        rows = (bl.model._default_manager.filter(bl.open_q, **{bl.department_field: department_id}).order_by()
                .values(bl.owner_field).annotate(n=Count("pk")))
        for row in rows:
            owned[row[bl.owner_field]] += row["n"]
    member_ids = set(members.values_list("pk", flat=True))
    ranked = [pk for pk, _n in owned.most_common() if pk in member_ids]
    business = User.objects.get(pk=ranked[0]) if ranked else members.order_by("pk").first()
    quality_users = User.objects.filter(is_active=True, department__kind=Department.Kind.QUALITY).order_by("pk")
    quality = (quality_users.filter(groups__name=Role.QUALITY_OFFICER, is_superuser=False).first()
               or quality_users.first())
    if quality is None or business is None:
        raise RuntimeError("no quality officer or business user: seed the database first")
    return Users(quality=quality, business=business, department=Department.objects.get(pk=department_id),
                 open_in_department=open_count)


def _user_backend() -> str:
    """The first configured backend that loads a user (as ``login()`` would record it)."""
    from django.contrib.auth import load_backend
    from django.contrib.auth.backends import BaseBackend

    for path in settings.AUTHENTICATION_BACKENDS:
        if getattr(type(load_backend(path)), "get_user", BaseBackend.get_user) is not BaseBackend.get_user:
            return path
    return settings.AUTHENTICATION_BACKENDS[-1]


class Session:
    """A signed-in test client without signing in: a session row for the user, made the way
    ``login()`` makes it but without its signals (no last-login update, no access log), and
    deleted afterwards."""

    def __init__(self, user):
        engine = import_module(settings.SESSION_ENGINE)
        self.user = user
        self.store = engine.SessionStore()
        self.store[SESSION_KEY] = user._meta.pk.value_to_string(user)
        self.store[BACKEND_SESSION_KEY] = _user_backend()
        self.store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        self.store.save()
        self.client = Client(raise_request_exception=True)
        self.client.cookies[settings.SESSION_COOKIE_NAME] = self.store.session_key

    @property
    def cookie(self) -> str:
        return f"{settings.SESSION_COOKIE_NAME}={self.store.session_key}"

    def close(self) -> None:
        self.store.delete()


# --- what is measured ----------------------------------------------------------------------------


@dataclass
class Measurement:
    name: str
    group: str  # list, deep, record, inbox, export, sweep, bare
    run: Callable[[], dict]  # the measurement's fields (median_ms, queries, reference ...)
    plan: bool = False


class UnexpectedStatus(Exception):
    pass


@dataclass
class Bench:
    scale: float = 1.0
    repeat: int = 10
    only: list[str] = field(default_factory=list)
    out: Path = Path("bench/results.json")
    wrk: bool = True
    export_rows: int = EXPORT_ROWS
    export_repeat: int = 3
    budget: float = 60.0  # seconds of timed runs per measurement at most
    statement_timeout: float = 60.0  # seconds any one query may run (0: no limit)
    warmup: int = 1  # untimed runs before the timed ones (0: the first timed run also records the queries)
    wrk_seconds: int = 10
    log: Callable[[str], None] = print

    def __post_init__(self):
        self.plans_dir = self.out.parent / "plans"
        self.sessions: dict[str, Session] = {}

    # --- the run --------------------------------------------------------------------------------

    def run(self) -> dict:
        from .settings import overrides

        started = timezone.now()
        result: dict = {
            "generated_at": started.isoformat(timespec="seconds"),
            "command": " ".join(["manage.py", "bench", *sys.argv[2:]]) if "bench" in sys.argv else "bench",
            "machine": machine_info(), "load_average_start": [round(x, 2) for x in os.getloadavg()],
            "scale": self.scale, "repeat": self.repeat, "warmup": self.warmup, "budget_seconds": self.budget,
            "row_counts": row_counts(), "seeded_scales": seeded_scales(),
        }
        if any(seeded != self.scale for seeded in result["seeded_scales"].values()):
            result["note"] = f"--scale {self.scale} differs from the seeded scale(s) {result['seeded_scales']}"
            self.log(result["note"])
        if self.statement_timeout:
            # A query that runs away (a pathological plan at scale) fails its measurement, not the run;
            # on this connection and on any the run opens later.
            self._set_timeout(connection=connection)
            connection_created.connect(self._set_timeout, dispatch_uid="qsm-bench-timeout")
        fingerprint = data_fingerprint()
        lists = declared_lists()
        users = find_users(lists)
        result["users"] = {
            "quality": users.quality.get_username(), "business": users.business.get_username(),
            "business_department": users.department.name, "open_in_business_department": users.open_in_department,
        }
        self.log(f"scale {self.scale}, repeat {self.repeat}; quality user {users.quality}, business user "
                 f"{users.business} ({users.department}, {users.open_in_department} open)")
        measurements: list[dict] = []
        throughput: list[dict] = []
        self.plans_dir.mkdir(parents=True, exist_ok=True)
        Path(settings.STATIC_ROOT).mkdir(exist_ok=True)  # whitenoise warns on every request without it
        try:
            with override_settings(**overrides(settings)):
                self.sessions = {"quality": Session(users.quality), "business": Session(users.business)}
                result.update({"measurements": measurements, "complete": False})
                for m in self.measurements(lists, users):
                    if self.only and not any(o in m.name for o in self.only):
                        continue
                    measurements.append(self.measure(m))
                    self.save(result)
                if self.wrk:
                    from .throughput import throughput_runs

                    targets = self.throughput_targets(lists)
                    if self.only:
                        targets = [t for t in targets if t[0] == "bare" or any(o in "wrk." + t[0] for o in self.only)]
                    if len(targets) > 1:
                        throughput = throughput_runs(targets, cookie=self.sessions["business"].cookie,
                                                     seconds=self.wrk_seconds, log=self.log,
                                                     statement_timeout=self.statement_timeout)
        finally:
            for session in self.sessions.values():
                session.close()
            connection_created.disconnect(dispatch_uid="qsm-bench-timeout")
        failed = [m["name"] for m in measurements if not m["ok"]] + [t["name"] for t in throughput if not t["ok"]]
        result.update({
            "measurements": measurements, "throughput": throughput, "failed": failed,
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
            "seconds": round((timezone.now() - started).total_seconds(), 1),
            "data_unchanged": data_fingerprint() == fingerprint, "complete": True,
        })
        return result

    def _set_timeout(self, sender=None, connection=None, **kwargs) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = %s", [f"{int(self.statement_timeout * 1000)}ms"])

    def save(self, result: dict) -> None:
        """Write the results so far: an interrupted run still leaves what it measured."""
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")

    def measure(self, m: Measurement) -> dict:
        entry: dict = {"name": m.name, "group": m.group}
        try:
            entry.update(m.run())
            entry["ok"] = True
        except Exception as exc:  # noqa: BLE001 - a page that breaks is a result, not the end of the run
            entry.update({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500],
                          "traceback": traceback.format_exc(limit=-3)[-1500:]})
        if entry["ok"]:
            ref = entry.get("reference") or {}
            self.log(f"{m.name:<60} {entry['median_ms']:>9.1f} ms  p95 {entry['p95_ms']:>9.1f}  "
                     f"{entry.get('queries', '-'):>5} q  ref {ref.get('kind', '-')} {ref.get('median_ms', 0):.1f} ms"
                     f"  x{entry.get('ratio')}")
        else:
            self.log(f"{m.name:<60} FAILED {entry['error']}")
        return entry

    # --- requests -------------------------------------------------------------------------------

    def fetch(self, role: str, url: str) -> tuple[int, int, object]:
        response = self.sessions[role].client.get(url)
        if response.streaming:
            size = sum(len(chunk) for chunk in response.streaming_content)
        else:
            size = len(response.content)
        if response.status_code != 200:
            raise UnexpectedStatus(f"HTTP {response.status_code} for {url}")
        return response.status_code, size, response

    def request(self, role: str, url: str, *, table: str | None = None, reference: str = "sql_floor",
                ordered: bool = True, limit: int | None = None, repeat: int | None = None,
                plan_name: str | None = None, page1_url: str | None = None) -> dict:
        """One page or endpoint: warm-up (its queries recorded), timed repeats, the reference."""
        repeat = repeat or self.repeat
        log = QueryLog()
        t = time.perf_counter()
        with log.capture():  # the warm-up, or with --warmup 0 the first timed run
            _status, size, response = self.fetch(role, url)
        first = [] if self.warmup else [(time.perf_counter() - t) * 1000]
        for _n in range(self.warmup - 1):
            self.fetch(role, url)
        entry: dict = {"url": url, "user": role, "status": 200, "bytes": size, "queries": log.count}
        if response.get("Content-Type", "").startswith("application/json") and not response.streaming:
            data = response.json()
            if isinstance(data, dict) and isinstance(data.get("results"), list):
                entry["rows"] = len(data["results"])
            elif isinstance(data, dict) and isinstance(data.get("items"), list):
                entry["rows"] = len(data["items"])
        more = self.timed(lambda: self.fetch(role, url), repeat=repeat - len(first)) if repeat > len(first) else []
        entry.update(summary(first + more))
        ref: dict | None = None
        main = main_query(log.queries, table, ordered=ordered) if table else None
        if reference == "sql_floor":
            if main is None:
                raise RuntimeError(f"no query FROM {table} among the request's {log.count}")
            ref = {"kind": "sql_floor", **summary(self.timed(lambda: run_query(main, limit=limit), repeat=repeat,
                                                             warm=True))}
        elif reference == "sql_replay":
            selects = [q for q in log.queries if is_select(q[0])]

            def replay():
                for q in selects:
                    run_query(q)

            ref = {"kind": "sql_replay", "statements": len(selects),
                   **summary(self.timed(replay, repeat=repeat, warm=True))}
        elif reference == "page1":
            ref = {"kind": "page1", "url": page1_url,
                   **summary(self.timed(lambda: self.fetch(role, page1_url), repeat=repeat, warm=True))}
        if ref:
            entry["reference"] = ref
            entry["ratio"] = ratio(entry["median_ms"], ref["median_ms"])
        if plan_name:
            planned = [main] if main else [q for q in log.queries if is_select(q[0])]
            entry["plan"] = self.write_plan(plan_name, planned)
        return entry

    def timed(self, fn: Callable[[], object], *, repeat: int, warm: bool = False) -> list[float]:
        """``repeat`` timed runs (at least one), after the warm-up runs when ``warm``."""
        if warm:
            for _n in range(self.warmup):
                fn()
        return timed(fn, repeat=max(repeat, 1), budget=self.budget)

    def write_plan(self, name: str, queries: list[Query]) -> str:
        path = self.plans_dir / f"{name}.txt"
        parts = []
        for n, query in enumerate(queries, 1):
            sql, params = query
            with connection.cursor() as cursor:
                shown = cursor.mogrify(sql, params).decode() if hasattr(cursor, "mogrify") else sql
            parts.append(f"-- query {n} of {len(queries)}\n{shown}\n\n{explain_text(query)}\n")
        path.write_text(f"-- {name} (scale {self.scale})\n" + "\n".join(parts))
        try:
            return str(path.relative_to(self.out.parent.parent))
        except ValueError:
            return str(path)

    # --- the catalogue --------------------------------------------------------------------------

    def measurements(self, lists: list[BenchList], users: Users) -> Iterator[Measurement]:
        for bl in lists:
            yield from self.list_measurements(bl, users)
        for role in ("business", "quality"):
            for surface, url_name in (("page", "inbox"), ("api", "api-inbox")):
                url = reverse(url_name)
                name = f"inbox.{surface}.{role}"
                yield Measurement(name, "inbox", _bind(self.request, role, url, reference="sql_replay",
                                                       plan_name=name if surface == "page" else None))
        yield Measurement("bare.page.business", "bare", _bind(self.request, "business", reverse("bench-bare"),
                                                              reference="sql_replay"))
        for due in SWEEP_DUE:
            yield Measurement(f"sweep.due_{due}", "sweep", _bind(self.sweep, due))

    def roles(self, bl: BenchList) -> tuple[str, ...]:
        return ("quality", "business") if bl.visibility_differs else ("quality",)

    def list_measurements(self, bl: BenchList, users: Users) -> Iterator[Measurement]:
        table = bl.model._meta.db_table
        page_view = _view_class(bl.page)
        api_view = _view_class(bl.api)
        filterset = (getattr(page_view, "filterset_class", None) or getattr(api_view, "filterset_class", None))
        # Values come from the business user's department, read without his visibility scope (the
        # quality user's list): the scope's own cost is what the measurements show, not the set-up.
        business_rows = bl.rows(users.quality)
        if bl.visibility_differs and bl.department_field:
            business_rows = business_rows.filter(**{bl.department_field: users.department})
        try:
            sample = _row_at(business_rows, 0.5, cap=1000)
        except DatabaseError as exc:
            yield Measurement(f"{bl.name}.setup", "setup", _raiser(exc))
            return
        variants = [("default", {})]
        try:
            if filterset is not None:
                variants += list(filter_variants(bl, filterset, business_rows, self.rows_span(bl, users)))
            if bl.search_param:
                variants += [(f"search.{k}", {bl.search_param: v}) for k, v in self.search_terms(bl, sample).items()
                             if v]
        except DatabaseError as exc:
            yield Measurement(f"{bl.name}.setup", "setup", _raiser(exc))
        surfaces = [("page", reverse(bl.page)) if bl.page else None, ("api", reverse(bl.api)) if bl.api else None]
        for surface, base in filter(None, surfaces):
            for role in self.roles(bl):
                for variant, params in variants:
                    name = f"{bl.name}.{surface}.{variant}.{role}"
                    url = base + ("?" + _query(params) if params else "")
                    yield Measurement(name, "list", _bind(self.request, role, url, table=table,
                                                          plan_name=name if surface == "page" else None), plan=True)
                yield Measurement(f"{bl.name}.{surface}.deep.{role}", "deep",
                                  _bind(self.deep, bl, surface, base, role, users, table))
        if sample is not None:
            for surface, url_name in (("page", bl.record_page), ("api", bl.record_api)):
                if not url_name:
                    continue
                try:
                    url = reverse(url_name, kwargs={"pk": sample.pk})
                except NoReverseMatch:
                    continue
                for role in self.roles(bl):
                    name = f"{bl.name}.record.{surface}.{role}"
                    yield Measurement(name, "record", _bind(self.request, role, url, table=table, ordered=False,
                                                            plan_name=name if surface == "page" else None))
        if bl.export:
            for fmt in ("csv", "xlsx"):
                url = reverse(bl.export) + ("?fmt=xlsx" if fmt == "xlsx" else "")
                measure = self.export_job if fmt == "xlsx" and _export_jobs() else self.export
                for role in self.roles(bl):
                    yield Measurement(f"{bl.name}.export.{fmt}.{role}", "export", _bind(measure, role, url, table))

    def rows_span(self, bl: BenchList, users: Users) -> Callable[[str], tuple]:
        def span(field_name: str):
            agg = bl.rows(users.quality).order_by().aggregate(lo=Min(field_name), hi=Max(field_name))
            return agg["lo"], agg["hi"]

        return span

    def search_terms(self, bl: BenchList, sample) -> dict[str, str | None]:
        from qsm.org.models import Customer

        fragment = CUSTOMER_FRAGMENT
        if not Customer.objects.filter(name__contains=fragment).exists():
            customer = bl.customer_of(sample) if (bl.customer_of and sample is not None) else None
            name = customer.name if customer is not None else ""
            fragment = name[2:6] if len(name) >= 6 else name[:4] or None
        number = bl.number_of(sample) if (bl.number_of and sample is not None) else None
        return {"nomatch": NO_MATCH, "cjk2": CJK_WORD, "customer": fragment, "number": number}

    # --- deep pages -------------------------------------------------------------------------------

    def deep(self, bl: BenchList, surface: str, base: str, role: str, users: Users, table: str) -> dict:
        """The page ``DEEP_ROWS x scale`` rows down (40 % of the list if it is shorter), its cursor
        built from the row at that depth the way the list builds its own; the reference is page 1."""
        user = users.quality if role == "quality" else users.business
        rows = bl.rows(user)
        total = rows.count()
        depth = max(min(int(DEEP_ROWS * self.scale), int(total * 0.4)), 1)
        row = rows[depth - 1: depth].first() if total else None
        if row is None:
            raise RuntimeError(f"{bl.name}: no row at depth {depth} of {total}")
        keys = [k.lstrip("-") for k in rows.query.order_by]
        if surface == "page":
            from qsm.views import _encode

            # keyset_paginate: ``after`` is the next rows in the list's own order, either direction.
            url = f"{base}?after={_encode([getattr(row, k) for k in keys])}"
        else:
            from rest_framework.pagination import Cursor

            paginator = _view_class(bl.api).pagination_class()
            paginator.base_url = "http://testserver" + base
            field_name = paginator.ordering[0].lstrip("-")
            full = paginator.encode_cursor(Cursor(offset=0, reverse=False, position=str(getattr(row, field_name))))
            url = full.removeprefix("http://testserver")
        entry = self.request(role, url, table=table, reference="page1", page1_url=base,
                             plan_name=f"{bl.name}.{surface}.deep.{role}" if surface == "page" else None)
        entry.update({"depth": depth, "rows_visible": total})
        return entry

    # --- exports ----------------------------------------------------------------------------------

    def export(self, role: str, url: str, table: str) -> dict:
        """The whole export, every byte read, at most ``export_rows`` rows (the cap patched for the
        run); the reference is the export's query with the same limit."""
        cap = self.export_rows
        with export_cap(cap):
            measured = peak_rss_reset()
            entry = self.request(role, url, table=table, limit=cap, repeat=min(self.repeat, self.export_repeat))
            entry["row_cap"] = cap
            entry["peak_rss_mb"] = peak_rss_mb() if measured else None
        return entry

    def export_job(self, role: str, url: str, table: str) -> dict:
        """An Excel export that runs as a job: the request that starts it (a redirect to its page)
        and the job itself, run here as the worker would, until its file is written; inside a
        transaction that is rolled back, the file deleted, so nothing of it stays."""
        from qsm.exports.models import ExportJob
        from qsm.exports.services import export_job_run

        session = self.sessions[role]
        cap = self.export_rows
        runs = self.warmup + max(min(self.repeat, self.export_repeat), 1)
        samples: list[float] = []
        first: QueryLog | None = None
        rows_done = None
        with export_cap(cap):
            measured = peak_rss_reset()
            for n in range(runs):
                log = QueryLog()
                with transaction.atomic():
                    with log.capture():
                        t = time.perf_counter()
                        response = session.client.get(url)
                        if response.status_code not in (200, 302):
                            raise UnexpectedStatus(f"HTTP {response.status_code} for {url}")
                        job = ExportJob.objects.filter(owner=session.user).order_by("-pk").first()
                        if job is None:
                            raise RuntimeError(f"{url} started no export job")
                        export_job_run(job_id=job.pk)
                        elapsed = (time.perf_counter() - t) * 1000
                    job.refresh_from_db()
                    if job.file:
                        _delete_export_file(job.file)
                    transaction.set_rollback(True)
                if job.state != ExportJob.State.DONE:
                    raise RuntimeError(f"export job {job.state}: {job.error}")
                rows_done = job.rows_done
                first = first or log
                if n >= self.warmup:
                    samples.append(elapsed)
            peak = peak_rss_mb() if measured else None
        main = main_query(first.queries, table)
        if main is None:
            raise RuntimeError(f"no query FROM {table} among the export's {first.count}")
        ref = {"kind": "sql_floor", **summary(self.timed(lambda: run_query(main, limit=cap),
                                                         repeat=len(samples), warm=True))}
        entry = {"url": url, "user": role, "status": 302, "queries": first.count, "rows": rows_done, "row_cap": cap,
                 "peak_rss_mb": peak, "job": True, **summary(samples), "reference": ref}
        entry["ratio"] = ratio(entry["median_ms"], ref["median_ms"])
        return entry

    # --- the reminder sweep -----------------------------------------------------------------------

    def sweep(self, due: int) -> dict:
        """One beat run of the reminder sweep with ``due`` reminder levels due (scaled), set up and
        run inside a transaction that is rolled back: the seeded data stay as they were."""
        target = max(1, round(due * self.scale)) if due else 0
        repeat = max(min(self.repeat, 5) if target else self.repeat, 1)

        def once(n: int, *, capture: QueryLog | None = None) -> tuple[float, dict]:
            with transaction.atomic():
                now = timezone.now()
                made = _make_due(now, n)
                with capture.capture() if capture else nullcontext():
                    t = time.perf_counter()
                    outcome = _sweep(now)
                    elapsed = (time.perf_counter() - t) * 1000
                left = _due_count(now)
                transaction.set_rollback(True)
            return elapsed, {"due": made, "outcome": outcome, "left_due": left}

        log = QueryLog(keep=200)
        elapsed, first = once(target, capture=log)
        samples = [] if self.warmup else [elapsed]
        samples += [once(target)[0] for _n in range(repeat - len(samples))]
        entry = {"user": "system", "queries": log.count, **first, **summary(samples)}
        if target:
            for _n in range(self.warmup):
                once(0)
            base = [once(0)[0] for _n in range(repeat)]
            ref = {"kind": "due_0", **summary(base)}
            entry["per_due_ms"] = round((entry["median_ms"] - ref["median_ms"]) / max(first["due"], 1), 3)
        else:
            # The floor of a sweep with nothing due: the queries that find what is due (none).
            ref = {"kind": "sql_floor", **summary(self.timed(lambda: _due_count(timezone.now()), repeat=repeat,
                                                             warm=True))}
        entry["reference"] = ref
        entry["ratio"] = ratio(entry["median_ms"], ref["median_ms"])
        return entry

    # --- throughput -------------------------------------------------------------------------------

    def throughput_targets(self, lists: list[BenchList]) -> list[tuple[str, str]]:
        targets = [("bare", reverse("bench-bare")), ("inbox.page", reverse("inbox"))]
        targets += [(f"{bl.name}.page", reverse(bl.page)) for bl in lists if bl.throughput and bl.page]
        return targets


# --- helpers -------------------------------------------------------------------------------------


def _bind(fn, *args, **kwargs) -> Callable[[], dict]:
    return lambda: fn(*args, **kwargs)


def _export_jobs() -> bool:
    """Excel exports run as jobs (qsm.exports.services), or are answered in the request."""
    try:
        from qsm.exports.services import export_job_run  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def export_cap(cap: int):
    """Exports stop at ``cap`` rows for the run: the limits of qsm.exports, module constants or
    the default of a ``limit`` keyword, whichever the code has."""
    import importlib

    with ExitStack() as stack:
        for name in ("qsm.exports", "qsm.exports.formats", "qsm.exports.services"):
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            for attr in ("MAX_EXPORT_ROWS", "MAX_XLSX_ROWS"):
                if hasattr(module, attr):
                    stack.enter_context(mock.patch.object(module, attr, cap))
            for fn_name in ("csv_lines", "write_xlsx", "export_csv", "export_xlsx"):
                defaults = getattr(getattr(module, fn_name, None), "__kwdefaults__", None)
                if defaults and "limit" in defaults:
                    stack.enter_context(mock.patch.dict(defaults, {"limit": cap}))
        yield


def _delete_export_file(field) -> None:
    storage, name = field.storage, field.name
    storage.delete(name)
    try:
        os.rmdir(os.path.dirname(storage.path(name)))
    except (NotImplementedError, OSError):
        pass


def _raiser(exc: Exception) -> Callable[[], dict]:
    def run() -> dict:
        raise exc

    return run


def _query(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(params, doseq=True)


def _view_class(url_name: str | None):
    if not url_name:
        return None
    func = resolve(reverse(url_name)).func
    return getattr(func, "view_class", None) or getattr(func, "cls", None)


def _row_at(rows, fraction: float, *, cap: int):
    """A row some way down the list (not the newest: a record with a history)."""
    ids = list(rows.values_list("pk", flat=True)[: cap + 1])
    if not ids:
        return None
    pk = ids[min(int(len(ids) * fraction), len(ids) - 1)]
    return rows.get(pk=pk)


def filter_variants(bl: BenchList, filterset, rows, span) -> Iterator[tuple[str, dict]]:
    """One variant per filter of the list's FilterSet, with a value that selects rows: the first
    state (and the first two), "true", the most common department / owner / customer of the
    business user's rows; each from/to pair of dates as one old month."""
    import django_filters as df

    pairs: dict[str, dict] = {}
    for name, f in filterset.base_filters.items():
        if name == bl.search_param or name in bl.skip_filters:
            continue
        if name in bl.filter_values:
            yield f"filter.{name}", {name: bl.filter_values[name]}
        elif isinstance(f, (df.ModelChoiceFilter, df.ModelMultipleChoiceFilter)):  # before ChoiceFilter, their base
            value = (rows.order_by().exclude(**{f"{f.field_name}__isnull": True}).values(f.field_name)
                     .annotate(n=Count("pk")).order_by("-n").values_list(f.field_name, flat=True).first())
            if value is not None:
                yield f"filter.{name}", {name: value}
        elif isinstance(f, (df.DateFilter, df.DateTimeFilter)) and name.endswith(("_from", "_to")):
            prefix, _sep, bound = name.rpartition("_")
            pairs.setdefault(prefix, {"field": f.field_name})[bound] = name
        elif isinstance(f, df.MultipleChoiceFilter):
            values = [c[0] for c in _choices(f)]
            if values:
                yield f"filter.{name}", {name: values[:1]}
            if len(values) > 1:
                yield f"filter.{name}_2", {name: values[:2]}
        elif isinstance(f, df.ChoiceFilter):
            values = [c[0] for c in _choices(f)]
            if values:
                yield f"filter.{name}", {name: values[0]}
        elif isinstance(f, df.BooleanFilter):
            yield f"filter.{name}", {name: "true"}
    for prefix, pair in pairs.items():
        if "from" not in pair or "to" not in pair:
            continue
        lo, hi = span(pair["field"])
        if lo is None:
            continue
        lo_day = lo.date() if isinstance(lo, dt.datetime) else lo
        hi_day = hi.date() if isinstance(hi, dt.datetime) else hi
        start = (lo_day + (hi_day - lo_day) * 0.15).replace(day=1)  # an old month, not the first days
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        yield f"date.{prefix}", {pair["from"]: start.isoformat(), pair["to"]: end.isoformat()}


def _choices(f) -> list:
    choices = f.extra.get("choices", [])
    return list(choices() if callable(choices) else choices)


def _due_querysets(now):
    from qsm.sla import services

    return services.due_reminders(now=now), services.due_overdue(now=now)


def _due_count(now) -> int:
    reminders, overdue = _due_querysets(now)
    return reminders.count() + overdue.count()


def _make_due(now, n: int) -> int:
    """``n`` reminder levels due at ``now`` (fewer if there are not that many running deadlines):
    what is due already is marked done; then the running deadlines that fall next get their
    reminder due a minute ago, and if they are not enough, the latest past-due ones get their
    overdue level back (as if the sweep had not run since they fell due)."""
    from django.db.models.functions import Coalesce

    from qsm.sla.models import Deadline

    reminders, overdue = _due_querysets(now)
    reminders.update(reminded_at=now)
    overdue.update(overdue_at=now)
    if n:
        running = Deadline.objects.filter(state=Deadline.State.RUNNING)
        ahead = list(running.filter(due_at__gt=now + dt.timedelta(minutes=5)).order_by("due_at")
                     .values_list("pk", flat=True)[:n])
        Deadline.objects.filter(pk__in=ahead).update(remind_at=now - dt.timedelta(minutes=1), reminded_at=None)
        if len(ahead) < n:
            past = list(running.filter(due_at__lte=now).order_by("-due_at").values_list("pk", flat=True)[:n - len(ahead)])
            Deadline.objects.filter(pk__in=past).update(overdue_at=None, reminded_at=Coalesce("reminded_at", now))
    return _due_count(now)


def _sweep(now) -> dict:
    from qsm.sla.services import deadlines_sweep

    outcome = deadlines_sweep(now=now)
    return outcome if isinstance(outcome, dict) else {"result": str(outcome)}
