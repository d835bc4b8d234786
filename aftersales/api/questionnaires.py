"""VIS-1 API: questionnaires and their versions, for the quality department (403 for anyone else).

GET the list and one questionnaire with its versions and questions; POST a new version (published
at once unless ``publish`` is false); PUT a version's questions (edited in place when no visit
used it, else saved as the next version: ``created`` says which); POST publish a version.
"""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qsm.api import drf as serializers
from qsm.api.fields import enum_field
from qsm.api.mixins import UserLanguageMixin, cursor_pagination

from ..models import Question, Questionnaire, QuestionnaireVersion, Visit
from ..services import questionnaires as services

VERSION = OpenApiParameter("version", OpenApiTypes.INT, OpenApiParameter.PATH, description="The version number.")


class QualityDepartmentOnly(permissions.BasePermission):
    message = "Only the quality department edits questionnaires."

    def has_permission(self, request, view) -> bool:
        return services.can_edit_questionnaires(request.user)


# --- output ------------------------------------------------------------------------------------


class QuestionnaireQuestionSerializer(serializers.ModelSerializer):
    kind = enum_field("QuestionKind", Question.Kind)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Question
        fields = ["id", "position", "text", "kind", "kind_label", "choices", "required"]


class QuestionnaireVersionSerializer(serializers.ModelSerializer):
    questions = QuestionnaireQuestionSerializer(many=True, read_only=True, source="ordered_questions")
    in_use = serializers.BooleanField(read_only=True, help_text="A visit was asked with it: its questions are frozen.")
    current = serializers.SerializerMethodField(help_text="The version new visits get.")
    created_by = serializers.CharField(source="created_by.__str__", default=None, read_only=True, allow_null=True)

    class Meta:
        model = QuestionnaireVersion
        fields = ["id", "version", "published_at", "current", "in_use", "created_by", "created_at", "note",
                  "questions"]

    def get_current(self, version) -> bool:
        current = self.context.get("current_id")
        return current is not None and current == version.pk


class QuestionnaireSerializer(serializers.ModelSerializer):
    current_version = serializers.SerializerMethodField(help_text="The number of the version new visits get.")

    class Meta:
        model = Questionnaire
        fields = ["id", "name", "code", "reason", "is_active", "current_version"]

    def get_current_version(self, questionnaire) -> int | None:
        return getattr(questionnaire, "current_version", None)


class QuestionnaireDetailSerializer(QuestionnaireSerializer):
    versions = serializers.SerializerMethodField()

    class Meta(QuestionnaireSerializer.Meta):
        fields = [*QuestionnaireSerializer.Meta.fields, "versions"]

    @extend_schema_field(QuestionnaireVersionSerializer(many=True))
    def get_versions(self, questionnaire) -> list[dict]:
        versions = _versions(questionnaire)
        current = services.version_current(questionnaire)
        return QuestionnaireVersionSerializer(versions, many=True, context={"current_id": current.pk if current else None}).data


def _versions(questionnaire):
    used = Visit.objects.filter(questionnaire_version=OuterRef("pk"))
    return list(QuestionnaireVersion.objects.filter(questionnaire=questionnaire)
                .annotate(in_use=Exists(used)).select_related("created_by")
                .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("position", "pk"),
                                           to_attr="ordered_questions"))
                .order_by("-version"))


class QuestionnaireVersionSavedSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text="True when a new version was made (the old one was in use).")
    version = QuestionnaireVersionSerializer()


# --- input -------------------------------------------------------------------------------------


class QuestionnaireQuestionInputSerializer(serializers.Serializer):
    position = serializers.IntegerField(min_value=1, max_value=999)
    text = serializers.CharField(max_length=300)
    kind = enum_field("QuestionKind", Question.Kind)
    choices = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list,
                                    max_length=services.MAX_CHOICES)
    required = serializers.BooleanField(default=True)


class QuestionnaireQuestionsInputSerializer(serializers.Serializer):
    questions = QuestionnaireQuestionInputSerializer(many=True, allow_empty=False, max_length=services.MAX_QUESTIONS)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class QuestionnaireNewVersionSerializer(QuestionnaireQuestionsInputSerializer):
    publish = serializers.BooleanField(default=True, help_text="False: a draft, published later.")



@extend_schema_view(
    list=extend_schema(summary="List questionnaires (quality department)"),
    retrieve=extend_schema(responses=QuestionnaireDetailSerializer,
                           summary="Get a questionnaire with its versions and questions"),
)
@extend_schema(tags=["aftersales"])
class QuestionnaireViewSet(UserLanguageMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """VIS-1: versioned questionnaires; a visit keeps the version it was asked with."""

    queryset = Questionnaire.objects.none()  # for the schema
    serializer_class = QuestionnaireSerializer
    permission_classes = [permissions.IsAuthenticated, QualityDepartmentOnly]
    pagination_class = cursor_pagination("id")
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        current = (QuestionnaireVersion.objects.filter(questionnaire=OuterRef("pk"), published_at__isnull=False)
                   .order_by("-version").values("version")[:1])
        return Questionnaire.objects.annotate(current_version=Subquery(current))

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        return Response(QuestionnaireDetailSerializer(self.get_object()).data)

    def _version(self, pk, version) -> QuestionnaireVersion:
        questionnaire = self.get_object()
        return get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire"),
                                 questionnaire=questionnaire, version=version)

    def _version_data(self, version: QuestionnaireVersion) -> dict:
        row = next(v for v in _versions(version.questionnaire) if v.pk == version.pk)
        current = services.version_current(version.questionnaire)
        return QuestionnaireVersionSerializer(row, context={"current_id": current.pk if current else None}).data

    @extend_schema(request=QuestionnaireNewVersionSerializer, responses={201: QuestionnaireVersionSerializer},
                   summary="Make a new version of a questionnaire",
                   description="The next version number with these questions; published at once (new visits "
                               "get it) unless `publish` is false.")
    @action(detail=True, methods=["post"], url_path="versions")
    def versions(self, request, pk=None):
        questionnaire = self.get_object()
        params = QuestionnaireNewVersionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        version = services.version_create(questionnaire=questionnaire, actor=request.user,
                                          questions=[dict(q) for q in data["questions"]], publish=data["publish"],
                                          note=data["note"])
        return Response(self._version_data(version), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[VERSION], request=QuestionnaireQuestionsInputSerializer,
                   responses={200: QuestionnaireVersionSavedSerializer, 201: QuestionnaireVersionSavedSerializer},
                   summary="Save the questions of a version",
                   description="Edited in place when no visit used the version; otherwise saved as the next "
                               "version, published (`created` is true).")
    @action(detail=True, methods=["put"], url_path=r"versions/(?P<version>\d+)")
    def version_save(self, request, pk=None, version=None):
        target = self._version(pk, int(version))
        params = QuestionnaireQuestionsInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        saved, created = services.version_save(version=target, actor=request.user,
                                               questions=[dict(q) for q in data["questions"]], note=data["note"])
        return Response({"created": created, "version": self._version_data(saved)},
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(parameters=[VERSION], request=None, responses=QuestionnaireVersionSerializer,
                   summary="Publish a version: new visits get it")
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<version>\d+)/publish")
    def version_publish(self, request, pk=None, version=None):
        target = self._version(pk, int(version))
        services.version_publish(version=target, actor=request.user)
        return Response(self._version_data(target))
