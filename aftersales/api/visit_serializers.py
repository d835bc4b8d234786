"""VIS-1/VIS-2 API. Inputs are plain serializers (types only; the services hold the rules); outputs
say names and translated labels."""
from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from aftersales.models import PhoneAttempt, Question, Visit, VisitAnswer
from qsm.api import drf as serializers
from qsm.api.fields import LabelField, enum_field
from qsm.api.serializers import SendLinkSerializer as SendLinkSerializer  # the core's, re-exported
from qsm.followup.reasons import reason_label


class VisitSerializer(serializers.ModelSerializer):
    """A row of the visit list."""

    status = enum_field("VisitStatus", Visit.Status, read_only=True)
    status_label = LabelField("status")
    method = enum_field("VisitMethod", Visit.Method, read_only=True, blank_as_null=True)
    method_label = LabelField("method")
    recheck_status = enum_field("VisitRecheck", Visit.Recheck, read_only=True, blank_as_null=True)
    recheck_status_label = LabelField("recheck_status")
    reason_label = serializers.SerializerMethodField()
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    owner_name = serializers.StringRelatedField(source="owner", read_only=True, allow_null=True)
    subject_type = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "number", "reason", "reason_label", "status", "status_label", "method", "method_label",
                  "customer", "customer_name", "department", "department_name", "owner", "owner_name",
                  "subject_type", "object_id", "planned_for", "satisfaction", "recheck_status",
                  "recheck_status_label", "phone_attempts", "done_at", "due_at", "is_overdue", "created_at"]
        read_only_fields = fields

    def get_reason_label(self, visit: Visit) -> str:
        return reason_label(visit.reason)

    def get_subject_type(self, visit: Visit) -> str:
        return f"{visit.content_type.app_label}.{visit.content_type.model}"

    def get_is_overdue(self, visit: Visit) -> bool:
        if "now" not in self.context:
            self.context["now"] = timezone.now()
        return visit.is_open and visit.due_at is not None and visit.due_at < self.context["now"]


class QuestionSerializer(serializers.ModelSerializer):
    kind = enum_field("QuestionKind", Question.Kind, read_only=True)

    class Meta:
        model = Question
        fields = ["id", "position", "text", "kind", "choices", "required"]
        read_only_fields = fields


class VisitAnswerSerializer(serializers.ModelSerializer):
    question_text = serializers.CharField(source="question.text", read_only=True)

    class Meta:
        model = VisitAnswer
        fields = ["question", "question_text", "score", "choice", "text"]
        read_only_fields = fields


class PhoneAttemptSerializer(serializers.ModelSerializer):
    outcome = enum_field("PhoneAttemptOutcome", PhoneAttempt.Outcome, read_only=True)
    outcome_label = LabelField("outcome")
    by_name = serializers.StringRelatedField(source="by", read_only=True)

    class Meta:
        model = PhoneAttempt
        fields = ["id", "attempted_at", "outcome", "outcome_label", "note", "by", "by_name"]
        read_only_fields = fields


class _LinkInfoSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    contact_name = serializers.CharField()


class _CaseBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class VisitDetailSerializer(VisitSerializer):
    """A visit with its questions (of ITS version), answers, calls and authenticity (VIS-2)."""

    questionnaire = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()
    answers = VisitAnswerSerializer(many=True, read_only=True)
    attempts = PhoneAttemptSerializer(many=True, read_only=True)
    done_by_name = serializers.StringRelatedField(source="done_by", read_only=True, allow_null=True)
    link = serializers.SerializerMethodField()
    recheck_requested_by_name = serializers.StringRelatedField(source="recheck_requested_by", read_only=True,
                                                               allow_null=True)
    rechecked_by_name = serializers.StringRelatedField(source="rechecked_by", read_only=True, allow_null=True)
    opened_cases = serializers.SerializerMethodField()
    link_offered = serializers.SerializerMethodField()

    class Meta(VisitSerializer.Meta):
        fields = [*VisitSerializer.Meta.fields, "questionnaire", "questions", "answers", "comments", "suggestions",
                  "called_at", "call_seconds", "attempts", "link_offered", "done_by", "done_by_name", "link",
                  "answer_ip", "answer_user_agent", "recheck_requested_by", "recheck_requested_by_name",
                  "recheck_requested_at", "recheck_note", "rechecked_by", "rechecked_by_name", "rechecked_at",
                  "opened_cases", "updated_at"]
        read_only_fields = fields

    def get_questionnaire(self, visit: Visit) -> str:
        return str(visit.questionnaire_version) if visit.questionnaire_version_id else ""

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, visit: Visit):
        version = visit.questionnaire_version
        return QuestionSerializer(version.questions.all() if version else [], many=True).data

    @extend_schema_field(_LinkInfoSerializer(allow_null=True))
    def get_link(self, visit: Visit):
        return _LinkInfoSerializer(visit.link).data if visit.link_id else None

    @extend_schema_field(_CaseBriefSerializer(many=True))
    def get_opened_cases(self, visit: Visit):
        return [{"id": c.pk, "number": c.number} for c in visit.opened_cases.order_by("pk")]

    def get_link_offered(self, visit: Visit) -> bool:
        from aftersales.services.visits import link_offered

        return visit.is_open and link_offered(visit)


# --- input ----------------------------------------------------------------------------------------


class AnswerInputSerializer(serializers.Serializer):
    question = serializers.IntegerField(help_text="A question of the visit's questionnaire version.")
    value = serializers.CharField(allow_blank=True, max_length=2000,
                                  help_text="A score 1-5, one of the question's choices, or a text.")


class VisitRecordSerializer(serializers.Serializer):
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)
    answers = AnswerInputSerializer(many=True, required=False, default=list)
    comments = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    suggestions = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    called_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    call_seconds = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0,
                                            max_value=4 * 3600)


class PhoneAttemptCreateSerializer(serializers.Serializer):
    outcome = enum_field("PhoneAttemptOutcome", PhoneAttempt.Outcome)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class SentLinkSerializer(serializers.Serializer):
    """The link just issued: its address and the text to copy are shown once (only a hash is stored)."""

    url = serializers.CharField()
    text = serializers.CharField()
    qr_png = serializers.CharField()
    expires_at = serializers.DateTimeField()
    visit = VisitDetailSerializer()


class RecheckRequestSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RecheckSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=[Visit.Recheck.CONFIRMED, Visit.Recheck.DISCREPANCY])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class OpenedCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    created = serializers.BooleanField()
