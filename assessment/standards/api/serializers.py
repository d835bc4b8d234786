"""QC-1 API serializers: inputs are plain serializers (types only; the services decide), outputs model
serializers with names and translated labels."""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from qsm.api import drf as serializers
from qsm.api.fields import LabelField, enum_field
from qsm.api.serializers import AvailableActionSerializer, DepartmentBriefSerializer
from qsm.org.models import Department, User

from ...choices import Module
from ..models import SUMMARY_MAX, TEXT_MAX, Standard, StandardVersion
from ..workflows import VERSION_WORKFLOW


def _action_url(action: str, version: StandardVersion) -> str:
    try:
        return reverse(f"api-standard-version-{action}", args=[version.pk])
    except NoReverseMatch:
        return ""


class StandardVersionBriefSerializer(serializers.ModelSerializer):
    status = enum_field("StandardVersionStatus", StandardVersion.Status, read_only=True)
    status_label = LabelField("status")

    class Meta:
        model = StandardVersion
        fields = ["id", "version", "status", "status_label", "title", "effective_on", "review_on", "approved_at"]
        read_only_fields = fields


class StandardVersionRowSerializer(StandardVersionBriefSerializer):
    """A row of the version list (the quality manager's queue: versions in review)."""

    standard = serializers.PrimaryKeyRelatedField(read_only=True)
    standard_number = serializers.CharField(source="standard.number", read_only=True)
    author_name = serializers.StringRelatedField(source="author", read_only=True)

    class Meta(StandardVersionBriefSerializer.Meta):
        fields = [*StandardVersionBriefSerializer.Meta.fields, "standard", "standard_number", "author",
                  "author_name", "submitted_at", "due_at"]
        read_only_fields = fields


class StandardSerializer(serializers.ModelSerializer):
    """A row of the standard list."""

    kind = enum_field("StandardKind", Standard.Kind, read_only=True)
    kind_label = LabelField("kind")
    modules = serializers.ListField(child=enum_field("QualityModule", Module), read_only=True)
    departments = serializers.SerializerMethodField()
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)
    current_version = StandardVersionBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Standard
        fields = ["id", "number", "title", "kind", "kind_label", "modules", "departments", "owner", "owner_name",
                  "current_version", "next_review_on", "retired", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(DepartmentBriefSerializer(many=True))
    def get_departments(self, standard: Standard) -> list[dict]:
        departments = getattr(standard, "loaded_departments", None)
        if departments is None:
            departments = list(standard.departments.all())
        return DepartmentBriefSerializer(departments, many=True).data


class StandardVersionSerializer(StandardVersionRowSerializer):
    """One version with its text (a superseded one too: it stays readable)."""

    approved_by_name = serializers.StringRelatedField(source="approved_by", read_only=True, allow_null=True)
    available_actions = serializers.SerializerMethodField()

    class Meta(StandardVersionRowSerializer.Meta):
        fields = [*StandardVersionRowSerializer.Meta.fields, "process", "content", "requirements", "change_summary",
                  "return_reason", "approved_by", "approved_by_name", "effective_at", "superseded_at",
                  "available_actions"]
        read_only_fields = fields

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, version: StandardVersion) -> list[dict]:
        request = self.context.get("request")
        if request is None:
            return []
        return [{"action": t.action, "label": str(t.label), "comment_required": t.comment_required,
                 "style": t.style, "url": _action_url(t.action, version)}
                for t in VERSION_WORKFLOW.available(version, request.user)]


class StandardDetailSerializer(StandardSerializer):
    """One standard with the versions the user may see, newest first."""

    versions = serializers.SerializerMethodField()

    class Meta(StandardSerializer.Meta):
        fields = [*StandardSerializer.Meta.fields, "versions"]
        read_only_fields = fields

    @extend_schema_field(StandardVersionBriefSerializer(many=True))
    def get_versions(self, standard: Standard) -> list[dict]:
        from ..selectors import versions_of

        request = self.context.get("request")
        return StandardVersionBriefSerializer(versions_of(standard, user=request.user), many=True).data


# --- input ------------------------------------------------------------------------------------------

_people = User.objects.filter(is_active=True)
_departments = Department.objects.filter(is_active=True)


class StandardCardSerializer(serializers.Serializer):
    title = serializers.CleanCharField(multiline=False, max_length=200)
    kind = enum_field("StandardKind", Standard.Kind)
    modules = serializers.ListField(child=enum_field("QualityModule", Module), required=False, default=list,
                                    max_length=len(Module.values))
    departments = serializers.PrimaryKeyRelatedField(queryset=_departments, many=True, required=False, default=list,
                                                     help_text="None: every department.")
    owner = serializers.PrimaryKeyRelatedField(queryset=_people)


class VersionFieldsSerializer(serializers.Serializer):
    """A draft's text and dates (in a PATCH only those given change)."""

    title = serializers.CleanCharField(multiline=False, max_length=200, required=False)
    process = serializers.CleanCharField(multiline=True, max_length=TEXT_MAX, required=False, allow_blank=True)
    content = serializers.CleanCharField(multiline=True, max_length=TEXT_MAX, required=False, allow_blank=True)
    requirements = serializers.CleanCharField(multiline=True, max_length=TEXT_MAX, required=False, allow_blank=True)
    change_summary = serializers.CleanCharField(multiline=True, max_length=SUMMARY_MAX, required=False,
                                                allow_blank=True)
    effective_on = serializers.BoundedDateField(required=False, allow_null=True)
    review_on = serializers.BoundedDateField(required=False, allow_null=True)

    def validate(self, attrs):
        unknown = set(getattr(self, "initial_data", {}) or {}) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({name: [_("This field cannot be edited here.")] for name in sorted(unknown)})
        return attrs


class StandardCreateSerializer(StandardCardSerializer):
    """A new standard with version 1 as a draft (its title is the standard's)."""

    process = serializers.CleanCharField(multiline=True, max_length=TEXT_MAX, required=False, allow_blank=True,
                                         default="")
    content = serializers.CleanCharField(multiline=True, max_length=TEXT_MAX, required=False, allow_blank=True,
                                         default="")
    requirements = serializers.CleanCharField(multiline=True, max_length=TEXT_MAX, required=False, allow_blank=True,
                                              default="")
    change_summary = serializers.CleanCharField(multiline=True, max_length=SUMMARY_MAX, required=False,
                                                allow_blank=True, default="")
    effective_on = serializers.BoundedDateField(required=False, allow_null=True, default=None)
    review_on = serializers.BoundedDateField(required=False, allow_null=True, default=None)
