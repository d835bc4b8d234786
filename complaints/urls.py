"""/complaints/: the pages of the module. Each part adds its own url module here (views.intake,
views.record, views.lists: h2; views.investigation, views.plans, views.measures: h3;
views.confirmation, views.reports, views.prevention: h4) as ``urlpatterns += <module>.urlpatterns``.

Names: ``complaints:complaint-list`` (/complaints/), ``complaints:complaint-create`` (/complaints/new/),
``complaints:complaint-detail`` (/complaints/<id>/); a complaint's sub-pages are /complaints/<id>/<what>/.
"""
from __future__ import annotations

from . import complaint_urls, confirmation_urls
from .views import investigation, measures, plans

app_name = "complaints"

urlpatterns: list = []
# CMP-1 / SEARCH-1: the list, the intake, the complaint's page and its own forms (h2).
urlpatterns += complaint_urls.urlpatterns
# CMP-2 / CMP-3 (h3): the investigation and plan sections' forms, the measure list.
urlpatterns += investigation.urlpatterns + plans.urlpatterns + measures.urlpatterns
urlpatterns += confirmation_urls.urlpatterns  # CMP-4/CMP-5: confirmation, case report, prevention (h4)
