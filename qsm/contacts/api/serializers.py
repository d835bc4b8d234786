"""Shared serializers of the customer contact log.

A module's log endpoint subclasses ``ContactEntrySerializer`` and chooses its published fields
(the inquiry's communication log and the order's progress notes keep the shapes they had)."""
from __future__ import annotations

from qsm.api import drf as serializers
from qsm.api.fields import LabelField, enum_field
from qsm.contacts.models import Channel, ContactEntry


class ContactEntrySerializer(serializers.ModelSerializer):
    kind = enum_field("ContactKind", ContactEntry.Kind, read_only=True)
    kind_label = LabelField("kind")
    channel = enum_field("Channel", Channel, read_only=True)
    channel_label = LabelField("channel")
    direction = enum_field("ContactDirection", ContactEntry.Direction, read_only=True)
    direction_label = LabelField("direction")
    recorded_by_name = serializers.StringRelatedField(source="recorded_by", read_only=True)
    answered_by_name = serializers.StringRelatedField(source="answered_by", read_only=True)

    class Meta:
        model = ContactEntry
        fields = ["id", "kind", "kind_label", "channel", "channel_label", "direction", "direction_label", "summary",
                  "occurred_at", "recorded_by", "recorded_by_name", "created_at", "answer", "answered_at",
                  "answered_by", "answered_by_name"]
        read_only_fields = fields


class ContactCreateSerializer(serializers.Serializer):
    channel = enum_field("Channel", Channel)
    summary = serializers.CleanCharField(allow_blank=True)
    occurred_at = serializers.BoundedDateTimeField(past=True, required=False, allow_null=True, default=None)


class ContactAnswerSerializer(serializers.Serializer):
    answer = serializers.CleanCharField(allow_blank=True)


# The contact log of an after-sales case and of a complaint: one shape. The names are the ones the
# case published first; they are the schema's component names (API-2), so they stay.
class CaseContactSerializer(ContactEntrySerializer):
    """An entry of the case's contact log (the core contact log, its published shape)."""

    direction = enum_field("CommunicationDirection", ContactEntry.Direction, read_only=True)


class CaseContactCreateSerializer(ContactCreateSerializer):
    kind = enum_field("ContactKind", ContactEntry.Kind, default=ContactEntry.Kind.COMMUNICATION)
    direction = enum_field("CommunicationDirection", ContactEntry.Direction, required=False, allow_null=True,
                           default=None,
                           help_text="For a communication; an update goes out, a question comes in.")
