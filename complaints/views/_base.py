"""The base of the investigation's and the plans' forms on the complaint page, until the page's own
``complaints.views.record.ComplaintPostView`` (h2) is in the branch: read through the scope
(another department's complaint is a 404), re-render the page named on the AppConfig."""
from __future__ import annotations

from qsm.web.actions import RecordPageMixin
from qsm.web.views import RecordPostView

from ..selectors import complaint_get


class ComplaintPostView(RecordPageMixin, RecordPostView):
    record_selector, record_name = staticmethod(complaint_get), "complaint"
