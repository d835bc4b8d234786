"""ORG-2 writes: customers and contacts."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from qsm.errors import PermissionDenied, ValidationError

from .models import Contact, Customer


def customer_create(*, actor, name: str, phone: str = "", email: str = "", kind: str = Customer.Kind.COMPANY,
                    address: str = "", contact_name: str = "", contact_phone: str = "") -> Customer:
    """Quick-create a customer from the intake form; refuses an obvious duplicate."""
    if not actor.has_perm("org.add_customer"):
        raise PermissionDenied(_("You are not allowed to create customers."))
    name = (name or "").strip()
    phone = (phone or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Enter the customer's name.")
    if kind not in Customer.Kind.values:
        errors["kind"] = _("Unknown customer kind.")
    if name and Customer.objects.filter(name__iexact=name, phone=phone).exists():
        errors["name"] = _("A customer with this name and phone already exists; pick it from the list.")
    if errors:
        raise ValidationError(errors, code="invalid")
    with transaction.atomic():
        customer = Customer(name=name[:200], phone=phone[:40], email=(email or "").strip(), kind=kind,
                            address=(address or "").strip()[:300], created_by=actor)
        customer.full_clean()
        customer.save()
        if contact_name.strip():
            Contact.objects.create(customer=customer, name=contact_name.strip()[:100],
                                   phone=(contact_phone or phone).strip()[:40], is_primary=True)
    return customer


class NewCustomerInvalid(ValidationError):
    """The customer quick-created with a record was refused; its errors keep customer_create's field
    names (name, phone, kind ...) so the page and the API can show them at the quick-create fields."""


def customer_pick(*, actor, customer: Customer | None = None, new_customer: dict | None = None) -> Customer:
    """The customer of an intake (an inquiry, an order): the one picked, or the one quick-created now.

    Call it inside the record's transaction: the quick-created customer exists only if the record
    is saved too. A refusal of the new customer is ``NewCustomerInvalid``.
    """
    if new_customer is not None:
        try:
            return customer_create(actor=actor, **new_customer)
        except ValidationError as exc:
            raise NewCustomerInvalid(exc.error_dict if hasattr(exc, "error_dict") else exc.messages,
                                     code="invalid") from exc
    if customer is None:
        raise ValidationError({"customer": _("Choose the customer or create a new one.")}, code="required")
    return customer


def user_language_set(*, user, language: str) -> str:
    """Save the user's UI language (NTF-1: notifications and e-mails follow it too).

    An unknown code falls back to the default language; returns the language saved.
    """
    from django.conf import settings

    from .models import User

    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    if user.is_authenticated and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
    return language
