"""/api/quality/: the API of the quality department's tools; each concern has its own router."""
from __future__ import annotations

from ..inspections.api import urls as inspections
from ..rectification.api import urls as rectification
from ..standards.api import urls as standards
from ..training.api import urls as training

urlpatterns: list = []
urlpatterns += standards.urlpatterns  # QC-1
urlpatterns += inspections.urlpatterns  # QC-2
urlpatterns += rectification.urlpatterns  # QC-3
urlpatterns += training.urlpatterns  # QC-5
