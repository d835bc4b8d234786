"""What a customer may read about their complaint (qsm.summaries): on the confirmation page (CMP-4)
and on the survey of the visit that follows a closed complaint (VIS-1).

Only what the customer told us or was told: the number, the subject, when it was received and the
measures taken as descriptions. Never the investigation (facts, whys, root cause), the responsible
department or person, owners, internal notes or the plan's approval.
"""
from __future__ import annotations

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from qsm.summaries import CustomerSummary

from .models import Complaint, HandlingPlan, Measure


def complaint_measures_taken(complaint: Complaint) -> list[str]:
    """The descriptions of the measures of the plan being confirmed (the current version), done ones."""
    plan = (HandlingPlan.objects.filter(complaint=complaint, version=complaint.plan_version).first()
            if complaint.plan_version else None)
    if plan is None:
        return []
    return list(Measure.objects.filter(plan=plan, status=Measure.Status.DONE).order_by("position", "id")
                .values_list("description", flat=True))


def complaint_customer_summary(complaint: Complaint) -> CustomerSummary:
    lines = [
        (_("Complaint number"), complaint.number),
        (_("Subject"), complaint.subject),
        (_("Received"), date_format(localtime(complaint.received_at), "Y-m-d")),
    ]
    measures = complaint_measures_taken(complaint)
    if measures:
        lines.append((_("Measures taken"), "\n".join(f"{n}. {text}" for n, text in enumerate(measures, start=1))))
    return CustomerSummary(title=_("Your complaint %(number)s") % {"number": complaint.number}, lines=lines)
