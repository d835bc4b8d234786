"""ORG-2 writes: customers and contacts."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from qsm.errors import PermissionDenied, ValidationError

from .models import Contact, Customer, credit_code_clean, customer_name_key


def customer_create(*, actor, name: str, phone: str = "", email: str = "", kind: str = Customer.Kind.COMPANY,
                    address: str = "", contact_name: str = "", contact_phone: str = "",
                    credit_code: str = "") -> Customer:
    """Quick-create a customer from an intake form, or get the one already on file.

    One customer per normalised name (``customer_name_key``: full-width and half-width, spacing and
    case do not make another customer) and per unified social credit code when given. A customer
    on file is returned as it is (``customer.already_on_file`` is True), not an error: two people
    quick-creating one customer at the same moment both get the first one's row. The unique index
    decides that race: the second insert waits for the first to commit, fails, and reads its row.
    """
    if not actor.has_perm("org.add_customer"):
        raise PermissionDenied(_("You are not allowed to create customers."))
    name = " ".join((name or "").split())
    phone = (phone or "").strip()
    credit_code = credit_code_clean(credit_code)
    errors = {}
    if not name:
        errors["name"] = _("Enter the customer's name.")
    if kind not in Customer.Kind.values:
        errors["kind"] = _("Unknown customer kind.")
    if credit_code and (len(credit_code) != 18 or not credit_code.isalnum()):
        errors["credit_code"] = _("A unified social credit code has 18 letters and digits.")
    if errors:
        raise ValidationError(errors, code="invalid")
    existing = _customer_on_file(name, credit_code)
    if existing is not None:
        return existing
    customer = Customer(name=name[:200], phone=phone[:40], email=(email or "").strip(), kind=kind,
                        address=(address or "").strip()[:300], credit_code=credit_code, created_by=actor)
    customer.full_clean(validate_constraints=False)  # the unique index decides, under concurrency too
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives a lost race
            customer.save()
            if contact_name.strip():
                Contact.objects.create(customer=customer, name=contact_name.strip()[:100],
                                       phone=(contact_phone or phone).strip()[:40], is_primary=True)
    except IntegrityError:
        existing = _customer_on_file(name, credit_code)
        if existing is None:
            raise
        return existing
    customer.already_on_file = False
    return customer


def _customer_on_file(name: str, credit_code: str) -> Customer | None:
    match = Q(name_key=customer_name_key(name))
    if credit_code:
        match |= Q(credit_code=credit_code)
    found = list(Customer.objects.filter(match)[:2])
    if not found:
        return None
    by_code = next((c for c in found if credit_code and c.credit_code == credit_code), None)
    customer = by_code or found[0]
    if credit_code and customer.credit_code and customer.credit_code != credit_code:
        raise ValidationError({"credit_code": _("%(name)s is on file with another unified social credit code.")
                               % {"name": customer.name}}, code="conflict")
    customer.already_on_file = True
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
