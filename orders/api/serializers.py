"""Orders API (minimal: what a converted inquiry becomes, PRE-4)."""
from __future__ import annotations

from rest_framework import serializers

from orders.models import Order, OrderLine
from qsm.api.fields import LabelField, enum_field


class OrderLineSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)

    class Meta:
        model = OrderLine
        fields = ["id", "product", "product_code", "product_name", "quantity"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    status = enum_field("OrderStatus", Order.Status, read_only=True)
    status_label = LabelField("status")
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)
    source_inquiry_number = serializers.CharField(source="source_inquiry.number", read_only=True, allow_null=True,
                                                  default=None)

    class Meta:
        model = Order
        fields = ["id", "number", "status", "status_label", "customer", "customer_name", "department",
                  "department_name", "owner", "owner_name", "source_inquiry", "source_inquiry_number", "created_at"]
        read_only_fields = fields


class OrderDetailSerializer(OrderSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "needs", "lines"]
        read_only_fields = fields


class OrderFromInquirySerializer(serializers.Serializer):
    inquiry = serializers.IntegerField(min_value=1, help_text="The acknowledged inquiry to convert.")
