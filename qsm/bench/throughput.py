"""PERF-1: requests per second under load: gunicorn (2 sync workers, the benchmark's settings) on a
free port, and ``wrk`` (10 connections, ~10 s) against each page with a seeded user's session;
each page's rate is compared with the bare signed-in view's, measured in the same run."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

WORKERS = 2
CONNECTIONS = 10
THREADS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect to the login page is a failure, not a page
        return None


def parse_wrk(text: str) -> dict:
    def number(pattern: str) -> float | None:
        m = re.search(pattern, text)
        return float(m.group(1)) if m else None

    def latency(label: str) -> float | None:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\b", text, re.M)
        if not m:
            return None
        value, unit = float(m.group(1)), m.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)

    return {
        "requests_per_second": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": int(number(r"(\d+) requests in") or 0),
        "non_2xx": int(number(r"Non-2xx or 3xx responses:\s+(\d+)") or 0),
        "socket_errors": sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)",
                                                        text.split("Socket errors:", 1)[1].splitlines()[0]))
        if "Socket errors:" in text else 0,
        "latency_p50_ms": latency("50%"), "latency_p99_ms": latency("99%"),
    }


def throughput_runs(targets: list[tuple[str, str]], *, cookie: str, seconds: int = 10, statement_timeout: float = 60,
                    log: Callable[[str], None] = print) -> list[dict]:
    """``targets``: (name, path), the bare view's named "bare". Returns one entry per target."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return [{"name": f"wrk.{name}", "ok": False, "error": "wrk is not installed (Debian: apt-get install wrk)"}
                for name, _path in targets]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logfile = tempfile.NamedTemporaryFile(prefix="qsm-bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qsm.bench.settings", "DJANGO_DEBUG": "0",
           "QSM_BENCH_STATEMENT_TIMEOUT": str(statement_timeout)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "qsm.wsgi:application", "--workers", str(WORKERS), "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning"],
        cwd=settings.BASE_DIR, env=env, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True)
    results: list[dict] = []
    try:
        bare_path = dict(targets)["bare"]
        deadline = time.monotonic() + 60
        while True:
            try:
                if _status(base + bare_path, cookie) == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer 200 on {bare_path}; see {logfile.name}")
            time.sleep(0.5)
        for name, path in targets:
            entry: dict = {"name": f"wrk.{name}", "url": path, "connections": CONNECTIONS, "threads": THREADS,
                           "seconds": seconds, "workers": WORKERS}
            status = _status(base + path, cookie)  # also the warm-up
            if status != 200:
                entry.update({"ok": False, "error": f"HTTP {status}"})
            else:
                run = subprocess.run(
                    [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "30s",
                     "-H", f"Cookie: {cookie}", base + path], capture_output=True, text=True, timeout=seconds + 60)
                entry.update(parse_wrk(run.stdout))
                entry["ok"] = bool(run.returncode == 0 and entry["requests_per_second"] and not entry["non_2xx"])
                if not entry["ok"]:
                    entry["error"] = (run.stderr or run.stdout)[-500:] or f"{entry['non_2xx']} responses not 2xx"
            results.append(entry)
            log(f"{entry['name']:<60} {entry.get('requests_per_second') or 0:>9.1f} req/s"
                + ("" if entry["ok"] else f"  FAILED {entry.get('error')}"))
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        logfile.close()
    bare = next((r.get("requests_per_second") for r in results if r["name"] == "wrk.bare"), None)
    for r in results:
        r["reference"] = {"kind": "bare", "requests_per_second": bare}
        r["ratio"] = round(r["requests_per_second"] / bare, 3) if bare and r.get("requests_per_second") else None
    if all(r["ok"] for r in results):
        Path(logfile.name).unlink(missing_ok=True)
    return results
