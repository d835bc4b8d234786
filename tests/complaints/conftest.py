"""People of the complaint tests: ``people`` is ``tests.builders.complaints.cast()`` (receiver,
receiving manager, quality officer, investigator, quality manager, responsible person and approver
of the responsible department, an unrelated department's staff and manager)."""
from __future__ import annotations

import pytest

from tests.builders.complaints import cast


@pytest.fixture
def people(db):
    return cast()


from tests.sla.conftest import calendar_2026  # noqa: E402,F401  (Monday 2 March 2026: a plain working week)
