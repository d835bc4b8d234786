"""AFS-1/AFS-2 writes of an after-sales case. Every state change goes through the workflow table
(engine.fire); a service that reads state and decides locks the case first."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qsm.errors import PermissionDenied, ValidationError
from qsm.notify.services import notify
from qsm.org.selectors import department_managers
from qsm.workflow import engine
from qsm.workflow.services import next_number

from ..models import Case, Channel
from ..routing import route
from ..rules import can_create_case


def case_create(*, actor, customer, channel: str, case_type: str, severity: str, subject: str, description: str,
                contact_name: str = "", contact_phone: str = "", order=None, delivery=None, product=None,
                received_at: dt.datetime | None = None, source_visit=None) -> Case:
    """AFS-1: log a piece of customer feedback and route it.

    The routing rules (aftersales.routing) pick the department and the default owner; without a
    matching rule the case stays with the actor's department and the actor. Its reply and
    resolution clocks start at ``received_at`` (the workflow's table); the owner is told when the
    case was logged by someone else.
    """
    if not can_create_case(actor):
        raise PermissionDenied(_("You are not allowed to log after-sales cases."))
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose a channel.")
    if case_type not in Case.Type.values:
        errors["case_type"] = _("Choose the type of problem.")
    if severity not in Case.Severity.values:
        errors["severity"] = _("Choose a severity.")
    if customer is None:
        errors["customer"] = _("Choose the customer.")
    if not (subject or "").strip():
        errors["subject"] = _("Enter a subject.")
    if not (description or "").strip():
        errors["description"] = _("Describe the customer's problem.")
    if delivery is not None:
        if order is None:
            order = delivery.order
        elif delivery.order_id != order.pk:
            errors["delivery"] = _("The delivery is not one of this order's.")
    if order is not None:
        if customer is not None and order.customer_id != customer.pk:
            errors["order"] = _("The order is not this customer's.")
        if product is not None and not order.lines.filter(product=product).exists():
            errors["product"] = _("The product is not on this order.")
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=5):
        errors["received_at"] = _("The time received cannot be in the future.")
    if errors:
        raise ValidationError(errors, code="invalid")

    routed = route(product=product, case_type=case_type, severity=severity)
    if routed is not None:
        department, owner = routed
    else:
        department, owner = actor.department, None
    if department is None:
        raise PermissionDenied(_("Your account belongs to no department, so it cannot log after-sales cases."))
    if owner is None and actor.department_id == department.pk:
        owner = actor
    if owner is None:
        # Routed to another department without a default owner: its manager dispatches it (and
        # without one, whoever logged it keeps it: a case always has an owner).
        owner = department_managers(department=department).order_by("pk").first() or actor
    with transaction.atomic():
        case = Case.objects.create(
            number=next_number("AS", when=received_at), channel=channel, case_type=case_type, severity=severity,
            customer=customer, contact_name=(contact_name or "").strip()[:100],
            contact_phone=(contact_phone or "").strip()[:40], subject=subject.strip()[:200],
            description=description.strip(), order=order, delivery=delivery, product=product,
            department=department, owner=owner, received_at=received_at, source_visit=source_visit,
        )
        engine.record_created(case, actor=actor, data={"routed": routed is not None,
                                                       "source_visit": source_visit.pk if source_visit else None})
        notify(recipients=[owner], exclude=actor, kind="case_assigned",
               title=gettext_lazy("After-sales case %(number)s was assigned to you"), params={"number": case.number},
               url=case.get_absolute_url())
    return case
