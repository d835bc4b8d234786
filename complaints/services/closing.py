"""CMP-4/CMP-5: how a complaint ends: the customer is satisfied, or management decides to close it
unresolved (§5(三)3 "直至客户满意为止": the only other way out is a documented decision).

Both closings queue the follow-up visit (VIS-1: a visit follows a closed complaint); the
after-sales visit scheduler consumes the queue. ``follow_up_request`` is idempotent per record and
reason, so a retried closing (or a workflow effect doing the same) adds nothing.
"""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.followup.reasons import register_reason
from qsm.followup.services import follow_up_request
from qsm.links.models import SignedLink
from qsm.workflow import engine
from qsm.workflow.locking import locked

from ..models import Complaint
from .text import clean_text

COMPLAINT_CLOSED = "complaint_closed"  # FollowUp.reason: a closed complaint is due a visit (VIS-1)
# aftersales registers the same code for its visit rule (its reference data plans these visits);
# the core registry is a dict keyed by code, so registering it here too, with the same label, is
# idempotent: whichever app loads first, the label is the same.
register_reason(COMPLAINT_CLOSED, gettext_lazy("Complaint closed"))

C = Complaint.Status
OPEN_STATES = (C.RECEIVED, C.INVESTIGATING, C.PLANNING, C.EXECUTING, C.CONFIRMING)


def complaint_follow_up(complaint: Complaint):
    """Queue the visit that follows a closed complaint (both kinds of closing)."""
    return follow_up_request(complaint, COMPLAINT_CLOSED, complaint.closed_at or timezone.now(),
                             customer=complaint.customer,
                             department=complaint.responsible_department or complaint.receiving_department)


def revoke_open_links(complaint: Complaint, actor) -> int:
    """The confirmation links of ``complaint`` still open stop working (an answer was recorded, the
    complaint closed or went back to planning). Called under the complaint's lock.

    SKIP LOCKED: a link the customer is submitting at this very moment holds its row lock and waits
    for the complaint's (``link_consume`` locks the link, then the handler the complaint); waiting
    for it here would be a deadlock. That submission then finds the complaint no longer confirming
    and is refused, so it needs no revoking."""
    from .confirmation import open_links

    ids = list(open_links(complaint).select_for_update(skip_locked=True).values_list("pk", flat=True))
    if ids:
        SignedLink.objects.filter(pk__in=ids).update(revoked_at=timezone.now())
    return len(ids)


def mark_closed(complaint: Complaint, *, actor, satisfied: bool, reason: str = "") -> None:
    """The closing facts, on the locked row, in case the transition's effect did not set them."""
    changed = {}
    if complaint.closed_at is None:
        changed["closed_at"] = timezone.now()
    if complaint.closed_satisfied is not satisfied:
        changed["closed_satisfied"] = satisfied
    if reason and not complaint.close_decision_reason:
        changed["close_decision_reason"] = reason
    if getattr(actor, "is_authenticated", False) and complaint.closed_by_id is None:
        changed["closed_by"] = actor
    for name, value in changed.items():
        setattr(complaint, name, value)
    if changed:
        complaint.save(update_fields=list(changed))


def complaint_close_unresolved(*, complaint: Complaint, actor, reason: str) -> Complaint:
    """CMP-4: a documented management decision to close a complaint the customer is not satisfied
    with (the quality manager only, a reason required). Counted apart from satisfied closings
    (``closed_satisfied`` is False, the status is ``closed_unresolved``)."""
    reason = clean_text("reason", reason, max_length=2000, required=True,
                        required_message=_("Write the reason for the decision."))
    with locked(complaint, states=OPEN_STATES,
                wrong_state=_("This complaint is “%(state)s”: it cannot be closed.")) as current:
        done = engine.fire(current, "close_unresolved", actor=actor, comment=reason, reason=reason)
        mark_closed(done, actor=actor, satisfied=False, reason=reason)
        revoke_open_links(done, actor)
        complaint_follow_up(done)
    engine.sync_fields(done, complaint)
    return complaint
