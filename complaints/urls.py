"""/complaints/: the pages of the module. Each part adds its own url module here (views.intake,
views.record, views.lists: h2; views.investigation, views.plans, views.measures: h3;
views.confirmation, views.reports, views.prevention: h4) as ``urlpatterns += <module>.urlpatterns``.

Names: ``complaints:complaint-list`` (/complaints/), ``complaints:complaint-create`` (/complaints/new/),
``complaints:complaint-detail`` (/complaints/<id>/); a complaint's sub-pages are /complaints/<id>/<what>/.
"""
from __future__ import annotations

app_name = "complaints"

urlpatterns: list = []

# CMP-2 / CMP-3 (h3): the investigation and plan sections' forms, the measure list.
from .views import investigation as _investigation  # noqa: E402
from .views import measures as _measures  # noqa: E402
from .views import plans as _plans  # noqa: E402

urlpatterns += _investigation.urlpatterns + _plans.urlpatterns + _measures.urlpatterns
