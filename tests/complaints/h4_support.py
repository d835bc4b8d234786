"""Set-up shared by h4's complaint tests (CMP-4/CMP-5): records from the foundation's builders."""
from __future__ import annotations

from complaints.models import Complaint
from django.contrib.contenttypes.models import ContentType
from tests.builders.complaints import complaint_in

from qsm.followup.models import FollowUp
from qsm.workflow.models import Event

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
