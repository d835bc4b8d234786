"""``{% record_sections record %}``: the sections later modules add to a record's page (qsm.registry's
``record_sections``: the complaints opened from an after-sales case or a visit, ...), each scoped to the
user by its own provider. The record's module declares nothing and imports none of them."""
from __future__ import annotations

from django import template

from qsm import registry

register = template.Library()


@register.inclusion_tag("qsm/_record_sections.html", takes_context=True)
def record_sections(context, record):
    request = context.get("request")
    user = getattr(request, "user", None)
    sections = registry.record_sections(record, user) if user is not None and user.is_authenticated else []
    return {"sections": sections}
