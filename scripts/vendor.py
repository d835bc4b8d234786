#!/usr/bin/env python3
"""Copy the front-end files the pages use from node_modules/ into static/vendor/ (git-ignored).

Run after `npm ci` (the Makefile's `assets` target does both). Only the built files are copied,
so collectstatic and whitenoise serve them from our own origin: no CDN (DESIGN.md, UI).

Resulting layout, for templates (`{% static 'vendor/...' %}`):
    vendor/bootstrap/css/bootstrap.min.css
    vendor/bootstrap/js/bootstrap.bundle.min.js        (includes Popper)
    vendor/bootstrap-icons/bootstrap-icons.min.css     (+ fonts/bootstrap-icons.woff2|woff)
    vendor/htmx/htmx.min.js
    vendor/echarts/echarts.min.js
    vendor/tom-select/tom-select.complete.min.js, tom-select.bootstrap5.min.css
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

# (source under node_modules/, target under static/vendor/). Source maps are copied too: the
# minified files name them, and the manifest storage of collectstatic fails on a missing one.
FILES: list[tuple[str, str]] = [
    ("bootstrap/dist/css/bootstrap.min.css", "bootstrap/css/bootstrap.min.css"),
    ("bootstrap/dist/css/bootstrap.min.css.map", "bootstrap/css/bootstrap.min.css.map"),
    ("bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/js/bootstrap.bundle.min.js"),
    ("bootstrap/dist/js/bootstrap.bundle.min.js.map", "bootstrap/js/bootstrap.bundle.min.js.map"),
    ("bootstrap/LICENSE", "bootstrap/LICENSE"),
    ("bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"),
    ("bootstrap-icons/font/fonts/bootstrap-icons.woff2", "bootstrap-icons/fonts/bootstrap-icons.woff2"),
    ("bootstrap-icons/font/fonts/bootstrap-icons.woff", "bootstrap-icons/fonts/bootstrap-icons.woff"),
    ("bootstrap-icons/LICENSE", "bootstrap-icons/LICENSE"),
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
    ("htmx.org/LICENSE", "htmx/LICENSE"),
    ("echarts/dist/echarts.min.js", "echarts/echarts.min.js"),
    ("echarts/LICENSE", "echarts/LICENSE"),
    # Searchable selects (static/js/qsm.js turns every <select data-searchable> into one).
    ("tom-select/dist/js/tom-select.complete.min.js", "tom-select/tom-select.complete.min.js"),
    ("tom-select/dist/js/tom-select.complete.min.js.map", "tom-select/tom-select.complete.min.js.map"),
    ("tom-select/dist/css/tom-select.bootstrap5.min.css", "tom-select/tom-select.bootstrap5.min.css"),
    ("tom-select/dist/css/tom-select.bootstrap5.min.css.map", "tom-select/tom-select.bootstrap5.min.css.map"),
    ("tom-select/LICENSE", "tom-select/LICENSE"),
]


def main() -> int:
    missing = [src for src, _ in FILES if not (NODE_MODULES / src).is_file()]
    if missing:
        print("vendor: missing in node_modules/ (run `npm ci` first):", file=sys.stderr)
        for src in missing:
            print(f"  {src}", file=sys.stderr)
        return 1
    # Start clean so a file dropped from the list does not linger and get collected.
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    total = 0
    for src, dst in FILES:
        target = VENDOR / dst
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(NODE_MODULES / src, target)
        total += target.stat().st_size
    print(f"vendor: copied {len(FILES)} files ({total / 1024:.0f} KiB) into {VENDOR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
