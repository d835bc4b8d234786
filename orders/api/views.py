"""Orders API: list and read orders; convert an acknowledged inquiry into an order (PRE-4)."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from orders import selectors, services
from orders.models import Order
from presales.selectors import inquiry_get
from qsm.api.filters import FilterBackend
from qsm.api.mixins import UserLanguageMixin, cursor_pagination

from .filters import OrderFilter
from .serializers import OrderDetailSerializer, OrderFromInquirySerializer, OrderSerializer


@extend_schema(tags=["orders"])
class OrderViewSet(UserLanguageMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Order.objects.none()  # for the schema; requests read through the selectors
    serializer_class = OrderSerializer
    pagination_class = cursor_pagination("-created_at", "-id")  # the (-created_at, -id) index
    filter_backends = [FilterBackend]
    filterset_class = OrderFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.order_list(user=self.request.user)

    @extend_schema(responses=OrderDetailSerializer)
    def retrieve(self, request, pk=None):
        return Response(OrderDetailSerializer(selectors.order_get(user=request.user, pk=pk)).data)

    @extend_schema(request=OrderFromInquirySerializer, responses={201: OrderDetailSerializer},
                   summary="Convert an acknowledged inquiry into an order (PRE-4)")
    @action(detail=False, methods=["post"], url_path="from-inquiry", url_name="from-inquiry",
            pagination_class=None, filter_backends=[])
    def from_inquiry(self, request):
        params = OrderFromInquirySerializer(data=request.data)
        params.is_valid(raise_exception=True)
        # Looked up through the pre-sales scope: an inquiry the user cannot see is a 404.
        inquiry = inquiry_get(user=request.user, pk=params.validated_data["inquiry"])
        order = services.order_create_from_inquiry(inquiry=inquiry, actor=request.user)
        return Response(OrderDetailSerializer(selectors.order_get(user=request.user, pk=order.pk)).data,
                        status=status.HTTP_201_CREATED)
