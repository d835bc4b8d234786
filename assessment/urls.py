"""/quality/: the quality department's pages (§4). Each concern adds its own url module."""
from __future__ import annotations

from .inspections import spot_check_views
from .inspections import urls as inspections
from .rectification import urls as rectification
from .standards import urls as standards
from .training import urls as training

app_name = "assessment"

urlpatterns: list = []
urlpatterns += standards.urlpatterns  # QC-1
urlpatterns += inspections.urlpatterns  # QC-2
urlpatterns += rectification.urlpatterns  # QC-3
urlpatterns += training.urlpatterns  # QC-5
urlpatterns += spot_check_views.urlpatterns  # QC-2 random spot checks (不定期抽查)
