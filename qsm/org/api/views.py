"""ORG-1/ORG-2 API: customers (search, type-ahead, quick create, history), products, departments."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qsm import registry
from qsm.api.filters import FilterBackend
from qsm.api.mixins import UserLanguageMixin, cursor_pagination
from qsm.org import selectors, services
from qsm.org.models import Customer, Department, Product, Role, User
from qsm.parsing import parse_count

from .filters import DepartmentFilter, ProductFilter, UserDirectoryFilter
from .serializers import (
    CustomerCreateSerializer,
    CustomerDetailSerializer,
    CustomerLookupSerializer,
    CustomerSerializer,
    DepartmentSerializer,
    HistorySectionSerializer,
    ProductSerializer,
    UserDirectorySerializer,
)

Q_PARAM = OpenApiParameter("q", OpenApiTypes.STR, description="Search name, phone or e-mail.")


@extend_schema_view(
    list=extend_schema(parameters=[Q_PARAM], summary="List customers (keyset-paginated by name)"),
    retrieve=extend_schema(responses=CustomerDetailSerializer, summary="Get one customer with its contacts"),
    create=extend_schema(request=CustomerCreateSerializer,
                         responses={201: CustomerDetailSerializer, 200: CustomerDetailSerializer},
                         summary="Quick-create a customer",
                         description="A customer already on file under the same normalised name (or unified social "
                                     "credit code) is returned as it is, with 200 instead of 201."),
)
@extend_schema(tags=["org"])
class CustomerViewSet(UserLanguageMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """ORG-2: the customers shared by every module."""

    queryset = Customer.objects.none()  # for the schema; requests read through the selectors
    serializer_class = CustomerSerializer
    pagination_class = cursor_pagination("name", "id")
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.customer_list(user=self.request.user, term=self.request.query_params.get("q", ""))

    def get_object(self, pk=None):
        customer = get_object_or_404(
            selectors.customer_list(user=self.request.user).prefetch_related("contacts"), pk=pk or self.kwargs["pk"]
        )
        self.check_object_permissions(self.request, customer)
        return customer

    def retrieve(self, request, pk=None):
        return Response(CustomerDetailSerializer(self.get_object()).data)

    def create(self, request):
        """Quick-create a customer. One with the same normalised name (or credit code) already on file is
        returned as it is, with 200 instead of 201: two clients creating one customer get one row."""
        params = CustomerCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        customer = services.customer_create(actor=request.user, **params.validated_data)
        code = status.HTTP_200_OK if customer.already_on_file else status.HTTP_201_CREATED
        return Response(CustomerDetailSerializer(self.get_object(customer.pk)).data, status=code)

    @extend_schema(
        parameters=[Q_PARAM, OpenApiParameter("limit", OpenApiTypes.INT, description="At most 50; default 10.")],
        responses=CustomerLookupSerializer(many=True),
        summary="Find customers by name or phone (type-ahead)",
        description="Customers whose name or phone, or a contact's, matches; at most `limit`.",
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def lookup(self, request):
        """Type-ahead for the intake form: customers whose name or phone (or a contact's) matches."""
        limit = max(1, parse_count(request.query_params.get("limit", ""), default=10, maximum=50))
        found = selectors.customer_search(term=request.query_params.get("q", ""), limit=limit)
        return Response(CustomerLookupSerializer(found, many=True).data)

    @extend_schema(responses=HistorySectionSerializer(many=True), summary="A customer's history across modules",
                   description="One section per module, each with the records the user may see.")
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        """ORG-2: the customer's whole history across modules, each module's section scoped to the user."""
        customer = self.get_object()
        return Response(HistorySectionSerializer(registry.customer_history(customer, request.user), many=True).data)


@extend_schema(
    tags=["org"],
    parameters=[OpenApiParameter("include_inactive", OpenApiTypes.BOOL, description="Also list retired products.")],
)
class ProductViewSet(UserLanguageMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """ORG-2: the product and service catalogue (read-only; edited in the admin)."""

    queryset = Product.objects.none()
    serializer_class = ProductSerializer
    pagination_class = cursor_pagination("code")
    filter_backends = [FilterBackend]
    filterset_class = ProductFilter

    def get_queryset(self):
        include_inactive = self.request.query_params.get("include_inactive", "").lower() in ("1", "true", "yes")
        return selectors.product_list(active_only=not include_inactive).order_by("code")


@extend_schema(tags=["org"])
class DepartmentViewSet(UserLanguageMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """ORG-1: active departments (a short reference list, not paginated)."""

    queryset = Department.objects.none()
    serializer_class = DepartmentSerializer
    pagination_class = None
    filter_backends = [FilterBackend]
    filterset_class = DepartmentFilter

    def get_queryset(self):
        # No selector lists every department; this read is the API's own (ORG-1 reference data).
        return Department.objects.filter(is_active=True).order_by("name")


class IsQsmMember(permissions.IsAuthenticated):
    """Signed in and one of QSM's people: a department or a role (an account without either is
    refused, e.g. one made for a machine)."""

    def has_permission(self, request, view):
        user = request.user
        return super().has_permission(request, view) and (
            user.is_superuser or user.department_id is not None or any(user.has_role(r) for r in Role.values))


@extend_schema_view(
    list=extend_schema(summary="List users (to name invitees and engineers)",
                       description="Active users by username; filter by department, role or a search text. "
                                   "Keyset-paginated. No e-mail addresses or phone numbers."),
    retrieve=extend_schema(summary="Get one user"),
)
@extend_schema(tags=["org"])
class UserDirectoryViewSet(UserLanguageMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    queryset = User.objects.none()  # for the schema; requests read through the selector
    serializer_class = UserDirectorySerializer
    permission_classes = [IsQsmMember]
    pagination_class = cursor_pagination("username")  # the unique username index
    filter_backends = [FilterBackend]
    filterset_class = UserDirectoryFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.user_directory()
