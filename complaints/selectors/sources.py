"""CMP-1 "open a complaint from this visit / after-sales case / order": the facts carried over into
the intake form, read through each module's own visibility (a record the user may not see is None:
the page answers 404)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qsm.parsing import parse_id


@dataclass
class SourceFacts:
    initial: dict[str, Any] = field(default_factory=dict)  # the intake form's initial values
    order: Any = None  # the order shown as picked in the order type-ahead
    source: Any = None  # the visit, case or order the complaint is opened from (the page says so)


def _visit_facts(user, pk) -> SourceFacts | None:
    from aftersales.models import Case
    from aftersales.visit_selectors import visit_visible
    from orders.models import Order

    visit = visit_visible(user=user).select_related("customer", "content_type").filter(pk=pk).first()
    if visit is None:
        return None
    said = "\n".join(text for text in (visit.comments, visit.suggestions) if text)
    initial = {"customer": str(visit.customer_id), "source_visit": str(visit.pk), "channel": "visit",
               "subject": visit.comments.splitlines()[0][:200] if visit.comments else "", "description": said}
    facts = SourceFacts(initial=initial, source=visit)
    subject_model = visit.content_type.model_class()
    if subject_model is Order:
        facts.order = _order(user, visit.object_id)
    elif subject_model is Case:
        facts.order = _order(user, Case.objects.filter(pk=visit.object_id).values_list("order_id", flat=True).first())
    if facts.order is not None:
        initial["order"] = str(facts.order.pk)
    return facts


def _case_facts(user, pk) -> SourceFacts | None:
    from aftersales.selectors import case_visible

    case = case_visible(user=user).filter(pk=pk).first()
    if case is None:
        return None
    initial = {"customer": str(case.customer_id), "source_case": str(case.pk), "channel": case.channel,
               "contact_name": case.contact_name, "contact_phone": case.contact_phone, "subject": case.subject,
               "description": case.description, "product": case.product_id}
    facts = SourceFacts(initial=initial, source=case, order=_order(user, case.order_id))
    if facts.order is not None:
        initial["order"] = str(facts.order.pk)
    return facts


def _order_facts(user, pk) -> SourceFacts | None:
    order = _order(user, pk)
    if order is None:
        return None
    lines = list(order.lines.all())
    initial = {"customer": str(order.customer_id), "order": str(order.pk),
               "product": lines[0].product_id if len(lines) == 1 else None}
    return SourceFacts(initial=initial, order=order, source=order)


def _order(user, pk):
    from orders.selectors import order_for_intake

    return order_for_intake(user=user, pk=pk) if pk else None


def source_facts(*, user, visit=None, case=None, order=None) -> SourceFacts | None:
    """The intake's prefill from the one source named (visit first, then case, then order); an
    empty ``SourceFacts`` when none is named, None when the named one is not the user's to see."""
    for value, read in ((visit, _visit_facts), (case, _case_facts), (order, _order_facts)):
        if value in (None, ""):
            continue
        pk = parse_id(value)
        return read(user, pk) if pk is not None else None
    return SourceFacts()
