"""NTF-1 API: the bell and the notification list."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field

from qsm.api import drf as serializers
from qsm.api.schema import dynamic_enum
from qsm.notify.kinds import kind_label
from qsm.notify.models import Notification


@extend_schema_field(dynamic_enum("NotificationKind"))
class _KindField(serializers.CharField):
    pass


class NotificationSerializer(serializers.ModelSerializer):
    kind = _KindField(read_only=True)
    kind_label = serializers.SerializerMethodField()
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "title", "body", "url", "created_at", "read_at", "is_read"]

    def get_kind_label(self, notification) -> str:
        return kind_label(notification.kind)

    def get_is_read(self, notification) -> bool:
        return notification.read_at is not None


class UnreadCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, allow_empty=True,
        help_text="The notifications to mark as read; omit to mark all unread ones.",
    )


class MarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()
