"""PERF-1: the scale seeder's frame (``manage.py seed_scale --scale S``; the command lives in
``assessment``, the right-most app, like ``load_demo_data``).

Every module declares its own seeder on its AppConfig (``scale_data = "presales.scale:seeder"``, a
:class:`Seeder`); the command runs them in INSTALLED_APPS order, which is the dependency order, so
the core's organisation (departments, users, customers, products) is there before the inquiries,
and the inquiries before the orders converted from them. A module added later (after-sales cases,
complaints, inspections ...) declares a seeder and is seeded by the next run at the same scale: the
modules already seeded are skipped (one marker row per module in ``qsm_scale_seed``).

A seeder writes with set-based SQL (``INSERT ... SELECT ... FROM generate_series``) the rows the
app itself would have written for each record in its state: the status and its timestamps, the
``due_at`` mirror, the open deadline of the current stage and the completed ones of past stages,
one timeline event per transition, numbers from the number sequences. "Random" choices are
deterministic functions of a row's number (``rnd``/``pick`` below, on PostgreSQL's
``hashint8extended``): the same scale gives the same data.

This module gives the seeders what they share: the context (scale, "now", the five-year window),
the SQL helpers (deterministic random numbers, picks from word lists, working-time arithmetic in
the company's calendar), id allocation, sequence fixing and the per-step timing of the summary.
It imports no domain app.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

MARKER_TABLE = "qsm_scale_seed"
DEFAULT_PASSWORD = "qsm-scale-2026"
# In a seeder's SQL, ``qsm_work_add(ts, minutes)`` reads like a function; ScaleContext.expand writes it out.
WORK_ADD = "qsm_work_add("
YEARS = 5


class ScaleError(Exception):
    """The database cannot be seeded as asked (seeded at another scale, or not fresh)."""


@dataclass(frozen=True)
class Seeder:
    """What a module declares: its name, the tables it fills (counted in the summary and emptied by
    ``--reset``) and the function that fills them from a :class:`ScaleContext`."""

    module: str
    tables: tuple[str, ...]
    seed: Callable[[ScaleContext], None]
    # Lines for the summary (open, overdue, busiest user ...), read from the database after seeding.
    report: Callable[[ScaleContext], list[str]] | None = None


def seeders() -> list[Seeder]:
    """Every installed app's declared seeder, in INSTALLED_APPS (dependency) order."""
    from qsm.registry import _declared

    return [seeder for _label, seeder in _declared("scale_data")]


def lit(value: str) -> str:
    """A SQL string literal (the word lists are the seeders' own constants, never user input)."""
    return "'" + str(value).replace("'", "''") + "'"


def text_array(values: Iterable[str]) -> str:
    return "(ARRAY[" + ",".join(lit(v) for v in values) + "]::text[])"


def int_array(values: Iterable[int]) -> str:
    return "(ARRAY[" + ",".join(str(int(v)) for v in values) + "]::bigint[])"


def rnd(expr: str, salt: int) -> str:
    """SQL: a uniform number in [0, 1), a fixed function of ``expr`` (a row number) and ``salt``."""
    return f"pg_temp.qsm_rnd(({expr})::bigint, {int(salt)})"


def pick(values: list[str] | str, expr: str, salt: int) -> str:
    """SQL: one of ``values`` (a list of texts, or an SQL array expression), drawn by ``rnd``."""
    array = values if isinstance(values, str) else text_array(values)
    return f"pg_temp.qsm_pick({array}, ({expr})::bigint, {int(salt)})"


def weighted(choices: list[tuple[str, float]], u: str) -> str:
    """SQL CASE: the value whose cumulative weight band holds ``u`` (a ``rnd`` expression)."""
    total = sum(w for _v, w in choices)
    parts, acc = [], 0.0
    for value, weight in choices[:-1]:
        acc += weight / total
        parts.append(f"WHEN {u} < {acc:.6f} THEN {lit(value)}")
    return f"(CASE {' '.join(parts)} ELSE {lit(choices[-1][0])} END)"


