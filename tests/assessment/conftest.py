"""People of the quality-control tests: ``people`` is ``tests.builders.assessment.cast()`` (quality
officer and manager; the sales department's two members and manager; customer service's staff and
manager; engineering's outsider and its manager; an administrator)."""
from __future__ import annotations

import pytest

from tests.builders.assessment import cast


@pytest.fixture
def people(db):
    return cast()
