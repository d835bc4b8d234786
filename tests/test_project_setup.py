"""How the project is installed and tested: runtime and development requirements apart, and a
fast password hasher in the tests while production keeps Argon2."""
from __future__ import annotations

import importlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# Packages that only test or lint; none of them belongs on a production server.
DEV_ONLY = {"pytest", "pytest-django", "pytest-xdist", "playwright", "ruff", "import-linter", "grimp",
            "factory-boy", "faker", "pypdf", "execnet", "iniconfig", "pluggy"}


def _requirements(name: str) -> tuple[list[str], dict[str, str]]:
    """(include lines, {normalised package name: pin}) of a requirements file."""
    includes, pins = [], {}
    for raw in (ROOT / name).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("-r"):
            includes.append(line)
            continue
        package, sep, version = line.partition("==")
        assert sep and version, f"{name}: {raw!r} is not pinned"
        pins[re.sub(r"[-_.]+", "-", package).lower()] = version
    return includes, pins


def test_production_requirements_hold_no_test_or_lint_tool():
    includes, runtime = _requirements("requirements.txt")

    assert includes == []
    assert DEV_ONLY.isdisjoint(runtime), DEV_ONLY & set(runtime)
    assert {"django", "celery", "gunicorn", "psycopg2-binary", "time-machine"} <= set(runtime)


def test_development_requirements_start_from_the_runtime_and_add_the_tools():
    text = (ROOT / "requirements-dev.txt").read_text()
    first = next(line for line in text.splitlines() if line.strip() and not line.startswith("#"))
    includes, dev = _requirements("requirements-dev.txt")
    _none, runtime = _requirements("requirements.txt")

    assert first == "-r requirements.txt" and includes == [first]
    assert {"pytest", "pytest-django", "pytest-xdist", "playwright", "ruff"} <= set(dev)
    assert set(dev).isdisjoint(runtime)  # each package pinned in one place


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("target,dev", [("run", False), ("test", True), ("test-fast", True), ("lint", True)])
def test_make_installs_what_each_target_needs(target, dev):
    # -n: print the commands only; -B: as if nothing were installed yet
    commands = subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True).stdout

    assert "pip install --disable-pip-version-check -q -r requirements.txt" in commands
    assert ("-r requirements-dev.txt" in commands) is dev


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_test_fast_leaves_out_browser_and_worker_tests_and_runs_in_parallel():
    commands = subprocess.run(["make", "-n", "-B", "test-fast"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout

    assert '-m "not browser and not celery_worker" -n auto' in commands


def test_tests_hash_fast_and_production_keeps_argon2():
    production = importlib.import_module(settings.SETTINGS_MODULE)

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
