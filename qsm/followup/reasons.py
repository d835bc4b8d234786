"""Why a follow-up visit is due (``FollowUp.reason``): codes chosen by the module that asks for the
visit, registered with the name a person reads (ADMIN-1)."""
from __future__ import annotations

from typing import Any

_reasons: dict[str, Any] = {}


def register_reason(code: str, label) -> None:
    _reasons[code] = label


def reason_label(code: str) -> str:
    label = _reasons.get(code)
    return str(label) if label is not None else code


def reasons() -> dict[str, Any]:
    return dict(_reasons)
