"""SLA-1 page action: reload a year of the working calendar from the installed `holidays` package."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from qsm.parsing import parse_count

from .models import CalendarDay
from .services import calendar_reload


class CalendarReloadView(LoginRequiredMixin, View):
    """POST ``year``: the default calendar's year becomes the package's; days entered by hand stay.
    403 without the right (``sla.reload_calendar``)."""

    def post(self, request):
        year = parse_count(request.POST.get("year"), maximum=9999)
        try:
            result = calendar_reload(year=year or 0, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            label = CalendarDay.Source(result.source).label
            messages.success(request, _(
                "Working calendar %(year)s reloaded (%(source)s): %(added)s days added, %(changed)s changed, "
                "%(removed)s removed; %(kept)s days entered by hand kept.") % {
                "year": result.year, "source": label, "added": result.added, "changed": result.changed,
                "removed": result.removed, "kept": result.kept_by_hand})
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = "/"
        return HttpResponseRedirect(next_url)
