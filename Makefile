# QSM: the two commands a newcomer needs are `make run` and `make test`.
# Each step is stamp-based, so a second run only redoes what changed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

VENV_STAMP := $(VENV)/.requirements.stamp
DEV_STAMP := $(VENV)/.requirements-dev.stamp
NODE_STAMP := node_modules/.package-lock.stamp
VENDOR_STAMP := static/vendor/.stamp

# The quick suite: no browser, no real Celery worker, spread over every core (pytest-xdist gives
# each process its own test database).
FAST_ARGS := -m "not browser and not celery_worker" -n auto

.PHONY: help setup setup-dev venv venv-dev assets messages run test test-fast lint clean-data api-schema bench

help:
	@echo "make run         set up, migrate, load demo data, start web + worker + beat"
	@echo "make test        set up, then pytest (PYTEST_ARGS='-k foo -x' to pass arguments)"
	@echo "make test-fast   the suite without browser and real-worker tests, in parallel"
	@echo "make setup       venv + front-end assets + compiled translations"
	@echo "make lint        ruff check"
	@echo "make clean-data  delete var/ (embedded database, broker, media)"
	@echo "make api-schema  regenerate docs/api/openapi.yaml (the published API contract, English)"
	@echo "make bench       seed at SCALE (default 1) if needed, then benchmark into bench/results.json"

setup: venv assets messages
setup-dev: venv-dev assets messages

# --- Python: a venv, reinstalled only when a requirements file changed since its last install ----
# requirements.txt is what runs in production (make run); requirements-dev.txt adds the test and
# lint tools on top (make test, make lint). One stamp per file.
venv: $(VENV_STAMP)
venv-dev: $(DEV_STAMP)

$(VENV_STAMP): requirements.txt
	@test -x $(PY) || { echo "creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements-dev.txt $(VENV_STAMP)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $@

# --- front end: npm ci only when the lock file changed, then copy the dist files we serve -------
assets: $(VENDOR_STAMP)

$(NODE_STAMP): package-lock.json package.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js (Debian: apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

$(VENDOR_STAMP): $(NODE_STAMP) scripts/vendor.py
	$(PYTHON) scripts/vendor.py
	@touch $@

# --- translations: .po -> .mo with pure-Python polib (no GNU gettext needed) --------------------
messages: venv
	$(PY) scripts/compile_messages.py

# --- the two commands ---------------------------------------------------------------------------
run: setup
	$(PY) scripts/run.py

# make itself exits 2 whenever a recipe fails; the line below names pytest's own exit status
# (5 = no tests collected), and any non-zero status fails the target.
# Two runs (scripts/test.py): the suite on every core (TEST_WORKERS=auto), then the real Celery
# worker tests one at a time.
test: setup-dev
	@$(PY) scripts/test.py $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -ne 0 ]; then echo "pytest exited with status $$rc"; fi; exit $$rc

test-fast: setup-dev
	@$(PY) -m pytest $(FAST_ARGS) $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -ne 0 ]; then echo "pytest exited with status $$rc"; fi; exit $$rc

# The API contract (API-2): one English document, committed; tests/api/test_contract.py fails when
# it is not what the code generates.
api-schema: venv
	$(PY) manage.py spectacular --lang en --validate --fail-on-warn --file docs/api/openapi.yaml

# PERF-1: the benchmark (README, "Benchmark"). Seeds the database at SCALE unless it already is
# (seed_scale is idempotent per scale), then measures every list, record, export, "my work", the
# sweep and wrk throughput; bench/results.json and bench/plans/. Exits non-zero if a page failed.
SCALE ?= 1
REPEAT ?= 10
ONLY ?=
BENCH_OUT ?= bench/results.json
BENCH_ARGS ?=

bench: venv
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_scale --scale $(SCALE)
	$(PY) manage.py bench --scale $(SCALE) --repeat $(REPEAT) --out $(BENCH_OUT) $(if $(ONLY),--only $(ONLY)) $(BENCH_ARGS)

lint: venv-dev
	$(VENV)/bin/ruff check .

# Stops the embedded PostgreSQL first (if it runs from var/pgdata), then deletes var/.
clean-data:
	@if [ -f var/pgdata/postmaster.pid ] && [ -x $(PY) ]; then \
	  $(PY) -c "from pathlib import Path; from qsm.embedded import stop_embedded_database as s; s(Path('var/pgdata'))" \
	    || echo "could not stop the embedded PostgreSQL; deleting var/ anyway"; \
	fi
	rm -rf var/
