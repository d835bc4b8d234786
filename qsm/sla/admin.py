from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from qsm.contacts.models import Channel
from qsm.workflow.admin import ViewOnlyAdmin

from .labels import _clock_catalogue, category_choices, category_label, record_type_label, stage_label
from .models import CalendarDay, Deadline, SlaPolicy, WorkCalendar
from .services import calendar_day_delete, calendar_day_save

# --- readable labels for the codes the SLA tables store (ADMIN-1: a Chinese administrator reads
# 咨询 · 首次响应 · 电话 and 周一至周五, never presales.inquiry · first_response · phone · 12345) ---

WEEKDAYS = [
    ("1", pgettext_lazy("weekday", "Mon")), ("2", pgettext_lazy("weekday", "Tue")),
    ("3", pgettext_lazy("weekday", "Wed")), ("4", pgettext_lazy("weekday", "Thu")),
    ("5", pgettext_lazy("weekday", "Fri")), ("6", pgettext_lazy("weekday", "Sat")),
    ("7", pgettext_lazy("weekday", "Sun")),
]


def weekdays_label(value: str) -> str:
    """"12345" -> 周一至周五, "1357" -> 周一、周三、周五、周日, "1234567" -> 每天."""
    days = sorted({int(c) for c in value or "" if c in "1234567"})
    if not days:
        return pgettext("weekdays", "none")
    if len(days) == 7:
        return pgettext("weekdays", "every day")
    names = dict(WEEKDAYS)
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return pgettext("weekdays", "%(first)s to %(last)s") % {"first": names[str(days[0])],
                                                                "last": names[str(days[-1])]}
    return pgettext("list separator", ", ").join(str(names[str(d)]) for d in days)


def channel_label(channel: str) -> str:
    return str(dict(Channel.choices).get(channel, channel)) if channel else str(_("Any channel"))


def _record_type_choices(current: str = "") -> list[tuple[str, str]]:
    choices = [(rt, name) for rt, (name, stages) in _clock_catalogue().items() if stages]
    if current and current not in dict(choices):
        choices.append((current, current))
    return choices


def _stage_choices(current: str = "") -> list[tuple[str, str]]:
    choices = [(stage, f"{label}（{name}）") for name, stages in _clock_catalogue().values()
               for stage, label in stages.items()]
    if current and current not in dict(choices):
        choices.append((current, current))
    return choices


class _CodeFilter(admin.SimpleListFilter):
    """A list filter over a code column that offers the declared codes by their readable names
    (from the workflows' clocks: no query over a big table)."""

    def choices_for(self) -> list[tuple[str, str]]:  # pragma: no cover - each filter says
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return sorted(self.choices_for(), key=lambda pair: str(pair[1]))

    def queryset(self, request, queryset):
        return queryset.filter(**{self.parameter_name: self.value()}) if self.value() is not None else queryset


class RecordTypeFilter(_CodeFilter):
    title = _("record type")
    parameter_name = "record_type"

    def choices_for(self):
        return _record_type_choices()


class PolicyStageFilter(_CodeFilter):
    title = _("stage")
    parameter_name = "stage"

    def choices_for(self):
        return _stage_choices()


