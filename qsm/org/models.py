"""ORG-1 departments, users and roles; ORG-2 customers, contacts and products."""
from __future__ import annotations

import unicodedata

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qsm import search


class Role(models.TextChoices):
    """Roles are Django groups with these names (ORG-1)."""

    STAFF = "staff", _("Staff")
    QUALITY_OFFICER = "quality_officer", _("Quality officer")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")
    # ORD-3 §3.2(3) 安排专业人员进行现场安装和调试: may be named engineer on an installation, in any
    # department (members of a supporting department, e.g. production, may be named without it).
    INSTALLATION_ENGINEER = "installation_engineer", _("Installation engineer")


class Department(models.Model):
    class Kind(models.TextChoices):
        QUALITY = "quality", _("Quality department")  # §2(一): sees and audits everything
        BUSINESS = "business", _("Business department")  # §2(二): owns its own records
        OTHER = "other", _("Other department")  # §2(三): supports, e.g. production

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BUSINESS)
    # §3.2(2) 组织生产部门进行产品生产: a declared role of the department, not its name. Its members follow
    # the orders in production and delivery and record the production steps (orders.rules).
    is_production = models.BooleanField(
        _("production department"), default=False,
        help_text=_("Its members see the orders in production and delivery and record their production steps."))
    # Its managers are its members with the manager role (ORG-1: one notion of "manager").
    # VIS-1: who plans and makes the follow-up visits (回访) of its records; the scheduler assigns them.
    visit_owner = models.ForeignKey(
        "org.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("visit owner"), help_text=_("Follow-up visits of this department's records are assigned to them."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    @property
    def is_quality(self) -> bool:
        return self.kind == self.Kind.QUALITY


class User(AbstractUser):
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=10, default="zh-hans", choices=[("zh-hans", "简体中文"), ("en", "English")]
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    # Role checks are read many times per request; cache the group names on the instance.
    @property
    def role_names(self) -> frozenset[str]:
        cached = getattr(self, "_role_names", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True)) if self.pk else frozenset()
            self._role_names = cached
        return cached

    def has_role(self, role: str) -> bool:
        return self.is_superuser and role == Role.ADMINISTRATOR or role in self.role_names

    @property
    def in_quality_department(self) -> bool:
        return self.department_id is not None and self.department.kind == Department.Kind.QUALITY


def customer_name_key(name: str) -> str:
    """The customer name as the uniqueness rule compares it (ORG-2): NFKC (full-width letters, digits,
    brackets and the ideographic space become their half-width forms), whitespace stripped and
    collapsed to one space, case-folded. "ＡＢＣ　机械（苏州）" and "abc 机械(苏州)" are one customer."""
    return " ".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def credit_code_clean(code: str) -> str:
    """A unified social credit code (统一社会信用代码) as stored: half-width, no spaces, upper case."""
    return "".join(unicodedata.normalize("NFKC", code or "").split()).upper()


class Customer(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        PERSON = "person", _("Individual")

    name = models.CharField(_("name"), max_length=200)
    # customer_name_key(name), kept by save(): one customer per normalised name (a unique index), so two
    # quick-creates of one customer at the same moment make one customer (qsm.org.services.customer_create).
    name_key = models.CharField(_("normalised name"), max_length=200, editable=False)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True,
                                   help_text=_("18 characters; unique when given."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["name", "id"], name="customer_name_idx"),  # the list's order
            models.Index(fields=["phone"], name="customer_phone_idx"),
            # The customer list's search and every record's "customer name" search (qsm.search).
            search.grams_index("name", name="customer_name_grams"),
            search.grams_index("phone", "email", name="customer_contact_grams"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["name_key"], name="customer_name_key_unique"),
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""),
                                    name="customer_credit_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A derived column (every writer, the admin included, keeps it); ``update()`` must set it itself.
        self.name_key = customer_name_key(self.name)
        self.credit_code = credit_code_clean(self.credit_code)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("org:customer-detail", args=[self.pk])


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("customer"))
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [search.grams_index("phone", name="contact_phone_grams")]  # the customer type-ahead

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        SERVICE = "service", _("Service")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PRODUCT)
    product_line = models.CharField(_("product line"), max_length=100, blank=True)
    list_price = models.DecimalField(_("list price"), max_digits=12, decimal_places=2, null=True, blank=True)
    # An order line of a product counted in whole units (a machine, a robot) takes a whole quantity;
    # one measured otherwise (hours of service, metres) may take a fraction.
    whole_units = models.BooleanField(_("counted in whole units"), default=True,
                                      help_text=_("Order quantities of this product must be whole numbers."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product or service")
        verbose_name_plural = _("products and services")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
