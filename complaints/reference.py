"""Reference data of complaints, declared on ComplaintsConfig (qsm.registry): the SLA policies of the
complaint clocks (§5, SLA-1), by severity (the clock's ``category``: a complaint's severity is
general / serious / critical, which are not the SLA priorities low..urgent of the other modules).

- ``reply``: the reply promised to the customer at intake (§5(一)2; its due is stored as the
  complaint's ``promised_reply_at``): general 1 working day, serious 4 working hours, critical 2.
- ``investigation``: while investigating: general 3 working days, serious 2, critical 1.
- ``resolution``: intake to closing, paused while the customer is asked: 15 / 10 / 5 working days.
- ``approval``: a submitted handling plan waits for its manager's decision: 1 working day.

Measures and preventive measures run to the date a person chose (date clocks: no policy).
First written by complaints/migrations/0002 (which calls ``load``). Idempotent: rows already there,
including an administrator's corrections, are left alone.
"""
from __future__ import annotations

from qsm.sla.reference import Policy, ensure_policies

DAY = 480  # working minutes of one working day of the default calendar (9–18, lunch 12–13)
HOUR = 60
COMPLAINT = "complaints.complaint"
PLAN = "complaints.handlingplan"

POLICIES = [
    # The catch-all of each clock (system check qsm.E001) is the general severity's.
    Policy("投诉答复", COMPLAINT, "reply", 1 * DAY),
    Policy("投诉答复（一般）", COMPLAINT, "reply", 1 * DAY, category="general"),
    Policy("投诉答复（严重）", COMPLAINT, "reply", 4 * HOUR, category="serious"),
    Policy("投诉答复（重大）", COMPLAINT, "reply", 2 * HOUR, category="critical"),
    Policy("投诉调查", COMPLAINT, "investigation", 3 * DAY),
    Policy("投诉调查（一般）", COMPLAINT, "investigation", 3 * DAY, category="general"),
    Policy("投诉调查（严重）", COMPLAINT, "investigation", 2 * DAY, category="serious"),
    Policy("投诉调查（重大）", COMPLAINT, "investigation", 1 * DAY, category="critical"),
    Policy("投诉处理", COMPLAINT, "resolution", 15 * DAY),
    Policy("投诉处理（一般）", COMPLAINT, "resolution", 15 * DAY, category="general"),
    Policy("投诉处理（严重）", COMPLAINT, "resolution", 10 * DAY, category="serious"),
    Policy("投诉处理（重大）", COMPLAINT, "resolution", 5 * DAY, category="critical"),
    Policy("处理方案审批", PLAN, "approval", 1 * DAY),
]


def load(apps) -> None:
    ensure_policies(apps, POLICIES)