class WeekdaysField(forms.MultipleChoiceField):
    """The ISO weekdays as seven check boxes, stored as "12345"."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=WEEKDAYS, **kwargs)

    def to_python(self, value):
        # a list of check boxes, or the stored string ("12345") posted as one value
        return sorted({c for v in super().to_python(value) for c in str(v)})

    def prepare_value(self, value):
        return list(value) if isinstance(value, str) else value


class WorkCalendarForm(forms.ModelForm):
    weekdays = WeekdaysField(label=_("working weekdays"))

    class Meta:
        model = WorkCalendar
        fields = ["name", "is_default", "work_start", "lunch_start", "lunch_end", "work_end", "weekdays"]

    def clean_weekdays(self):
        return "".join(self.cleaned_data["weekdays"])


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = ["name", "record_type", "stage", "channel", "priority", "category", "working_minutes",
                  "remind_at_percent", "calendar", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        record_type = self.initial.get("record_type", "") if self.instance.pk else ""
        stage = self.initial.get("stage", "") if self.instance.pk else ""
        channel = self.initial.get("channel", "") if self.instance.pk else ""
        channels = [("", _("Any channel")), *Channel.choices]
        if channel and channel not in dict(channels):
            channels.append((channel, channel))
        category = self.initial.get("category", "") if self.instance.pk else ""
        categories = [("", _("Any category")), *category_choices()]
        if category and category not in dict(categories):
            categories.append((category, category))
        replacements = {
            "record_type": forms.ChoiceField(label=_("record type"), choices=_record_type_choices(record_type)),
            "stage": forms.ChoiceField(label=_("stage"), choices=_stage_choices(stage)),
            "channel": forms.ChoiceField(label=_("channel"), choices=channels, required=False),
            "category": forms.ChoiceField(label=_("category"), choices=categories, required=False,
                                          help_text=_("Empty: any category")),
        }
        for name, field in replacements.items():
            if name in self.fields:  # a form of some of the fields (list_editable) keeps its own
                self.fields[name] = field


def _old_date(obj: CalendarDay):
    if obj.pk is None:
        return None
    return CalendarDay.objects.filter(pk=obj.pk).values_list("date", flat=True).first()


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 1
    fields = ["date", "kind", "name", "source"]
    readonly_fields = ["source"]  # a day saved here is entered by hand (calendar_day_save)


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    form = WorkCalendarForm
    list_display = ["name", "is_default", "work_start", "lunch_start", "lunch_end", "work_end", "working_weekdays"]
    inlines = [CalendarDayInline]

    @admin.display(description=_("working weekdays"), ordering="weekdays")
    def working_weekdays(self, obj: WorkCalendar) -> str:
        return weekdays_label(obj.weekdays)

    def save_formset(self, request, form, formset, change):
        """Days edited inline move the running clocks too (SLA-1), through the same services."""
        if formset.model is not CalendarDay:
            return super().save_formset(request, form, formset, change)
        for day in formset.save(commit=False):
            calendar_day_save(day=day, old_date=_old_date(day), actor=request.user)
        for day in formset.deleted_objects:
            calendar_day_delete(day=day, actor=request.user)
        formset.save_m2m()


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "source", "calendar"]
    list_filter = ["source", "kind", "calendar"]
    date_hierarchy = "date"
    readonly_fields = ["source"]  # official / estimate come from a load; a day saved here is by hand

    # A holiday announced late or a make-up workday added moves the running clocks (SLA-1):
    # the admin saves through the service, which recomputes them and notes it on each record.
    def save_model(self, request, obj, form, change):
        calendar_day_save(day=obj, old_date=_old_date(obj) if change else None, actor=request.user)

    def delete_model(self, request, obj):
        calendar_day_delete(day=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for day in queryset.select_related("calendar"):
            calendar_day_delete(day=day, actor=request.user)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = ["name", "record_type_name", "stage_name", "channel_name", "priority", "category_name",
                    "working_minutes", "remind_at_percent", "is_active"]
    list_filter = [RecordTypeFilter, PolicyStageFilter, "is_active"]
    list_editable = ["working_minutes", "remind_at_percent", "is_active"]

    @admin.display(description=_("record type"), ordering="record_type")
    def record_type_name(self, obj: SlaPolicy) -> str:
        return record_type_label(obj.record_type)

    @admin.display(description=_("stage"), ordering="stage")
    def stage_name(self, obj: SlaPolicy) -> str:
        return stage_label(obj.stage, obj.record_type)

    @admin.display(description=_("channel"), ordering="channel")
    def channel_name(self, obj: SlaPolicy) -> str:
        return channel_label(obj.channel)

    @admin.display(description=_("category"), ordering="category")
    def category_name(self, obj: SlaPolicy) -> str:
        return category_label(obj.category, obj.record_type)


@admin.register(Deadline)
class DeadlineAdmin(ViewOnlyAdmin):
    """A deadline moves only with its record's workflow (WF-1, SLA-2): shown, never edited."""

    list_display = ["title", "stage_name", "state", "owner", "due_at", "reminded_at", "overdue_at"]
    list_filter = ["state", PolicyStageFilter]
    list_select_related = ["owner"]
    show_full_result_count = False
    fields = ["title", "record_type_name", "object_id", "stage_name", "source", "state", "policy", "due_date",
              "lead_days", "calendar", "owner", "department", "started_at", "allowed_minutes", "remind_at", "due_at",
              "paused_at", "paused_minutes", "completed_at", "reminded_at", "overdue_at", "url"]
    readonly_fields = ["record_type_name", "stage_name"]

    @admin.display(description=_("record type"))
    def record_type_name(self, obj: Deadline) -> str:
        return str(obj.content_type.model_class()._meta.verbose_name) if obj.content_type.model_class() else ""

    @admin.display(description=_("stage"), ordering="stage")
    def stage_name(self, obj: Deadline) -> str:
        return stage_label(obj.stage)
