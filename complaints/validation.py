"""SEC-1 on the service level: the core's field checks (``qsm.validation``), under the names the
complaint services import."""
from __future__ import annotations

from qsm.validation import clean_date, clean_text, require

__all__ = ["clean_date", "clean_text", "require"]
