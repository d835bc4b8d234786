"""The customer-facing summary of an after-sales case (qsm.summaries, VIS-1): what the follow-up
survey shows the customer. The number, the subject, the solution and when it was resolved; never
the diagnosis, the cause, internal notes or who worked on it."""
from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from qsm.summaries import CustomerSummary

from .models import Case


def case_customer_summary(case: Case) -> CustomerSummary:
    lines = [(_("Case number"), case.number), (_("Your feedback"), case.subject)]
    if case.solution:
        lines.append((_("What we did"), case.solution))
    if case.resolved_at:
        lines.append((_("Resolved on"), formats.date_format(timezone.localtime(case.resolved_at).date(),
                                                              "DATE_FORMAT")))
    return CustomerSummary(title=_("Your after-sales case %(number)s") % {"number": case.number}, lines=lines)
