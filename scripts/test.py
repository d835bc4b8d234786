"""`make test`: the whole suite in two runs, so it fits CI's time on a small machine.

1. everything but the real-Celery-worker tests, spread over the cores (pytest-xdist gives each
   process its own test database, live server and browser);
2. the real-worker tests, one at a time: a worker process consumes the shared broker queue, so two
   of them side by side could take each other's messages; and the tests marked ``serial``, which
   time something (the demo data's build for `make run`) and would measure the other process too.

Extra arguments go to both runs. A run that selects nothing (exit status 5: e.g. `make test
PYTEST_ARGS=tests/presales` has no worker test) counts as passed as long as the other ran tests.
"""
from __future__ import annotations

import os
import subprocess
import sys

NO_TESTS = 5


def main(argv: list[str]) -> int:
    workers = os.environ.get("TEST_WORKERS", "auto")
    runs = [
        ["-m", "not celery_worker and not serial", "-n", workers],
        ["-m", "celery_worker or serial"],
    ]
    statuses = []
    for run in runs:
        print(f"== pytest {' '.join(run + argv)}", flush=True)
        statuses.append(subprocess.call([sys.executable, "-m", "pytest", *run, *argv]))
    if all(s == NO_TESTS for s in statuses):
        return NO_TESTS
    failed = [s for s in statuses if s not in (0, NO_TESTS)]
    return failed[0] if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
