"""SLA-1 on the record page: a clock paused while the customer is waited for shows it."""
from django import template
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from qsm.sla.models import Deadline

register = template.Library()


@register.simple_tag
def paused_badge(record):
    """A "paused since …" badge per paused clock of ``record`` (one query)."""
    paused = Deadline.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
                                     state=Deadline.State.PAUSED).order_by("paused_at")
    return format_html_join(
        "", '<span class="badge text-bg-secondary paused-badge" id="paused-{}" title="{}">'
            '<i class="bi bi-pause-circle"></i> {}</span>',
        ((d.stage, d.title, _("Clock paused since %(time)s") % {
            "time": timezone.localtime(d.paused_at).strftime("%Y-%m-%d %H:%M")}) for d in paused),
    )


def _calendar_notice(context) -> dict:
    from qsm.sla.selectors import calendar_attention

    request = context.get("request")
    user = getattr(request, "user", None)
    years = calendar_attention(user=user) if user is not None else []
    return {"calendar_years": years, "can_reload": bool(years) and user.has_perm("sla.reload_calendar"),
            "request": request}


@register.inclusion_tag("sla/_calendar_notice.html", takes_context=True)
def calendar_notice(context):
    """SLA-1: the banner that tells the quality department and the administrators that this year
    or next (from November on) of the working calendar is still estimated or missing."""
    return _calendar_notice(context)


@register.inclusion_tag("sla/_calendar_notice_admin.html", takes_context=True)
def calendar_notice_admin(context):
    """The same on the admin's index page, in the admin's own message style."""
    return _calendar_notice(context)
