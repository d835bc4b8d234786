"""QC-3 declared on the core (AssessmentConfig.ready, one line): the notice export, "my work" and the
inspected record's section, and the notice's record page."""
from __future__ import annotations


def register(config) -> None:
    from . import exports, inbox

    exports.register()  # SEARCH-1: the notice list's CSV / Excel export
    inbox.register()  # INBOX-1 and the inspected record's open notice
    # The notice's page, re-rendered by the core's record views (qsm.web.pages).
    config.record_pages = {**getattr(config, "record_pages", {}),
                           "notice": "assessment.rectification.views:render_notice_page"}
