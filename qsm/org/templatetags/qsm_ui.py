"""Small presentation helpers shared by every module's pages: status badges, time left, keyset links."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from qsm.workflow.colours import colour_for

register = template.Library()

# Within this many seconds of its deadline a record is shown in amber: still on time, but not for long.
_SOON_SECONDS = 4 * 3600


@register.simple_tag
def status_badge(record, field: str = "status"):
    value = getattr(record, field, "")
    label = getattr(record, f"get_{field}_display", lambda: value)()
    colour = colour_for(record, field)  # declared by the module that owns the states
    return format_html('<span class="badge rounded-pill text-bg-{} status-{}">{}</span>', colour, value, label)


@register.simple_tag
def due_badge(due_at, is_open: bool = True, now=None):
    """SLA-1: time left, or how long overdue, at a glance; nothing once the record is done."""
    if due_at is None or not is_open:
        return ""
    now = now or timezone.now()
    when = timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")
    if due_at <= now:
        return format_html(
            '<span class="badge text-bg-danger due-overdue" title="{}"><i class="bi bi-alarm"></i> {} {}</span>',
            when, _("Overdue"), timesince(due_at, now, depth=1),
        )
    colour = "warning" if (due_at - now).total_seconds() < _SOON_SECONDS else "light border"
    return format_html(
        '<span class="badge text-bg-{} due-left" title="{}"><i class="bi bi-hourglass-split"></i> {}</span>',
        colour, when, _("%(time)s left") % {"time": timeuntil(due_at, now, depth=1)},
    )


@register.filter
def is_overdue(due_at, now=None) -> bool:
    return due_at is not None and due_at <= (now or timezone.now())


@register.simple_tag(takes_context=True)
def page_url(context, **kwargs):
    """The current query string with ``kwargs`` replaced (None drops a key): filters survive paging."""
    query = context["request"].GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    for key, value in kwargs.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def page_url_without(context, key: str):
    """``page_url`` without the filter named by ``key`` (a name held in a variable)."""
    return page_url(context, **{key: None})


_CHANNEL_ICONS = {
    "phone": "bi-telephone",
    "email": "bi-envelope",
    "chat": "bi-chat-dots",
    "visit": "bi-person-walking",
    "web": "bi-globe",  # complaints: the website, a letter
    "letter": "bi-envelope-paper",
    "other": "bi-three-dots",
}


@register.filter
def channel_icon(value) -> str:
    """Bootstrap icon class for a contact channel (the same slugs in every module)."""
    return _CHANNEL_ICONS.get(str(value), "bi-dot")


# The currency every amount is in (orders are priced in renminbi).
CURRENCY_SIGN = "¥"


@register.filter
def money(value, places: int = 2) -> str:
    """An amount as people read it: currency sign, thousands separators, two decimals, in the
    active language's number format ("¥1,326,700.00"); "—" when there is none."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = number_format(abs(amount), decimal_pos=int(places), use_l10n=True, force_grouping=True)
    return f"-{CURRENCY_SIGN}{text}" if amount < 0 else f"{CURRENCY_SIGN}{text}"


@register.simple_tag
def clamp_labels():
    """The attributes of a long text's "show more" toggle (``class="clamp" {% clamp_labels %}``;
    static/js/qsm.js adds the button when the text is cut)."""
    return format_html('data-more="{}" data-less="{}"', _("Show more"), _("Show less"))


@register.filter
def at(sequence, index: int):
    """``columns|at:forloop.counter0``: the item of a list at an index ("" past its end)."""
    try:
        return sequence[int(index)]
    except (IndexError, TypeError, ValueError):
        return ""


@register.simple_tag
def searchable_attrs():
    """The attributes that make a hand-written <select> searchable, as the shared widgets do
    (qsm.web.forms.searchable; static/js/qsm.js): for long lists of people in the filter bars."""
    return format_html('data-searchable data-placeholder="{}" data-no-results="{}"', _("Type to search…"),
                       _("No matches"))
