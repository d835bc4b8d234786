"""ADMIN-1 for after-sales: the reference data an administrator maintains (cause taxonomy, routing
rules, questionnaires with their versions and questions, visit rules), and read-mostly cases and
visits. Cases and visits change only through their services and workflow tables (WF-1, WF-2):
here they are shown, never added, changed or deleted.

A questionnaire version already asked in a visit is frozen: its questions are read-only here
(a change makes a new version), so a visit always shows the questions it was asked.
"""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from qsm.followup.reasons import reason_label
from qsm.workflow.admin import ShownInline, ViewOnlyAdmin

from .models import (
    Case,
    CauseCategory,
    PhoneAttempt,
    PlanStep,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    RoutingRule,
    SpecialPlan,
    Visit,
    VisitAnswer,
    VisitRule,
)

# --- reference data ---------------------------------------------------------------------------------

class CauseChildInline(admin.TabularInline):
    model = CauseCategory
    fk_name = "parent"
    extra = 1
    fields = ["name", "code", "position", "is_active"]
    verbose_name = _("sub-cause")
    verbose_name_plural = _("sub-causes")


@admin.register(CauseCategory)
class CauseCategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "code", "position", "is_active"]
    list_filter = ["is_active", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    ordering = ["parent__position", "position", "id"]

    def get_inlines(self, request, obj):
        # Two levels: only a top-level cause has sub-causes.
        return [CauseChildInline] if obj is None or obj.parent_id is None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = CauseCategory.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # cases point at it: deactivate instead


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["position", "product_line", "case_type_name", "severity", "department", "default_owner",
                    "is_active"]
    list_display_links = ["position", "product_line"]
    list_filter = ["is_active", "severity", "department"]
    list_select_related = ["department", "default_owner"]
    fields = ["product_line", "case_type", "severity", "department", "default_owner", "position", "is_active"]
    autocomplete_fields = ["default_owner"]

    @admin.display(description=_("case type"), ordering="case_type")
    def case_type_name(self, obj: RoutingRule) -> str:
        return str(dict(Case.Type.choices).get(obj.case_type, obj.case_type)) if obj.case_type else str(_("Any"))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "case_type":
            from django import forms

            return forms.ChoiceField(label=_("case type"), choices=[("", _("Any")), *Case.Type.choices],
                                     required=False)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 1
    fields = ["position", "text", "kind", "choices", "required"]

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.is_frozen

    def get_readonly_fields(self, request, obj=None):
        return self.fields if self._frozen(obj) else []

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    list_display = ["questionnaire", "version", "published_at", "note", "created_at"]
    list_filter = ["questionnaire"]
    list_select_related = ["questionnaire"]
    fields = ["questionnaire", "version", "published_at", "note"]
    inlines = [QuestionInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return ["questionnaire", "version", "published_at"]
        return []

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_frozen


class VersionInline(admin.TabularInline):
    model = QuestionnaireVersion
    extra = 0
    fields = ["version", "published_at", "note"]
    show_change_link = True  # the questions are edited on the version's page

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "reason_name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    fields = ["name", "code", "reason", "is_active"]
    inlines = [VersionInline]

    @admin.display(description=_("follow-up reason"), ordering="reason")
    def reason_name(self, obj: Questionnaire) -> str:
        return reason_label(obj.reason) if obj.reason else str(_("Any"))

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VisitRule)
class VisitRuleAdmin(admin.ModelAdmin):
    list_display = ["reason_name", "due_days", "questionnaire", "link_ttl_days", "is_active"]
    list_editable = ["due_days", "link_ttl_days", "is_active"]
    list_display_links = ["reason_name"]
    list_select_related = ["questionnaire"]
    fields = ["reason", "due_days", "questionnaire", "link_ttl_days", "is_active"]

    @admin.display(description=_("follow-up reason"), ordering="reason")
    def reason_name(self, obj: VisitRule) -> str:
        return reason_label(obj.reason)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "reason":
            from django import forms

            from qsm.followup.reasons import reasons

            choices = [(code, str(label)) for code, label in reasons().items()]
            return forms.ChoiceField(label=_("follow-up reason"), choices=choices)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# --- cases and visits (read-only) -------------------------------------------------------------------

class PlanStepInline(ShownInline):
    model = PlanStep
    fields = ["position", "description", "owner", "due_date", "status", "done_at", "done_by"]


@admin.register(SpecialPlan)
class SpecialPlanAdmin(ViewOnlyAdmin):
    list_display = ["case", "title", "status", "created_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["case__number", "title"]
    list_select_related = ["case", "created_by"]
    inlines = [PlanStepInline]
    show_full_result_count = False


@admin.register(Case)
class CaseAdmin(ViewOnlyAdmin):
    list_display = ["number", "received_at", "customer", "case_type", "severity", "status", "department", "owner",
                    "due_at"]
    list_filter = ["status", "case_type", "severity", "department"]
    search_fields = ["number", "customer__name", "subject"]
    list_select_related = ["customer", "department", "owner"]
    show_full_result_count = False  # no COUNT(*) over the whole table on every page (STYLE.md 6)


class VisitAnswerInline(ShownInline):
    model = VisitAnswer
    fields = ["question", "score", "choice", "text"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")


class PhoneAttemptInline(ShownInline):
    model = PhoneAttempt
    fields = ["attempted_at", "outcome", "note", "by"]


@admin.register(Visit)
class VisitAdmin(ViewOnlyAdmin):
    list_display = ["number", "planned_for", "customer", "reason_name", "status", "method", "satisfaction",
                    "department", "owner", "recheck_status"]
    list_filter = ["status", "method", "satisfaction", "recheck_status", "department"]
    search_fields = ["number", "customer__name"]
    list_select_related = ["customer", "department", "owner"]
    inlines = [VisitAnswerInline, PhoneAttemptInline]
    show_full_result_count = False
    fields = ["number", "reason_name", "customer", "department", "owner", "status", "method", "planned_for",
              "questionnaire_version", "satisfaction", "comments", "suggestions", "done_at", "done_by", "called_at",
              "call_seconds", "phone_attempts", "link", "answer_ip", "answer_user_agent", "recheck_status",
              "recheck_requested_by", "recheck_requested_at", "recheck_note", "rechecked_by", "rechecked_at", "due_at",
              "created_at", "updated_at"]
    readonly_fields = fields

    @admin.display(description=_("reason"), ordering="reason")
    def reason_name(self, obj: Visit) -> str:
        return reason_label(obj.reason)
