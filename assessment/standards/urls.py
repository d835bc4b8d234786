"""The pages of standards under /quality/ (names in the ``assessment`` namespace)."""
from __future__ import annotations

urlpatterns: list = []
