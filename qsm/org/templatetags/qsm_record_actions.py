"""``{% record_actions record %}``: the buttons other modules register for a record page
(qsm.record_actions), e.g. "Open a complaint" on a visit, an after-sales case or an order."""
from __future__ import annotations

from django import template

from qsm.record_actions import record_actions as _record_actions

register = template.Library()


@register.inclusion_tag("qsm/_record_actions.html", takes_context=True)
def record_actions(context, record):
    request = context.get("request")
    user = getattr(request, "user", None)
    actions = _record_actions(record, user) if user is not None and user.is_authenticated else []
    return {"record_actions": actions}
