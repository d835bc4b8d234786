"""CMP-4: the customer confirms the outcome (§5(三)3).

When every measure is done the complaint is ``confirming``. The customer's answer comes by phone
(the caller records it) or through a signed, single-use, expiring link (core ``qsm.links``; the
public page is ``complaints/survey.py``). One answer per round: the answer locks the complaint
first and re-checks its state, so a link answer and a phone answer given at the same moment record
exactly one (the other is refused: the complaint is no longer confirming).

* satisfied: the complaint closes (``closed_satisfied``) and queues its follow-up visit;
* not satisfied: the objections are kept, the executed plan is superseded, the round goes up and
  a new plan version is drafted carrying the objections; the complaint is back in ``planning``.
"""
from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qsm.contacts.models import Channel, ContactEntry
from qsm.contacts.services import contact_add
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.links.models import SignedLink
from qsm.links.services import LinkRefused, link_issue
from qsm.workflow import engine
from qsm.workflow.actors import SystemActor
from qsm.workflow.locking import lock, locked
from qsm.workflow.models import Event

from ..models import Complaint, CustomerAnswer, HandlingPlan
from ..rules import can_confirm_with_customer
from .closing import complaint_follow_up, mark_closed, revoke_open_links
from .text import clean_text

COMPLAINT_CONFIRM = "complaint_confirm"  # the purpose of confirmation links (qsm.links)
LINK_TTL = dt.timedelta(days=14)
MAX_OBJECTIONS = 2000
C = Complaint.Status
P = HandlingPlan.Status
# The complaint's transitions an answer fires (complaints/workflows.py).
SATISFIED, NOT_SATISFIED = "confirm_satisfied", "confirm_not_satisfied"
SYSTEM = SystemActor("complaint_confirmation")


def open_links(complaint: Complaint):
    """The confirmation links of ``complaint`` that still work (unused, not revoked, not expired)."""
    return SignedLink.objects.filter(
        content_type=ContentType.objects.get_for_model(Complaint), object_id=complaint.pk, purpose=COMPLAINT_CONFIRM,
        used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


def confirmation_message(url: str, complaint: Complaint) -> str:
    """The text staff copy into WeChat or an SMS with the link (in the reader's language)."""
    from aftersales.services.visits import company_name

    return _("%(company)s: the handling of your complaint %(number)s is complete. Please tell us whether "
             "you are satisfied with the result: %(url)s") % {
        "company": company_name(), "number": complaint.number, "url": url}


def _clean_answer(satisfied, objections) -> tuple[bool, str]:
    if not isinstance(satisfied, bool):
        raise ValidationError({"satisfied": ValidationError(_("Say whether the customer is satisfied."),
                                                            code="required")})
    objections = clean_text("objections", objections, max_length=MAX_OBJECTIONS, required=not satisfied,
                            required_message=_("Write what the customer is not satisfied with."))
    return satisfied, objections


def _current_plan(complaint: Complaint) -> HandlingPlan | None:
    return complaint.plans.filter(version=complaint.plan_version).first() if complaint.plan_version else (
        complaint.plans.order_by("-version").first())


def _record(current: Complaint, *, actor, satisfied: bool, objections: str, method: str, recorded_by=None,
            link=None, answered_at=None, ip=None, user_agent: str = "") -> CustomerAnswer:
    """The answer on the locked complaint (``current``), then the complaint moves on exactly once."""
    if CustomerAnswer.objects.filter(complaint=current, round=current.round).exists():
        raise TransitionNotAllowed(_("The customer's answer for this round is already recorded."),
                                   action="answer", state=current.status)
    plan = _current_plan(current)
    answer = CustomerAnswer.objects.create(
        complaint=current, round=current.round, plan=plan, method=method, satisfied=satisfied,
        objections=objections, answered_at=answered_at or timezone.now(), recorded_by=recorded_by, link=link,
        ip=ip or None, user_agent=(user_agent or "")[:300])
    if satisfied:
        done = engine.fire(current, SATISFIED, actor=actor, answer=answer)
        mark_closed(done, actor=actor, satisfied=True)
        revoke_open_links(done, actor)
        complaint_follow_up(done)
        return answer
    done = engine.fire(current, NOT_SATISFIED, actor=actor, comment=objections, answer=answer)
    revoke_open_links(done, actor)
    _replan(done, plan, objections=objections, answered_round=answer.round)
    return answer


def _replan(complaint: Complaint, plan: HandlingPlan | None, *, objections: str, answered_round: int) -> HandlingPlan:
    """§5(三)3 "重新调整处理方案": the executed plan is superseded and the next version is drafted in
    the next round, carrying the customer's objections (its author revises it and adds measures)."""
    from qsm.workflow.engine import workflow_for

    if plan is not None:
        supersede = workflow_for(HandlingPlan).by_action.get("supersede")
        if supersede is not None and plan.status in supersede.sources:
            engine.fire(plan, "supersede", actor=SYSTEM)
    new_round = max(complaint.round, answered_round + 1)
    version = (complaint.plans.aggregate(v=Max("version"))["v"] or 0) + 1
    author = complaint.investigator or (plan.author if plan is not None else None)
    draft = HandlingPlan.objects.create(
        complaint=complaint, version=version, round=new_round, summary=plan.summary if plan is not None else "",
        customer_objections=objections, author=author)
    engine.record_created(draft, actor=SYSTEM, action="replanned", data={"round": new_round, "version": version})
    changed = {}
    if complaint.round != new_round:
        changed["round"] = new_round
    if complaint.plan_version != version:
        changed["plan_version"] = version
    for name, value in changed.items():
        setattr(complaint, name, value)
    if changed:
        complaint.save(update_fields=list(changed))
    return draft


def complaint_answer_record(*, complaint: Complaint, actor, satisfied, objections: str = "",
                            answered_at: dt.datetime | None = None) -> CustomerAnswer:
    """CMP-4 by phone: the caller (investigator or quality department) records whether the customer
    is satisfied; not satisfied needs the objections. The call goes into the contact log too."""
    satisfied, objections = _clean_answer(satisfied, objections)
    now = timezone.now()
    if answered_at is not None and answered_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"answered_at": ValidationError(_("This cannot be in the future."), code="future")})
    with locked(complaint, actor=actor, allowed=can_confirm_with_customer,
                denied=_("You are not allowed to record the customer's answer."), states=(C.CONFIRMING,),
                wrong_state=_("This complaint is “%(state)s”: no answer is expected.")) as current:
        summary = (_("Customer satisfied with the result.") if satisfied
                   else _("Customer not satisfied: %(objections)s") % {"objections": objections})
        contact_add(record=current, actor=actor, channel=Channel.PHONE, summary=summary,
                    kind=ContactEntry.Kind.COMMUNICATION, occurred_at=answered_at or now)
        answer = _record(current, actor=actor, satisfied=satisfied, objections=objections,
                         method=CustomerAnswer.Method.PHONE, recorded_by=actor, answered_at=answered_at or now)
    complaint.refresh_from_db()
    return answer


