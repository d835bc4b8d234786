"""QC-5 API serializers: inputs are plain serializers (types only; the services decide), outputs are
model serializers with names and translated labels."""
from __future__ import annotations

from decimal import Decimal

from django.urls import NoReverseMatch, reverse

from qsm.api import drf as serializers
from qsm.api.fields import LabelField, enum_field
from qsm.api.serializers import AvailableActionSerializer
from qsm.org.models import Department, User

from ...standards.models import Standard
from ..models import Attendance, Topic, TrainingPlan, TrainingSession
from ..workflows import SESSION_WORKFLOW, TRAINING_PLAN_WORKFLOW


def _actions(workflow, record, request, basename: str) -> list[dict]:
    if request is None:
        return []
    rows = []
    for t in workflow.available(record, request.user):
        try:
            url = reverse(f"{basename}-{t.action.replace('_', '-')}", args=[record.pk])
        except NoReverseMatch:
            url = ""
        rows.append({"action": t.action, "label": str(t.label), "comment_required": t.comment_required,
                     "style": t.style, "url": url})
    return rows


class TrainingPlanSerializer(serializers.ModelSerializer):
    status = enum_field("TrainingPlanStatus", TrainingPlan.Status, read_only=True)
    status_label = LabelField("status")
    topics = serializers.ListField(child=enum_field("TrainingTopic", Topic), read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)

    class Meta:
        model = TrainingPlan
        fields = ["id", "number", "title", "department", "department_name", "period_start", "period_end",
                  "target_hours", "topics", "owner", "owner_name", "status", "status_label", "created_at",
                  "updated_at"]
        read_only_fields = fields


class CompletionSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person.pk")
    person_name = serializers.CharField(source="person.__str__")
    hours = serializers.DecimalField(max_digits=8, decimal_places=1)
    sessions = serializers.IntegerField()
    target = serializers.DecimalField(max_digits=8, decimal_places=1)
    percent = serializers.IntegerField()
    done = serializers.BooleanField()


class TrainingPlanDetailSerializer(TrainingPlanSerializer):
    notes = serializers.CharField(read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta(TrainingPlanSerializer.Meta):
        fields = [*TrainingPlanSerializer.Meta.fields, "notes", "available_actions"]
        read_only_fields = fields

    def get_available_actions(self, plan) -> list[dict]:
        return AvailableActionSerializer(
            _actions(TRAINING_PLAN_WORKFLOW, plan, self.context.get("request"), "api-training-plan"), many=True).data


class TrainingPlanCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    target_hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=Decimal("0.5"),
                                            max_value=Decimal("2000"))
    topics = serializers.ListField(child=enum_field("TrainingTopic", Topic), required=False, default=list,
                                   max_length=10)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class TrainingPlanUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    target_hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=Decimal("0.5"),
                                            max_value=Decimal("2000"), required=False)
    topics = serializers.ListField(child=enum_field("TrainingTopic", Topic), required=False, max_length=10)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class TrainingSessionSerializer(serializers.ModelSerializer):
    status = enum_field("TrainingSessionStatus", TrainingSession.Status, read_only=True)
    status_label = LabelField("status")
    topic = enum_field("TrainingTopic", Topic, read_only=True)
    topic_label = LabelField("topic")
    department_name = serializers.CharField(source="department.name", read_only=True)
    plan_number = serializers.CharField(source="plan.number", read_only=True)
    trainer_display = serializers.CharField(read_only=True)

    class Meta:
        model = TrainingSession
        fields = ["id", "number", "plan", "plan_number", "title", "topic", "topic_label", "trainer", "trainer_name",
                  "trainer_display", "starts_at", "ends_at", "hours", "place", "department", "department_name",
                  "status", "status_label", "held_at", "created_at"]
        read_only_fields = fields


class AttendanceSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.__str__", read_only=True)
    department_name = serializers.CharField(source="person.department.name", read_only=True, default=None)

    class Meta:
        model = Attendance
        fields = ["id", "person", "person_name", "department_name", "attended", "score", "comment", "recorded_at"]
        read_only_fields = fields


class TrainingSessionDetailSerializer(TrainingSessionSerializer):
    standards = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    attendances = AttendanceSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta(TrainingSessionSerializer.Meta):
        fields = [*TrainingSessionSerializer.Meta.fields, "notes", "cancel_reason", "standards", "attendances",
                  "available_actions"]
        read_only_fields = fields

    def get_available_actions(self, session) -> list[dict]:
        return AvailableActionSerializer(
            _actions(SESSION_WORKFLOW, session, self.context.get("request"), "api-training-session"), many=True).data


class TrainingSessionCreateSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, help_text="The training plan (one the user may see).")
    title = serializers.CharField(max_length=200)
    topic = enum_field("TrainingTopic", Topic)
    trainer = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                                 allow_null=True, default=None)
    trainer_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal("0.5"),
                                     max_value=Decimal("200"), required=False, allow_null=True, default=None)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    standards = serializers.PrimaryKeyRelatedField(queryset=Standard.objects.all(), many=True, required=False,
                                                   default=list)
    attendees = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True,
                                                   required=False, allow_null=True, default=None,
                                                   help_text="Default: the department's active members.")


class TrainingSessionUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    topic = enum_field("TrainingTopic", Topic, required=False)
    trainer = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                                 allow_null=True)
    trainer_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal("0.5"),
                                     max_value=Decimal("200"), required=False)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    standards = serializers.PrimaryKeyRelatedField(queryset=Standard.objects.all(), many=True, required=False)


class AttendeesSerializer(serializers.Serializer):
    people = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True,
                                                allow_empty=False)


class AttendanceRowSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    attended = serializers.BooleanField(allow_null=True)
    score = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=Decimal("0"), max_value=Decimal("100"),
                                     required=False, allow_null=True, default=None)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AttendanceInputSerializer(serializers.Serializer):
    rows = AttendanceRowSerializer(many=True, allow_empty=False, max_length=500)


class ScoreImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The filled sign-in sheet (.xlsx) of this session.")


class PersonRecordSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person.pk")
    person_name = serializers.CharField(source="person.__str__")
    hours = serializers.DecimalField(max_digits=8, decimal_places=1, source="summary.hours")
    sessions = serializers.IntegerField(source="summary.sessions")
    average_score = serializers.DecimalField(max_digits=5, decimal_places=1, source="summary.average", allow_null=True)
    attendances = serializers.SerializerMethodField()
    plans = serializers.SerializerMethodField()

    def get_attendances(self, data) -> list[dict]:
        return [{"session": a.session.pk, "number": a.session.number, "title": a.session.title,
                 "starts_at": a.session.starts_at, "hours": a.session.hours, "session_status": a.session.status,
                 "attended": a.attended, "score": a.score} for a in data["attendances"]]

    def get_plans(self, data) -> list[dict]:
        return [{"plan": r["plan"].pk, "number": r["plan"].number, "title": r["plan"].title,
                 "hours": r["completion"].hours, "target": r["completion"].target,
                 "percent": r["completion"].percent} for r in data["plans"]]
