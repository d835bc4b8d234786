"""CMP-1 / §5(一)2: the promised reply time as the receiver reads it to the customer, and whether the
reply kept the promise; shown on the complaint's page and in its API detail."""
from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import Complaint


def promise_text(complaint: Complaint) -> str:
    """§5(一)2: the sentence the receiver reads to the customer, in the reader's language and the
    company's time zone: "我们将在 2026年12月1日 10:30 前答复您"."""
    if complaint.promised_reply_at is None:
        return ""
    when = formats.date_format(timezone.localtime(complaint.promised_reply_at),
                               pgettext("promised reply time", "F j, Y, H:i"))
    return _("We will reply to you by %(when)s.") % {"when": when}


def reply_verdict(complaint: Complaint) -> str:
    """"met" / "late" once replied, "overdue" while the promise is broken, "" while on time."""
    promised = complaint.promised_reply_at
    if promised is None:
        return ""
    if complaint.replied_at is not None:
        return "met" if complaint.replied_at <= promised else "late"
    return "overdue" if promised <= timezone.now() and complaint.is_open else ""
