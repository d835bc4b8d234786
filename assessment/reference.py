"""Reference data of quality control, declared on AssessmentConfig (qsm.registry): the SLA policies
of the policy clocks (§4, SLA-1). The date clocks (a standard's review date, an inspection's due
date, a notice's deadline) need none.

- ``standard_approval``: a revision in review waits for the quality manager: 3 working days.
- ``rectification_approval``: a submitted rectification plan waits for its manager: 1 working day.
- ``verification``: a reported rectification waits for the quality department: 3 working days.

First written by assessment/migrations/0002 (which calls ``load``). Idempotent: rows already there,
including an administrator's corrections, are left alone.
"""
from __future__ import annotations

from qsm.sla.reference import Policy, ensure_policies

DAY = 480  # working minutes of one working day of the default calendar
VERSION = "assessment.standardversion"
NOTICE = "assessment.notice"
PLAN = "assessment.rectificationplan"

POLICIES = [
    Policy("标准修订审批", VERSION, "standard_approval", 3 * DAY),
    Policy("整改方案审批", PLAN, "rectification_approval", 1 * DAY),
    Policy("整改验证", NOTICE, "verification", 3 * DAY),
]


def load(apps) -> None:
    ensure_policies(apps, POLICIES)
