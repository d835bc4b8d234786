"""SEARCH-1: the complaint list (filters, Chinese search, keyset pages, cards at phone width) and its
CSV / Excel export with the same filters and scope."""
from __future__ import annotations

from qsm.web.views import RecordExportView, RecordListView

from ..filters import ComplaintFilter
from ..models import Complaint
from ..selectors.complaints import complaint_list


class ComplaintListView(RecordListView):
    template_name = "complaints/list.html"
    filterset_class = ComplaintFilter
    keys, rows_name, status_choices = ("received_at", "id"), "complaints", Complaint.Status.choices

    def get_queryset(self):
        return complaint_list(user=self.request.user)

    def get_context_data(self, **extra):
        from aftersales.selectors import cause_choices

        # The cause filter: the shared taxonomy is small (tens of rows), read once per page.
        return {"can_add_complaint": self.request.user.has_perm("complaints.add_complaint"),
                "causes": list(cause_choices()), **extra}


class ComplaintExportView(RecordExportView):
    export_name = "complaints.complaints"  # complaints.exports
