"""What the visit part of the module registers with the core (called from AppConfig.ready): the
survey link's purpose, the customer-facing summary of a case, the visit's timeline lines and its
export."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.followup.reasons import reason_label
from qsm.workflow.selectors import register_event_text


def _scheduled(data: dict) -> str:
    return _("Planned by the scheduler: %(reason)s (%(record)s)") % {
        "reason": reason_label(data.get("reason", "")), "record": data.get("record", "")}


def _attempt(data: dict) -> str:
    from .models import PhoneAttempt

    outcome = dict(PhoneAttempt.Outcome.choices).get(data.get("outcome"), data.get("outcome"))
    return _("Call: %(outcome)s (failed calls: %(n)s)") % {"outcome": outcome, "n": data.get("failed", 0)}


def _local(value: str) -> str:
    """A stored ISO instant as the reader's wall clock (the company's zone)."""
    import datetime as dt

    from django.utils import timezone

    try:
        return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return value or ""


def _link(data: dict) -> str:
    return _("Survey link #%(link)s, valid until %(until)s") % {
        "link": data.get("link", ""), "until": _local(data.get("expires_at"))}


def _case_opened(data: dict) -> str:
    return _("After-sales case %(number)s opened from the low score") % {"number": data.get("case", "")}


def register() -> None:
    from qsm import summaries

    from . import survey
    from .models import Case, Visit
    from .summary import case_customer_summary
    from .visit_selectors import register_exports

    survey.register()
    summaries.register(Case, case_customer_summary)
    register_exports()
    register_event_text(Visit, "scheduled", _scheduled, label=gettext_lazy("Planned"))
    register_event_text(Visit, "phone_attempt", _attempt, label=gettext_lazy("Phone call tried"))
    register_event_text(Visit, "link_issued", _link, label=gettext_lazy("Survey link issued"))
    register_event_text(Visit, "link_reissued", _link, label=gettext_lazy("Survey link issued again"))
    register_event_text(Visit, "case_opened", _case_opened, label=gettext_lazy("Case opened"))
    register_event_text(Visit, "recheck_request", lambda data: "", label=gettext_lazy("Marked for re-check"))
    register_event_text(Visit, "recheck", lambda data: "", label=gettext_lazy("Re-check recorded"))
