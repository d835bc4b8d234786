"""Helpers of the intake / record / list / API tests (h2): a complaint logged through the intake
service, and many complaints written at once for the query-count tests."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from complaints.models import Complaint
from tests.aftersales.cases_support import a_cause
from tests.factories import CustomerFactory


def log_complaint(*, actor, customer, subject: str = "设备噪音大", description: str = "客户投诉设备运行噪音大",
                  channel: str = "phone", severity: str = "general", **extra) -> Complaint:
    """A complaint received by ``actor`` through the intake service (the acknowledgement logged, the
    promised reply time stored)."""
    from complaints.services.intake import complaint_intake

    return complaint_intake(actor=actor, customer=customer, channel=channel, severity=severity, subject=subject,
                            description=description, **extra)


def bulk_complaints(n: int, *, receiver, investigator=None, order=None, start: int = 0) -> list[Complaint]:
    """``n`` complaints of ``receiver``'s department written directly, each with its own customer and
    every relation a row shows filled (cause, departments, investigator, order)."""
    cause = a_cause()
    base = timezone.now() - dt.timedelta(hours=1)
    rows = []
    for i in range(start, start + n):
        status = ("received", "investigating", "planning", "executing")[i % 4]
        rows.append(Complaint(
            number=f"TS-T{i:06d}", channel="phone", severity=("general", "serious", "critical")[i % 3],
            status=status, customer=CustomerFactory(name=f"投诉客户{i}"), subject=f"投诉 {i}", description="产品质量问题",
            received_at=base - dt.timedelta(minutes=i), received_by=receiver,
            receiving_department=receiver.department, investigator=investigator if status != "received" else None,
            cause=cause if status != "received" else None,
            responsible_department=receiver.department if status in ("planning", "executing") else None,
            promised_reply_at=base + dt.timedelta(hours=i % 5 - 2), round=1 + i % 2, order=order,
            due_at=base + dt.timedelta(hours=i % 5 - 2),
        ))
    return Complaint.objects.bulk_create(rows)
