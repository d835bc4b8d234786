"""SEARCH-1 / PERF-1 exports of any list, in the core (DESIGN.md: modules declare, the core does the work).

- ``formats``: the columns (labels translated once per export), the streamed CSV and the
  write-only .xlsx writer.
- ``registry``: each module registers its exports by name (the filter set, the list selector for
  a user, the columns), so a Celery worker can run the same filtered, visibility-checked query as
  the person who asked.
- ``models.ExportJob`` / ``services`` / ``tasks``: an Excel file is written by a job in the
  background; the person follows a progress page (``views``) or ``/api/exports/{id}/`` and
  downloads the file, which only they can, until it expires.

This package's top level imports no model, so ``from qsm.exports import export_csv`` works anywhere.
"""
from .formats import (  # noqa: F401  (the public names)
    FORMULA_START,
    MAX_EXPORT_ROWS,
    MAX_XLSX_ROWS,
    Column,
    bind_columns,
    csv_cell,
    export_csv,
    write_xlsx,
    yes_no,
)
from .registry import ExportSpec, export_spec, register_export  # noqa: F401
