"""`make run` (scripts/run.py) prints the address it really serves on, not the default port of the
demo logins file."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def run_script():
    spec = importlib.util.spec_from_file_location("qsm_run_script", ROOT / "scripts" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Child:
    """A child process that is running on the first look and gone on the second."""

    pid = 4242

    def __init__(self):
        self.looks = 0

    def poll(self):
        self.looks += 1
        return None if self.looks == 1 else 1


def test_the_banner_shows_the_port_it_serves_on(run_script, monkeypatch, capsys):
    monkeypatch.setattr(run_script, "http_status", lambda url: 200 if url == "http://127.0.0.1:8765/accounts/login/"
                        else None)
    monkeypatch.setattr(run_script.time, "sleep", lambda seconds: None)
    run_script.supervise({"web": _Child()}, "8765", t0=0.0)
    out = capsys.readouterr().out
    assert "QSM is running: http://127.0.0.1:8765/" in out
    assert "http://127.0.0.1:8765/admin/" in out
    assert ":8000" not in out
    assert "qsm-demo-2026" in out  # the demo logins are still there
