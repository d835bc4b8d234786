"""ORG-1/ORG-2 API: customers, products, departments."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field

from qsm.api import drf as serializers
from qsm.api.fields import LabelField, enum_field
from qsm.api.serializers import DepartmentBriefSerializer
from qsm.org.models import Contact, Customer, Department, Product, Role, User


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "title", "phone", "email", "is_primary"]


class CustomerSerializer(serializers.ModelSerializer):
    kind = enum_field("CustomerKind", Customer.Kind, read_only=True)
    kind_label = LabelField("kind")

    class Meta:
        model = Customer
        fields = ["id", "name", "kind", "kind_label", "phone", "email", "address", "credit_code", "created_at"]


class CustomerDetailSerializer(CustomerSerializer):
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta(CustomerSerializer.Meta):
        fields = [*CustomerSerializer.Meta.fields, "notes", "contacts"]


class CustomerCreateSerializer(serializers.Serializer):
    """Input of ``qsm.org.services.customer_create`` (also nested in the inquiry intake)."""

    name = serializers.CleanCharField(multiline=False, max_length=200)
    kind = enum_field("CustomerKind", Customer.Kind, default=Customer.Kind.COMPANY)
    phone = serializers.CleanCharField(multiline=False, max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    contact_name = serializers.CleanCharField(multiline=False, max_length=100, required=False, allow_blank=True, default="")
    contact_phone = serializers.CleanCharField(multiline=False, max_length=40, required=False, allow_blank=True, default="")
    credit_code = serializers.CleanCharField(multiline=False, max_length=40, required=False, allow_blank=True, default="",
                                             help_text="Unified social credit code (18 characters); unique when given.")


class CustomerLookupSerializer(serializers.ModelSerializer):
    """One type-ahead suggestion."""

    label = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = ["id", "name", "phone", "label"]

    def get_label(self, customer) -> str:
        return f"{customer.name} · {customer.phone}" if customer.phone else customer.name


class HistoryRowSerializer(serializers.Serializer):
    url = serializers.CharField()
    cells = serializers.ListField(child=serializers.CharField())


class HistorySectionSerializer(serializers.Serializer):
    """One module's records of a customer (ORG-2), as ``qsm.registry.HistorySection``."""

    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = HistoryRowSerializer(many=True)
    more_url = serializers.CharField(allow_null=True)


class ProductSerializer(serializers.ModelSerializer):
    kind = enum_field("ProductKind", Product.Kind, read_only=True)
    kind_label = LabelField("kind")

    class Meta:
        model = Product
        fields = ["id", "code", "name", "kind", "kind_label", "product_line", "list_price", "is_active"]


class DepartmentSerializer(DepartmentBriefSerializer):
    class Meta(DepartmentBriefSerializer.Meta):
        model = Department
        fields = [*DepartmentBriefSerializer.Meta.fields, "is_active"]


class UserDirectorySerializer(serializers.ModelSerializer):
    """One person of the user directory: enough to name them (no e-mail address, no phone)."""

    name = serializers.CharField(source="__str__", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name", "department", "department_name", "roles"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=enum_field("Role", Role)))
    def get_roles(self, user) -> list[str]:
        names = {group.name for group in user.groups.all()}  # prefetched by the selector
        return [r for r in Role.values if r in names or (r == Role.ADMINISTRATOR and user.is_superuser)]
