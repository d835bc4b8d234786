"""§3.2 in-sale service. For now the minimal order that a converted inquiry becomes (PRE-4);
the orders issue completes review, delivery and installation (ORD-1..4)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Order(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Awaiting review")  # received, not yet reviewed (ORD-1)

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey("org.Customer", on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="orders",
                                   verbose_name=_("department"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_orders",
                              verbose_name=_("owner"))
    source_inquiry = models.OneToOneField("presales.Inquiry", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="order", verbose_name=_("from inquiry"))
    needs = models.TextField(_("customer needs"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="order_created_idx"),
            models.Index(fields=["department", "-created_at"], name="order_dept_created_idx"),
            models.Index(fields=["customer", "-created_at"], name="order_customer_created_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("orders:order-detail", args=[self.pk])


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("org.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=1)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_line_quantity_positive")]
