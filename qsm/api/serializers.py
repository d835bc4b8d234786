"""Serializers of the core endpoints: who am I, my work, token."""
from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from qsm.org.models import Department, Role

from .fields import LabelField, enum_field


class DepartmentBriefSerializer(serializers.ModelSerializer):
    kind = enum_field("DepartmentKind", Department.Kind, read_only=True)
    kind_label = LabelField("kind")

    class Meta:
        model = Department
        fields = ["id", "name", "code", "kind", "kind_label"]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(source="__str__", read_only=True)
    email = serializers.EmailField(read_only=True)
    language = serializers.CharField(read_only=True)
    department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    roles = serializers.SerializerMethodField()

    def get_roles(self, user) -> list[str]:
        # Only the roles QSM knows (ORG-1), in a stable order; superusers are administrators.
        return [r for r in Role.values if user.has_role(r)]


class InboxItemSerializer(serializers.Serializer):
    module = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()
    status_label = serializers.CharField()
    url = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    waiting_for = serializers.CharField()

    def get_is_overdue(self, item) -> bool:
        return item.due_at is not None and item.due_at < self.context.get("now", timezone.now())


class InboxSerializer(serializers.Serializer):
    overdue_count = serializers.IntegerField()
    items = InboxItemSerializer(many=True)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