def complaint_link_issue(*, complaint: Complaint, actor, contact_name: str = "") -> tuple[SignedLink, str]:
    """CMP-4: a signed, single-use link for the customer's answer. Issuing again withdraws the
    previous one. Returns the link and its path, which holds the token: show it now, it cannot be
    recovered later."""
    contact_name = clean_text("contact_name", contact_name, max_length=100, multiline=False)
    with locked(complaint, actor=actor, allowed=can_confirm_with_customer,
                denied=_("You are not allowed to ask this customer for confirmation."), states=(C.CONFIRMING,),
                wrong_state=_("This complaint is “%(state)s”: no confirmation link can be issued.")) as current:
        reissue = revoke_open_links(current, actor) > 0
        link, url = link_issue(current, COMPLAINT_CONFIRM, ttl=LINK_TTL, actor=actor,
                               contact_name=contact_name or current.contact_name or current.customer.name)
        engine.note(current, actor=actor, kind=Event.Kind.COMMUNICATION,
                    action="confirm_link_reissued" if reissue else "confirm_link_issued",
                    data={"expires_at": link.expires_at, "link": link.pk})
    return link, url


def complaint_link_revoke(*, complaint: Complaint, actor) -> int:
    """Withdraw the open confirmation links (a wrong recipient). Returns how many."""
    with locked(complaint, actor=actor, allowed=can_confirm_with_customer,
                denied=_("You are not allowed to withdraw this complaint's links.")) as current:
        count = revoke_open_links(current, actor)
        if count:
            engine.note(current, actor=actor, kind=Event.Kind.COMMUNICATION, action="confirm_link_revoked",
                        data={"count": count})
    return count


def complaint_answer_via_link(*, complaint: Complaint, use, satisfied, objections: str = "", ip=None,
                              user_agent: str = "") -> CustomerAnswer:
    """CMP-4 through the link: runs inside ``link_consume`` (the link locked and marked used in the
    same transaction). Only a link of this complaint, while it is confirming, records anything."""
    satisfied, objections = _clean_answer(satisfied, objections)
    current = lock(complaint)
    usable_check(current, use.link)
    return _record(current, actor=use.actor, satisfied=satisfied, objections=objections,
                   method=CustomerAnswer.Method.LINK, link=use.link, ip=ip, user_agent=user_agent)


def usable_check(complaint: Complaint, link: SignedLink) -> None:
    """A link opens its complaint only while the complaint waits for the answer."""
    if (link.purpose != COMPLAINT_CONFIRM or link.object_id != complaint.pk
            or complaint.status != C.CONFIRMING):
        raise LinkRefused("invalid")


def may_confirm(user, complaint: Complaint) -> bool:
    return bool(can_confirm_with_customer(user, complaint))


__all__ = ["COMPLAINT_CONFIRM", "PermissionDenied", "complaint_answer_record", "complaint_answer_via_link",
           "complaint_link_issue", "complaint_link_revoke", "confirmation_message", "open_links"]
