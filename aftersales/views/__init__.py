"""After-sales pages: cases (views/cases.py); other parts of the module add their own files here."""
from .cases import (  # noqa: F401
    CaseAttachmentDownloadView,
    CaseAttachView,
    CaseContactAddView,
    CaseCreateView,
    CaseDetailView,
    CaseDiagnoseView,
    CaseExportView,
    CaseListView,
    CaseRerouteView,
    CaseTransitionView,
    OrderLookupView,
    register_case_section,
    render_case_page,
)
