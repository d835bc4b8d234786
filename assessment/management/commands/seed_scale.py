"""PERF-1: fill a fresh database with realistic data at a scale, for benchmarking.

    manage.py seed_scale --scale S [--password P] [--reset]

At scale 1: ~50 departments, 2,000 users, 200,000 customers, 1,000,000 inquiries and 300,000 orders
with their lines, review rounds, deliveries and installations, spread over the five years up to now,
with the deadlines, timeline events, discussions and contact logs the app writes for each record in
its state. Every count scales linearly (``--scale 0.001``: 1,000 inquiries).

Each app seeds its own part (``qsm/org/scale.py``, ``presales/scale.py``, ``orders/scale.py``, ...,
declared on its AppConfig as ``scale_data``) with set-based SQL; this command only runs them in
dependency order (``qsm.scale.seed``), analyses the tables and prints what it wrote and how long each
step took.

- **Idempotent per scale.** Each module seeded is recorded in the table ``qsm_scale_seed``; running
  again at the same scale seeds only the modules not seeded yet (a module added later), else nothing.
- **Another scale** on a seeded database is refused; ``--reset`` first empties every table the seeders
  fill (records, customers, users, departments; also what was created on top of the seeded data) and
  keeps the reference data (role groups, the working calendar, SLA policies). A database with data that
  seed_scale did not write is refused: seed a fresh, migrated one.
- **Logins.** Every seeded user's password is ``--password`` (default ``qsm-scale-2026``). Usernames are
  ``<department code>.<nnn>``: ``nnn`` = 001 is the department's manager (``quality.001`` is the quality
  manager, ``quality.002`` a quality officer), then staff; ``scale.admin`` is an administrator.
  ``biz01`` (华东销售部) is the biggest business department and ``biz01.002`` its first staff member (at
  scale 1 the busiest owner); the summary prints the busiest department and owner of the run.
"""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from qsm.scale import DEFAULT_PASSWORD, ScaleError, seed


class Command(BaseCommand):
    help = "Fill a fresh database with realistic data at a scale (1 = a million inquiries), for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, required=True,
                            help="1 = 1,000,000 inquiries, 300,000 orders, 200,000 customers; counts scale linearly.")
        parser.add_argument("--password", default=DEFAULT_PASSWORD,
                            help=f"Password of every seeded user (default {DEFAULT_PASSWORD}).")
        parser.add_argument("--reset", action="store_true",
                            help="Empty the tables seed_scale fills before seeding (only on a database it seeded).")

    def handle(self, *args, scale: float, password: str, reset: bool, **options):
        started = time.monotonic()
        try:
            ctx = seed(scale=scale, password=password, reset=reset, log=self.stdout.write)
        except ScaleError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Seeded at scale {scale:g} in {time.monotonic() - started:.1f} s."))
        if ctx.timings:
            self.stdout.write("Seconds per step:")
            for label, seconds, rows in ctx.timings:
                self.stdout.write(f"  {seconds:8.1f} s  {rows:>12,} rows  {label}")
        self.stdout.write("Rows per table:")
        for table, count in ctx.summary().items():
            self.stdout.write(f"  {count:>12,}  {table}")
        for line in ctx.highlights():
            self.stdout.write(line)
