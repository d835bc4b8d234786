"""Domain errors of the core. One DRF handler and one page mixin turn them into 409/403/400."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError  # noqa: F401  (re-exported)


class TransitionNotAllowed(Exception):
    """The record is not in a state where this action can be taken (HTTP 409)."""

    def __init__(self, message: str, *, action: str = "", state: str = ""):
        super().__init__(message)
        self.message = message
        self.action = action
        self.state = state