@dataclass
class ScaleContext:
    """What the seeders share while one run of the command lasts."""

    scale: float
    password: str = DEFAULT_PASSWORD
    now: dt.datetime = field(default_factory=lambda: timezone.now().replace(microsecond=0))
    log: Callable[[str], None] = print
    timings: list[tuple[str, float, int]] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)  # what one seeder hands the next (same run)

    @property
    def start(self) -> dt.datetime:
        return self.now - dt.timedelta(days=365 * YEARS + 1)

    @property
    def tz(self) -> str:
        return settings.TIME_ZONE

    def count(self, at_scale_one: float, minimum: int = 1) -> int:
        """``at_scale_one`` scaled linearly, at least ``minimum``."""
        return max(minimum, round(at_scale_one * self.scale))

    # --- SQL -------------------------------------------------------------------------------------

    def execute(self, sql: str, params: Iterable[Any] | dict | None = None) -> int:
        with connection.cursor() as cursor:
            cursor.execute(self.expand(sql), params)
            return cursor.rowcount

    def expand(self, sql: str) -> str:
        """Expand the ``qsm_work_add(ts, minutes)`` macro of a seeder's SQL (see ``work_add``)."""
        out, rest = [], sql
        while (start := rest.find(WORK_ADD)) >= 0:
            out.append(rest[:start])
            depth, args, begin = 0, [], start + len(WORK_ADD)
            for pos in range(begin, len(rest)):
                char = rest[pos]
                if char == "(":
                    depth += 1
                elif char == ")" and depth:
                    depth -= 1
                elif char == ")" or (char == "," and depth == 0):
                    args.append(rest[begin:pos])
                    begin = pos + 1
                    if char == ")":
                        break
            if len(args) != 2:
                raise ValueError("qsm_work_add takes (ts, minutes)")
            out.append(self.work_add(self.expand(args[0]), self.expand(args[1])))
            rest = rest[begin:]
        return "".join(out) + rest

    def scalar(self, sql: str, params: Iterable[Any] | dict | None = None) -> Any:
        with connection.cursor() as cursor:
            cursor.execute(self.expand(sql), params)
            row = cursor.fetchone()
            return row[0] if row else None

    def rows(self, sql: str, params: Iterable[Any] | dict | None = None) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(self.expand(sql), params)
            return cursor.fetchall()

    def next_id(self, table: str) -> int:
        """The first id free in ``table`` (ids are given explicitly so that children can point at
        their parents by arithmetic; ``fix_sequences`` moves the identity past them afterwards)."""
        return int(self.scalar(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"))

    def fix_sequences(self, tables: Iterable[str]) -> None:
        """Move each table's id sequence past the ids given explicitly: the app creates records after."""
        for table in tables:
            self.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)",
                [table])

    def content_type_id(self, app_label: str, model: str) -> int:
        from django.contrib.contenttypes.models import ContentType

        return ContentType.objects.get_by_natural_key(app_label, model).pk

    @contextlib.contextmanager
    def step(self, label: str) -> Iterator[list[int]]:
        """Time one step; the block appends the number of rows it wrote to the yielded list."""
        rows: list[int] = []
        started = time.monotonic()
        yield rows
        seconds = time.monotonic() - started
        self.timings.append((label, seconds, sum(rows)))
        self.log(f"  {label}: {sum(rows):,} rows in {seconds:.1f} s")

    # --- session helpers ---------------------------------------------------------------------------

    def install_functions(self) -> None:
        """The SQL helpers, as temporary functions of this session (nothing stays in the schema).

        ``qsm_rnd``/``qsm_pick``: deterministic draws; ``qsm_work_end(day)``: the end of work on ``day``
        (the due time of a date clock). It also loads the window's public holidays into the default
        calendar and prepares the working line ``work_add`` reads.
        """
        from qsm.sla.calendar import default_calendar, load_cn_public_holidays
        from qsm.sla.models import CalendarDay

        calendar = default_calendar()
        # The five years of the window, so that the seeded deadlines and the app agree on working days.
        load_cn_public_holidays(calendar, list(range(self.start.year, self.now.year + 2)))
        days = CalendarDay.objects.filter(calendar=calendar).values_list("date", "kind")
        holidays = [d.isoformat() for d, k in days if k == CalendarDay.Kind.HOLIDAY]
        workdays = [d.isoformat() for d, k in days if k == CalendarDay.Kind.WORKDAY]
        weekdays = [int(c) for c in calendar.weekdays]

        def minutes(t: dt.time | None) -> int:
            return t.hour * 60 + t.minute if t else 0

        ws, we = minutes(calendar.work_start), minutes(calendar.work_end)
        ls, le = minutes(calendar.lunch_start), minutes(calendar.lunch_end)
        if not (calendar.lunch_start and calendar.lunch_end and ws < ls < le < we):
            ls = le = we
        # The working line over the window (and the app's MAX_DAYS ahead): day i is working or not.
        first_day = self.start.date() - dt.timedelta(days=31)
        holiday_days, work_days = set(holidays), set(workdays)
        cumulative, working_dates, count = [], [], 0
        for n in range((self.now.date() - first_day).days + 800):
            day = first_day + dt.timedelta(days=n)
            cumulative.append(count)
            iso = day.isoformat()
            if iso in work_days or (day.isoweekday() in weekdays and iso not in holiday_days):
                count += 1
                working_dates.append(iso)
        cumulative.append(count)
        self.work_line = (first_day, cumulative, working_dates, (ws, ls, le, we))
        self.calendar_id = calendar.pk
        tz = lit(self.tz)
        self.execute(f"""
            CREATE OR REPLACE FUNCTION pg_temp.qsm_rnd(k bigint, salt int) RETURNS double precision
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
            $$ SELECT (hashint8extended(k, salt) & 2147483647)::double precision / 2147483648.0 $$;

            CREATE OR REPLACE FUNCTION pg_temp.qsm_pick(arr text[], k bigint, salt int) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
            $$ SELECT arr[1 + floor(pg_temp.qsm_rnd(k, salt) * cardinality(arr))::int] $$;

            CREATE OR REPLACE FUNCTION pg_temp.qsm_work_end(d date) RETURNS timestamptz
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
            $$ SELECT (d + make_interval(mins => {we})) AT TIME ZONE {tz} $$;

        """)

    def org_lookups(self, *, intake_big: float = 0.15, handover_big: float = 0.25) -> dict[str, Any]:
        """Temporary lookup tables of the organisation as it is in the database (so a module seeded in a
        later run finds it too), and the SQL arrays the seeders draw departments from:

        - ``scale_biz(k, id, alt_id, n_staff)``: the active business departments, numbered from 1;
          ``alt_id`` is the next one (a hand-over goes to another department);
        - ``scale_staff(dept_id, n, user_id)``: each department's members with the staff role, numbered;
        - ``intake``/``handover``: SQL int arrays of 1,000 department ids; the first business
          department (the biggest) fills ``intake_big``/``handover_big`` of them, the others share the rest.
        """
        if "org" in self.shared:
            return self.shared["org"]
        self.execute("""
            DROP TABLE IF EXISTS scale_biz, scale_staff;
            CREATE TEMP TABLE scale_staff AS
                SELECT u.department_id AS dept_id, row_number() OVER (PARTITION BY u.department_id ORDER BY u.id) AS n,
                       u.id AS user_id
                FROM org_user u JOIN org_user_groups ug ON ug.user_id = u.id JOIN auth_group g ON g.id = ug.group_id
                WHERE g.name = 'staff' AND u.is_active AND u.department_id IS NOT NULL;
            CREATE UNIQUE INDEX ON scale_staff (dept_id, n);
            CREATE TEMP TABLE scale_biz AS
                SELECT row_number() OVER (ORDER BY d.id) AS k, d.id, 0::bigint AS alt_id,
                       (SELECT COUNT(*) FROM scale_staff s WHERE s.dept_id = d.id) AS n_staff
                FROM org_department d WHERE d.kind = 'business' AND d.is_active;
            UPDATE scale_biz b SET alt_id = (SELECT c.id FROM scale_biz c
                                             WHERE c.k = b.k % (SELECT COUNT(*) FROM scale_biz) + 1);
            ANALYZE scale_staff; ANALYZE scale_biz;
        """)
        biz = [row[0] for row in self.rows("SELECT id FROM scale_biz WHERE n_staff > 0 ORDER BY k")]
        if len(biz) < 2:
            raise ScaleError("Seeding needs at least two business departments with staff.")

        def slots(big: float) -> str:
            first = round(1000 * big)
            rest = [biz[1 + i * (len(biz) - 1) // (1000 - first)] for i in range(1000 - first)]
            return int_array([biz[0]] * first + rest)

        quality = self.rows("SELECT u.id FROM org_user u JOIN org_department d ON d.id = u.department_id "
                            "WHERE d.kind = 'quality' ORDER BY u.id")
        production = self.rows("""SELECT u.id FROM org_user u JOIN org_user_groups ug ON ug.user_id = u.id
                                  JOIN auth_group g ON g.id = ug.group_id
                                  WHERE g.name = 'installation_engineer' ORDER BY u.id""")
        self.shared["org"] = {
            "business": biz, "intake": slots(intake_big), "handover": slots(handover_big),
            "quality_users": [r[0] for r in quality], "engineers": [r[0] for r in production],
        }
        return self.shared["org"]

    def work_add(self, ts: str, minutes: str) -> str:
        """SQL (what the ``qsm_work_add(ts, minutes)`` macro becomes): the moment ``minutes`` of working time after ``ts`` (both SQL expressions, each evaluated
        more than once: pass columns or cheap expressions), as ``qsm.sla.calendar.WorkingTime.add``
        computes it in the default calendar: its hours, lunch break, weekdays, public holidays and
        make-up workdays.

        Day i of the window starts at cw[i] * W working minutes on a line (cw: working days before it,
        W: working minutes a day), so adding minutes is arithmetic and two lookups in constant arrays.
        One expression in the calling statement, not a function: a PL/pgSQL function copies its array
        arguments on every call (~15 µs), which at scale 1 took minutes.
        """
        first_day, cumulative, working_dates, (ws, ls, le, we) = self.work_line
        w = (ls - ws) + (we - le)
        cw = "('{" + ",".join(map(str, cumulative)) + "}'::int[])"
        wd = "('{" + ",".join(working_dates) + "}'::date[])"
        # A scalar subquery, each stage computed once per row (OFFSET 0 keeps the planner from folding the
        # stages back into one expression that repeats the time-zone conversions dozens of times).
        i = f"(u.loc::date - {lit(first_day.isoformat())}::date + 1)"
        t = "(extract(epoch FROM u.loc - u.loc::date) / 60)"
        p = (f"{cw}[{i}] * {w} + greatest(({minutes})::double precision, 0) + CASE WHEN {cw}[{i} + 1] > {cw}[{i}] "
             f"THEN least(greatest({t} - {ws}, 0), {ls - ws}) + least(greatest({t} - {le}, 0), {we - le}) ELSE 0 END")
        j = f"greatest(ceil(x.p / {w})::int - 1, 0)"
        r = f"(x.p - {j} * {w})"
        return (f"(SELECT ({wd}[{j} + 1] + (CASE WHEN {r} <= {ls - ws} THEN {ws} + {r} ELSE {le} + {r} - {ls - ws} END)"
                f" * interval '1 minute') AT TIME ZONE {lit(self.tz)} FROM (SELECT {p} AS p FROM (SELECT ({ts}) AT TIME "
                f"ZONE {lit(self.tz)} AS loc OFFSET 0) u OFFSET 0) x)")

    def foreign_keys_checked_at_end(self) -> bool:
        """How this transaction checks the foreign keys of what it writes.

        Row by row, PostgreSQL checks each foreign key of each row with a query and a lock on the parent
        row (Django declares them deferred: at COMMIT, untimed, the queue held in memory); at scale 1
        that is some 20 million lookups. So when the session may (a superuser), the load runs with
        ``session_replication_role = replica`` for this transaction only, which skips those row
        triggers (the tables have no other triggers: checked here), and ``check_foreign_keys`` then
        proves every key of the seeded tables with one anti-join each, as ``VALIDATE CONSTRAINT``
        would. The constraints themselves are never touched: the app's writes are checked as always.
        Otherwise every key is checked as each row goes in (``SET CONSTRAINTS ALL IMMEDIATE``).
        """
        superuser = self.scalar("SELECT current_setting('is_superuser') = 'on'")
        other_triggers = self.scalar("SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE NOT tgisinternal)")
        if superuser and not other_triggers:
            self.execute("SET LOCAL session_replication_role = replica")
            return True
        self.execute("SET CONSTRAINTS ALL IMMEDIATE")
        return False

    def check_foreign_keys(self, tables: Iterable[str]) -> None:
        """Every foreign key of ``tables`` points at an existing row (one anti-join per key)."""
        keys = self.rows("""
            SELECT c.conname, c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, fa.attname
            FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
            WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND c.conrelid::regclass::text = ANY(%s)""",
            [list(tables)])
        for name, table, column, parent, parent_column in keys:
            orphans = self.scalar(
                f"SELECT COUNT(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {parent} p WHERE p.{parent_column} = t.{column})")
            if orphans:
                raise ScaleError(f"{orphans} rows of {table} break the foreign key {name}: nothing was seeded.")

    def ensure_marker(self) -> None:
        self.execute(f"""CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (
            module varchar(60) PRIMARY KEY, scale numeric NOT NULL, seeded_at timestamptz NOT NULL,
            seconds double precision NOT NULL, rows jsonb NOT NULL DEFAULT '{{}}'::jsonb)""")

    def seeded(self) -> dict[str, float]:
        """module -> scale of what is already seeded."""
        exists = self.scalar("SELECT to_regclass(%s) IS NOT NULL", [MARKER_TABLE])
        if not exists:
            return {}
        return {m: float(s) for m, s in self.rows(f"SELECT module, scale FROM {MARKER_TABLE}")}

    def mark(self, seeder: Seeder, seconds: float, counts: dict[str, int]) -> None:
        self.execute(f"INSERT INTO {MARKER_TABLE} (module, scale, seeded_at, seconds, rows) VALUES (%s, %s, now(), %s, %s)",
                     [seeder.module, self.scale, seconds, json.dumps(counts)])

    def summary(self) -> dict[str, int]:
        """Rows per table of every declared seeder (what is in them now)."""
        return self.table_counts(dict.fromkeys(t for s in seeders() for t in s.tables))

    def highlights(self) -> list[str]:
        return [line for s in seeders() if s.report for line in s.report(self)]

    def table_counts(self, tables: Iterable[str]) -> dict[str, int]:
        return {t: int(self.scalar(f"SELECT COUNT(*) FROM {t}")) for t in tables}


def seed(*, scale: float, password: str = DEFAULT_PASSWORD, reset: bool = False,
         log: Callable[[str], None] = print) -> ScaleContext:
    """Seed every declared module at ``scale`` (see the module docstring). Each module is one
    transaction with its marker row, so a failed module leaves nothing half written."""
    from django.db import DatabaseError, transaction

    if scale <= 0:
        raise ScaleError("The scale must be positive.")
    ctx = ScaleContext(scale=scale, password=password, log=log)
    declared = seeders()
    done = ctx.seeded()
    other = {m: s for m, s in done.items() if abs(s - scale) > 1e-12}
    if other and not reset:
        seeded_at = ", ".join(sorted({f"{s:g}" for s in other.values()}))
        raise ScaleError(f"The database was seeded at scale {seeded_at}; run with --reset to empty it and seed "
                         f"scale {scale:g}.")
    if reset and done:
        with transaction.atomic(), ctx.step("reset (truncate the seeded tables)"):
            reset_seeded(ctx, declared)
        done = {}
    if not done and ctx.scalar("SELECT EXISTS (SELECT 1 FROM org_department)"):
        raise ScaleError("The database already has data (departments exist) that seed_scale did not write: "
                         "seed a fresh, migrated database.")
    # Room for the plan tables and the sorts of a million-row load (this session only; refused once the
    # session has used a temporary table, which only a test's long-lived session has).
    for setting in ("temp_buffers = '1GB'", "work_mem = '256MB'", "maintenance_work_mem = '512MB'"):
        with contextlib.suppress(DatabaseError), transaction.atomic():
            ctx.execute(f"SET {setting}")
    seeded_now = False
    for seeder in declared:
        if seeder.module in done:
            log(f"{seeder.module}: already seeded at scale {scale:g}, skipped")
            continue
        if done and not seeded_now:
            # A later module's set-based SQL reads the earlier modules' tables (the after-sales cases
            # look up an order's first line): without statistics on them PostgreSQL picked a plan per
            # row that did not finish in an hour at scale 1. Autovacuum may not have come by yet.
            with ctx.step("ANALYZE (the modules seeded before)"):
                ctx.execute("ANALYZE")
        log(f"{seeder.module}:")
        started = time.monotonic()
        with transaction.atomic():
            ctx.execute("SET LOCAL synchronous_commit = off")
            checked_at_end = ctx.foreign_keys_checked_at_end()
            ctx.ensure_marker()
            ctx.install_functions()
            seeder.seed(ctx)
            if checked_at_end:
                with ctx.step("foreign keys checked (set-based)"):
                    ctx.check_foreign_keys(seeder.tables)
            ctx.fix_sequences(seeder.tables)
            counts = ctx.table_counts(seeder.tables)
            ctx.mark(seeder, time.monotonic() - started, counts)
        seeded_now = True
        # Fresh statistics on what this module wrote before the next module's SQL reads it.
        with ctx.step(f"ANALYZE ({seeder.module})"):
            ctx.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in dict.fromkeys(seeder.tables)))
    if seeded_now:  # the shared tables too (timeline, deadlines ...), as autovacuum would after such a load
        with ctx.step("ANALYZE"):
            ctx.execute("ANALYZE")
    return ctx


def reset_seeded(ctx: ScaleContext, declared: list[Seeder]) -> None:
    """``--reset``: empty every table a seeder fills (the database was seeded, so what is in them is the
    seeder's and what the benchmark added on top) and forget the markers; reference data (role groups,
    the calendar, SLA policies) is kept."""
    tables = list(dict.fromkeys(t for s in declared for t in s.tables))
    ctx.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred FK checks of this transaction first (TRUNCATE refuses them)
    ctx.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    ctx.execute(f"DELETE FROM {MARKER_TABLE}")
