"""NTF-1 API: my notifications (keyset-paginated), the unread count, marking as read."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qsm.api.mixins import UserLanguageMixin, cursor_pagination
from qsm.notify.models import Notification
from qsm.notify.selectors import notification_list, notification_unread_count
from qsm.notify.services import notification_mark_read

from .serializers import MarkReadResultSerializer, MarkReadSerializer, NotificationSerializer, UnreadCountSerializer


@extend_schema_view(list=extend_schema(summary="List my notifications, newest first (keyset-paginated)"))
@extend_schema(tags=["notifications"])
class NotificationViewSet(UserLanguageMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    # Matches the (recipient, -created_at, -id) index.
    pagination_class = cursor_pagination("-created_at", "-id")
    filter_backends = []

    def get_queryset(self):
        return notification_list(user=self.request.user)

    @extend_schema(responses=UnreadCountSerializer, summary="How many of my notifications are unread")
    @action(detail=False, methods=["get"], url_path="unread-count", pagination_class=None)
    def unread_count(self, request):
        return Response({"count": notification_unread_count(user=request.user)})

    @extend_schema(request=MarkReadSerializer, responses=MarkReadResultSerializer,
                   summary="Mark notifications as read (the given ones, or all)")
    @action(detail=False, methods=["post"], url_path="mark-read", pagination_class=None)
    def mark_read(self, request):
        params = MarkReadSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        # No "ids" means all unread; an empty list means none.
        marked = notification_mark_read(user=request.user, ids=params.validated_data.get("ids"))
        return Response({"marked": marked, "unread": notification_unread_count(user=request.user)})
