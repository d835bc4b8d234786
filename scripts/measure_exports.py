#!/usr/bin/env python3
"""Measure one export (PERF-1, issue 8) against the configured database, in a process of its own so
that its peak memory is its own.

    scripts/measure_exports.py csv  USERNAME [QUERY]   # the page's CSV, streamed through the view
    scripts/measure_exports.py xlsx USERNAME [QUERY]   # an export job, run as the worker runs it

Prints rows, seconds (and the first byte's for CSV) and the peak RSS in MB (getrusage).
QUERY is the list's filter query string (``status=new&channel=phone``); the inquiry export is used.
"""
from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qsm.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from qsm.org.models import User  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(mode: str, username: str, query: str = "") -> None:
    user = User.objects.get(username=username)
    if mode == "csv":
        client = Client()
        client.force_login(user)
        start = time.perf_counter()
        response = client.get("/presales/export/?" + query)
        first = None
        size = lines = 0
        for chunk in response.streaming_content:
            if first is None:
                first = time.perf_counter() - start
            size += len(chunk)
            lines += chunk.count(b"\n")
        total = time.perf_counter() - start
        print(f"csv: {lines - 1} rows, {size / 1e6:.1f} MB, first byte {first * 1000:.0f} ms, "
              f"total {total:.2f} s, peak RSS {peak_mb():.0f} MB")
    else:
        from qsm.exports import services
        from qsm.exports.models import ExportJob
        from qsm.exports.services import export_job_run

        services._enqueue = lambda job_id: None  # this process is the worker: no message to the broker
        client = Client()
        client.force_login(user)
        start = time.perf_counter()
        response = client.get("/presales/export/?fmt=xlsx&" + query)  # the request only creates the job
        asked = time.perf_counter() - start
        job = ExportJob.objects.filter(owner=user).order_by("-id").first()
        assert response.status_code == 302 and response["Location"] == job.get_absolute_url(), response.status_code
        start = time.perf_counter()
        export_job_run(job_id=job.pk)
        total = time.perf_counter() - start
        job = ExportJob.objects.get(pk=job.pk)
        print(f"xlsx request {asked * 1000:.0f} ms; job {job.pk}: {job.state} {job.error} {job.rows_done} rows, "
              f"{job.file.size / 1e6 if job.file else 0:.1f} MB, total {total:.2f} s, peak RSS {peak_mb():.0f} MB")


if __name__ == "__main__":
    main(*sys.argv[1:])
