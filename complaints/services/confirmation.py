"""CMP-4: the customer confirms the outcome (§5(三)3), by phone or through a signed link.

The answer itself, and what it does to the complaint (satisfied: closed, follow-up visit queued;
not satisfied: back to planning in the next round, the plan superseded, the objections kept for the
next plan version), is the foundation's ``services.core.answer_record`` and the workflow table.
This module adds what is around it:

* by phone: the call goes into the customer contact log, in the same root lock;
* the signed, single-use, expiring link (core ``qsm.links``, purpose ``complaint_confirm``): issue
  (text to copy + QR), reissue (the previous one stops working), withdraw; the public page
  (``complaints/survey.py``) answers through ``complaint_answer_via_link``;
* an answer, either way, withdraws the complaint's other open links.

Lock order (no deadlock between a link answer and a phone answer given at the same moment): the
link's row, then the complaint (``link_consume`` then the handler); the phone path holds the
complaint and withdraws links with SKIP LOCKED, never waiting for a link being submitted.
"""
from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from qsm.contacts.models import Channel, ContactEntry
from qsm.contacts.services import contact_add
from qsm.links.models import SignedLink
from qsm.links.services import LinkRefused, link_issue
from qsm.workflow import engine
from qsm.workflow.locking import lock, locked
from qsm.workflow.models import Event

from ..models import Complaint, CustomerAnswer
from ..rules import CONFIRM_LINK_PURPOSE, can_investigate
from .core import answer_record

COMPLAINT_CONFIRM = CONFIRM_LINK_PURPOSE  # the purpose of confirmation links (qsm.links)
LINK_TTL = dt.timedelta(days=14)
C = Complaint.Status


def open_links(complaint: Complaint):
    """The confirmation links of ``complaint`` that still work (unused, not revoked, not expired)."""
    return SignedLink.objects.filter(
        content_type=ContentType.objects.get_for_model(Complaint), object_id=complaint.pk, purpose=COMPLAINT_CONFIRM,
        used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


def revoke_open_links(complaint: Complaint, *, keep: SignedLink | None = None) -> int:
    """Withdraw the open confirmation links of ``complaint`` (under its lock). SKIP LOCKED: a link the
    customer is submitting right now holds its row and waits for the complaint; that submission then
    finds the complaint no longer confirming and is refused, so it needs no revoking."""
    links = open_links(complaint)
    if keep is not None:  # the link being used right now is marked used, not withdrawn
        links = links.exclude(pk=keep.pk)
    ids = list(links.select_for_update(skip_locked=True).values_list("pk", flat=True))
    if ids:
        SignedLink.objects.filter(pk__in=ids).update(revoked_at=timezone.now())
    return len(ids)


def confirmation_message(url: str, complaint: Complaint) -> str:
    """The text staff copy into WeChat or an SMS with the link (in the reader's language)."""
    from aftersales.services.visits import company_name

    return _("%(company)s: the handling of your complaint %(number)s is complete. Please tell us whether "
             "you are satisfied with the result: %(url)s") % {
        "company": company_name(), "number": complaint.number, "url": url}


def complaint_answer_record(*, complaint: Complaint, actor, satisfied, objections: str = "",
                            answered_at: dt.datetime | None = None) -> CustomerAnswer:
    """CMP-4 by phone: the caller (investigator or quality department) records whether the customer
    is satisfied (not satisfied needs the objections); the call is logged with the customer."""
    with locked(complaint) as root:
        answer = answer_record(complaint=root, actor=actor, satisfied=satisfied, objections=objections,
                               answered_at=answered_at)
        summary = (_("Customer satisfied with the result.") if answer.satisfied
                   else _("Customer not satisfied: %(objections)s") % {"objections": answer.objections})
        contact_add(record=root, actor=actor, channel=Channel.PHONE, summary=summary,
                    kind=ContactEntry.Kind.COMMUNICATION, direction=ContactEntry.Direction.OUTBOUND,
                    occurred_at=answer.answered_at)
        revoke_open_links(root)
    complaint.refresh_from_db()
    return answer


def complaint_link_issue(*, complaint: Complaint, actor, contact_name: str = "") -> tuple[SignedLink, str]:
    """CMP-4: a signed, single-use link for the customer's answer, while the complaint is confirming.
    Issuing again withdraws the previous one. Returns the link and its path, which holds the token:
    show it now, it cannot be recovered later."""
    from ..validation import clean_text

    errors: dict = {}
    contact_name = clean_text(errors, "contact_name", contact_name, multiline=False, max_length=100)
    if errors:
        from qsm.errors import ValidationError

        raise ValidationError(errors, code="invalid")
    with locked(complaint, actor=actor, allowed=can_investigate,
                denied=_("You are not allowed to ask this customer for confirmation."), states=(C.CONFIRMING,),
                wrong_state=_("This complaint is “%(state)s”: no confirmation link can be issued.")) as root:
        reissue = revoke_open_links(root) > 0
        link, url = link_issue(root, COMPLAINT_CONFIRM, ttl=LINK_TTL, actor=actor,
                               contact_name=contact_name or root.contact_name or root.customer.name)
        engine.note(root, actor=actor, kind=Event.Kind.COMMUNICATION,
                    action="confirm_link_reissued" if reissue else "confirm_link_issued",
                    data={"expires_at": link.expires_at, "link": link.pk})
    return link, url


def complaint_link_revoke(*, complaint: Complaint, actor) -> int:
    """Withdraw the open confirmation links (a wrong recipient). Returns how many."""
    with locked(complaint, actor=actor, allowed=can_investigate,
                denied=_("You are not allowed to withdraw this complaint's links.")) as root:
        count = revoke_open_links(root)
        if count:
            engine.note(root, actor=actor, kind=Event.Kind.COMMUNICATION, action="confirm_link_revoked",
                        data={"count": count})
    return count


def usable_check(complaint: Complaint, link: SignedLink) -> None:
    """A link opens its own complaint only while the complaint waits for the answer."""
    if link.purpose != COMPLAINT_CONFIRM or link.object_id != complaint.pk or complaint.status != C.CONFIRMING:
        raise LinkRefused("invalid")


def complaint_answer_via_link(*, complaint: Complaint, use, satisfied, objections: str = "", ip=None,
                              user_agent: str = "") -> CustomerAnswer:
    """CMP-4 through the link: runs inside ``link_consume`` (the link locked and marked used in the
    same transaction). The complaint is locked and re-checked: answered by phone a moment ago, it is
    no longer confirming and the link is refused, recording nothing."""
    root = lock(complaint)
    usable_check(root, use.link)
    answer = answer_record(complaint=root, actor=use.actor, satisfied=satisfied, objections=objections,
                           link=use.link, ip=ip, user_agent=user_agent)
    revoke_open_links(root, keep=use.link)
    return answer
