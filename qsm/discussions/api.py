"""The published shape of a record's discussion (WF-3): who opened it, who is invited, its notes.
After-sales cases and complaints show the same discussion; the class names keep the schema's
component names (CaseDiscussion, CaseDiscussionNote) that clients already use."""
from __future__ import annotations

from qsm.api import drf as serializers
from qsm.api.serializers import NamedSerializer

from .models import Discussion, DiscussionNote


class CaseDiscussionNoteSerializer(serializers.ModelSerializer):
    author_name = serializers.StringRelatedField(source="author", read_only=True)

    class Meta:
        model = DiscussionNote
        fields = ["id", "author", "author_name", "meeting_at", "body", "created_at"]
        read_only_fields = fields


class CaseDiscussionSerializer(serializers.ModelSerializer):
    opened_by_name = serializers.StringRelatedField(source="opened_by", read_only=True)
    invited_departments = NamedSerializer(many=True, read_only=True, source="loaded_departments")
    invited_users = NamedSerializer(many=True, read_only=True, source="loaded_users")
    notes = CaseDiscussionNoteSerializer(many=True, read_only=True, source="loaded_notes")

    class Meta:
        model = Discussion
        fields = ["id", "topic", "opened_by", "opened_by_name", "opened_at", "invited_departments", "invited_users",
                  "notes"]
        read_only_fields = fields
