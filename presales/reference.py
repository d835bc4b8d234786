"""Reference data of pre-sales: its SLA policies (PRE-1, PRE-4), declared on PresalesConfig.

The rows were first written by qsm/sla/migrations/0002 (kept as history); this declaration is
what a flushed test database is reloaded from, and what tests/test_reference_data.py holds equal
to the migrations' result.
"""
from __future__ import annotations

from qsm.sla.reference import Policy, ensure_policies

POLICIES = [
    Policy("咨询首次响应", "presales.inquiry", "first_response", 240),
    Policy("电话咨询首次响应", "presales.inquiry", "first_response", 120, channel="phone"),
    Policy("在线客服首次响应", "presales.inquiry", "first_response", 60, channel="chat"),
    Policy("业务部门确认交接", "presales.inquiry", "handover_ack", 480),
]


def load(apps) -> None:
    ensure_policies(apps, POLICIES)
