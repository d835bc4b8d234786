"""PERF-1: ``manage.py bench``: measure every list, filter, search, deep page, record, "my work",
export and the reminder sweep against the database it is pointed at, with each measurement's
reference (the raw SQL floor, page 1, the bare view) from the same run, and wrk throughput through
gunicorn. Writes ``bench/results.json`` (and the hot queries' plans to ``bench/plans/``); exits
non-zero when a measurement failed. The harness is the core's (``qsm.bench``); each module
declares its lists (``AppConfig.bench``).

    manage.py bench --scale 1 [--repeat 10] [--only NAME] [--out bench/results.json] [--no-wrk]

Run it against a database seeded with ``manage.py seed_scale --scale S`` (``make bench SCALE=S``).
It changes nothing there: the sweep runs in a transaction that is rolled back.
"""
from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qsm.bench.runner import EXPORT_ROWS, Bench, seeded_scales


class Command(BaseCommand):
    help = "Benchmark every list, record, export, 'my work' and the sweep; write bench/results.json (PERF-1)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=None,
                            help="the scale the database was seeded at (deep pages and sweep sizes follow it); "
                                 "default: the one seed_scale recorded, else 1")
        parser.add_argument("--repeat", type=int, default=10, help="timed runs per measurement, after one warm-up")
        parser.add_argument("--only", action="append", default=[],
                            help="measure only names containing this text (repeatable)")
        parser.add_argument("--out", default="bench/results.json", help="the results file; plans go to plans/ beside it")
        parser.add_argument("--no-wrk", action="store_true", help="skip the gunicorn + wrk throughput runs")
        parser.add_argument("--wrk-seconds", type=int, default=10, help="length of each wrk run")
        parser.add_argument("--export-rows", type=int, default=EXPORT_ROWS, help="row cap of the measured exports")
        parser.add_argument("--export-repeat", type=int, default=3, help="timed runs per export (at most --repeat)")
        parser.add_argument("--statement-timeout", type=float, default=60.0,
                            help="seconds any one query may run before its measurement fails (0: no limit)")
        parser.add_argument("--note", default="", help="a line kept in the results (what ran beside it, which fixes)")
        parser.add_argument("--warmup", type=int, default=1,
                            help="untimed runs first (0: the first timed run records the queries; the smoke test)")
        parser.add_argument("--budget", type=float, default=60.0,
                            help="seconds of timed runs per measurement before fewer repeats are taken")

    def handle(self, *args, **opts):
        out = Path(opts["out"])
        scale = opts["scale"]
        if scale is None:
            recorded = set(seeded_scales().values())
            scale = recorded.pop() if len(recorded) == 1 else 1.0
        bench = Bench(scale=scale, repeat=opts["repeat"], only=opts["only"], out=out, wrk=not opts["no_wrk"],
                      export_rows=opts["export_rows"], export_repeat=opts["export_repeat"], budget=opts["budget"], warmup=opts["warmup"], statement_timeout=opts["statement_timeout"],
                      wrk_seconds=opts["wrk_seconds"], log=lambda line: self.stdout.write(line))
        result = bench.run()
        if opts["note"]:
            result["note"] = "; ".join(filter(None, [opts["note"], result.get("note", "")]))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
        self.stdout.write(f"wrote {out}: {len(result['measurements'])} measurements, "
                          f"{len(result['throughput'])} throughput runs in {result['seconds']} s")
        if not result["data_unchanged"]:
            raise CommandError("the run changed the seeded data (see the sweep and the sessions)")
        if result["failed"]:
            raise CommandError(f"{len(result['failed'])} measurement(s) failed: {', '.join(result['failed'][:20])}")
