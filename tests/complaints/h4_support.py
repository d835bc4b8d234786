"""Set-up shared by h4's complaint tests (CMP-4/CMP-5): records from the foundation's builders."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from complaints.models import Complaint
from qsm.followup.models import FollowUp
from qsm.workflow.models import Event
from tests.builders.complaints import complaint_in

C = Complaint.Status


def confirming(**kw) -> Complaint:
    """A complaint whose (approved) plan's measures are all done: the customer is to be asked."""
    return complaint_in(C.CONFIRMING, **kw)


def closed(**kw) -> Complaint:
    return complaint_in(C.CLOSED, **kw)


def fresh(complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


def follow_ups(complaint) -> list[FollowUp]:
    return list(FollowUp.objects.filter(content_type=ContentType.objects.get_for_model(Complaint),
                                        object_id=complaint.pk))


def events(record) -> int:
    return Event.objects.filter(content_type=ContentType.objects.get_for_model(type(record)),
                                object_id=record.pk).count()


def login(client, user) -> None:
    """Sign ``user`` in as they are now: each builder call finds the cast again (its factory sets the
    password anew), which would void a session made from an older copy of the row."""
    user.refresh_from_db()
    client.force_login(user)


def now(user):
    """``user`` as the database has it now (see ``login``)."""
    user.refresh_from_db()
    return user


def populate_closed_complaint() -> Complaint:
    """A closed complaint with its answer, a final case report and an open preventive measure, for
    the API contract's reads."""
    import datetime as dt

    from django.utils import timezone

    from complaints.services.core import preventive_add
    from complaints.services.reports import case_report_save
    from tests.builders.complaints import cast

    people = cast()
    complaint = closed()
    case_report_save(complaint=complaint, actor=people.investigator, finalise=True,
                     data={"summary": "异响投诉", "cause_text": "润滑不足", "lessons_learned": "增加检验"})
    preventive_add(complaint=complaint, actor=people.investigator, description="修订保养规程", owner=people.responsible,
                   due_date=timezone.localdate() + dt.timedelta(days=30))
    return complaint
