"""DATA-1, quality control: a year of the quality department's control tools (§4(一)(二)(四)), written through the
services and the workflow engine as the pages write them.

- Service standards (QC-1): written by the quality officers, approved by the quality manager, in force from
  their effective date (the activation sweep, as beat runs it); some revised during the year (one returned for
  changes first), the old version superseded and still readable; now one revision in review, one draft, one
  approved waiting for its date; one standard's review falls due within the reminder lead.
- Inspections (QC-2): a checklist per module built from the standards; monthly inspection plans whose
  inspections the beat sweep makes through the year, carried out by the inspector (each item judged, a few
  failed); random spot checks over every module (the after-sales one of five cases, a re-check sample of
  phone visits, VIS-2); the latest ones still planned.
- Rectification (QC-3) and training (QC-5): see ``_rectification`` and ``_training``.

Every random choice is drawn when the builder lays the year out, never when a step runs (a sampled
inspection's judgements are drawn from a generator seeded by the builder's seed and the inspection's number).
Declared on AssessmentConfig (``demo_data``); runs last, after the modules it inspects.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from qsm.demo import DAY, HOUR, SWEEP_RANK, Clock, DemoBuilder, DemoContext

PLAN_BASE = 500_000  # after complaints' steps at the same moment
SWEEP = SWEEP_RANK + 10  # the quality-control sweeps, after the core's deadline sweep
QUALITY_MANAGER, OFFICERS = "zhao.lei", ("chen.jing", "huang.li")

# title, kind, modules, departments (codes; none: every department), process, content, quality requirements
STANDARDS = [
    ("售后服务受理与处理规范", "process", ["cases"], ["service"],
     "接到报修后一个工作小时内登记并分派\n工程师四个工作小时内联系客户\n处理完成后请客户确认并记录",
     "明确售后服务的受理范围、处理流程和责任人。", "首次响应不超过一个工作小时；处理记录完整可追溯"),
    ("售前咨询答复标准", "content", ["inquiries"], ["sales"],
     "咨询登记后当天内首次答复\n需要技术支持的在两个工作日内给出方案",
     "答复内容包括产品选型、报价依据和交期。", "答复准确完整；报价有依据"),
    ("订单评审与交期承诺规范", "process", ["orders"], ["sales", "production"],
     "订单登记后三个工作日内完成评审\n交期承诺须经生产部确认",
     "规定订单评审的内容和交期承诺的依据。", "评审记录完整；交期承诺经确认"),
    ("客户回访服务规范", "quality", ["visits"], [],
     "服务完成后七天内回访\n低分回访当天转售后服务处理",
     "回访内容：服务满意度、问题是否解决、改进建议。", "回访按期完成；低分必须有处理记录"),
    ("客户投诉处理规范", "process", ["complaints"], [],
     "投诉当天受理并告知客户答复时间\n质量管理部组织调查并提出处理方案",
     "规定投诉受理、调查、处理、确认和关闭的要求。", "按承诺时间答复客户；处理方案经审批"),
    ("现场服务礼仪规范", "quality", ["cases", "visits"], ["service"],
     "到达现场先向客户说明工作内容\n离场前清理现场并请客户确认",
     "规定现场服务人员的着装、用语和行为要求。", "使用规范用语；现场整洁"),
]
CHANGES = ["根据投诉分析结果缩短响应时限。", "增加现场服务安全要求。", "补充客户确认的记录要求。"]
RETURN_REASON = "请补充修订依据，并与相关部门确认响应时限。"
FAIL_COMMENTS = ["首次响应超时两个工作小时，无说明。", "处理记录缺少客户确认。", "答复内容未说明原因和时间。",
                 "交接超过规定时间未确认。"]
SUMMARY = "抽查记录总体符合要求，发现的问题已通知部门。"
# module -> the department whose records it samples
MODULE_DEPARTMENT = {"inquiries": "sales", "orders": "sales", "cases": "service", "visits": "service",
                     "complaints": "service"}
MODULE_LABELS = {"inquiries": "售前咨询", "orders": "订单", "cases": "售后服务", "visits": "回访", "complaints": "客户投诉"}


@dataclass
class StandardStory:
    index: int
    spec: tuple
    owner: str
    revisions: list[str] = field(default_factory=list)  # final state of each revision after v1
    steps: list = field(default_factory=list)
    standard: Any = None


class QualityDemo(DemoBuilder):
    def __init__(self, ctx: DemoContext) -> None:
        super().__init__(ctx)
        self.standards: list[StandardStory] = []
        self.checklists: dict[str, Any] = {}
        self.inspections: dict[str, dict] = {}  # inspection number -> what the inspector will judge
        self.seed = self.rng.randrange(1 << 30)
        self.training: dict[str, Any] = {}
        self.session_starts: dict[str, dt.datetime] = {}  # held sessions: when they start

    def _user(self, username: str):
        return self.users[username]

    def _place(self, times: list[dt.datetime]) -> list[dt.datetime]:
        limit = self.now - dt.timedelta(minutes=10)
        return self.ctx.working_times(times, limit=limit)

    # -- QC-1 standards ------------------------------------------------------------------------------------
    def plan_standards(self) -> None:
        specs = STANDARDS[:5] if self.small else STANDARDS
        # what happens to each standard after version 1 (the last one left open now)
        revisions = {1: ["effective"], 2: ["returned_effective"], 3: ["effective", "review"], 4: ["draft"],
                     5: ["approved_waiting"]}
        for index, spec in enumerate(specs):
            story = StandardStory(index, spec, OFFICERS[index % 2], revisions.get(index, []))
            self.standards.append(story)
            self._lay_out_standard(story)

    def _lay_out_standard(self, story: StandardStory) -> None:
        rng = self.rng
        clock = Clock(rng, self.year_ago + dt.timedelta(days=2 + 2 * story.index, hours=rng.uniform(0, 6)))
        times, steps = [], []

        def then(lo, hi, step):
            times.append(clock.next(lo, hi))
            steps.append(step)

        start = clock.t.date()
        effective_on = start + dt.timedelta(days=5)
        # the first standard's review falls due within the reminder lead now; the others a year on
        review_on = (self.now.date() + dt.timedelta(days=6)) if story.index == 0 else effective_on + dt.timedelta(
            days=365 + rng.randrange(30, 90))
        then(0, HOUR, self._create(story, effective_on, review_on))
        then(HOUR, DAY, self._fire(story, "submit", story.owner))
        then(DAY, 2 * DAY, self._fire(story, "approve", QUALITY_MANAGER))
        for n, final in enumerate(story.revisions):
            months = 4 + 3 * n if final not in ("review", "draft", "approved_waiting") else None
            if months is not None:
                clock.t = max(clock.t, self.year_ago + dt.timedelta(days=30 * months + rng.uniform(0, 20)))
            else:
                clock.t = max(clock.t, self.now - dt.timedelta(days=rng.uniform(8, 12)))
            then(0, HOUR, self._revise(story))
            on = clock.t.date() + dt.timedelta(days=7 if final != "approved_waiting" else 25)
            then(HOUR, DAY, self._edit(story, on, on + dt.timedelta(days=365), CHANGES[n % len(CHANGES)]))
            if final == "draft":
                continue
            then(HOUR, DAY, self._fire(story, "submit", story.owner))
            if final == "review":
                continue
            if final == "returned_effective":
                then(DAY, 2 * DAY, self._fire(story, "return", QUALITY_MANAGER, RETURN_REASON))
                then(HOUR, DAY, self._edit(story, on + dt.timedelta(days=3), on + dt.timedelta(days=368),
                                           CHANGES[n % len(CHANGES)] + "已补充修订依据。"))
                then(HOUR, DAY, self._fire(story, "submit", story.owner))
            then(HOUR, DAY, self._fire(story, "approve", QUALITY_MANAGER))
        placed = self._place(times)
        story.steps = list(zip(placed, steps, strict=True))

    def _create(self, story: StandardStory, effective_on, review_on):
        title, kind, modules, departments, process, content, requirements = story.spec

        def step():
            from .standards.services import standard_create

            story.standard = standard_create(
                actor=self._user(story.owner), title=title, kind=kind, owner=self._user(story.owner), modules=modules,
                departments=[self.departments[code] for code in departments if code in self.departments],
                process=process, content=content, requirements=requirements, effective_on=effective_on,
                review_on=review_on)
        return step

    def _latest(self, story: StandardStory):
        return story.standard.versions.order_by("-version").first()

    def _fire(self, story: StandardStory, action: str, username: str, comment: str = ""):
        def step():
            from .standards.services import version_fire

            version_fire(version=self._latest(story), actor=self._user(username), action=action, comment=comment)
        return step

    def _revise(self, story: StandardStory):
        def step():
            from .standards.services import version_revise

            version_revise(standard=story.standard, actor=self._user(story.owner))
        return step

    def _edit(self, story: StandardStory, effective_on, review_on, change_summary: str):
        def step():
            from .standards.services import version_update

            version_update(version=self._latest(story), actor=self._user(story.owner), effective_on=effective_on,
                           review_on=review_on, change_summary=change_summary)
        return step

    # -- QC-2 checklists, plans, inspections ------------------------------------------------------------------
    def plan_inspections(self) -> list[tuple[dt.datetime, Any]]:
        """Checklists and plans once the standards are in force; the spot checks over the year."""
        rng = self.rng
        officer = OFFICERS[0]
        at = self.year_ago + dt.timedelta(days=20)
        steps = [(at, self._checklists(officer))]
        plans = [("service", "cases"), ("sales", "inquiries")] if self.small else [
            ("service", "cases"), ("sales", "inquiries"), ("sales", "orders"), ("service", "visits")]
        # A year of monthly inspections: the first run is the first of the month after the plans are made
        # (its inspection covers that month); the beat sweep makes the others, the inspector judges them.
        first_run = (at + dt.timedelta(days=1)).date()
        first_run = (first_run.replace(day=1) + dt.timedelta(days=32)).replace(day=1) if first_run.day > 1 else first_run
        for n, (dept, module) in enumerate(plans):
            steps.append((at + dt.timedelta(hours=1 + n), self._plan(dept, module, first_run, officer)))
        # Spot checks of every module spread over the year (the after-sales ones of five cases), the last one
        # still open; and now, a re-check sample of the phone visits marked for re-check during the year (VIS-2).
        # A period ends three weeks before its draw: the records in it have their department by then (a case
        # rerouted, a complaint's responsible department named), so its seed draws the same records later.
        modules = list(MODULE_DEPARTMENT)
        count = 5 if self.small else 11
        for n in range(count):
            module = modules[n % len(modules)]
            t = self.year_ago + dt.timedelta(days=100 + n * (240 // count) + rng.uniform(0, 10))
            number_key = f"spot-{n}"
            start = max(self.year_ago.date() + dt.timedelta(days=1), (t - dt.timedelta(days=180)).date())
            steps.append((t, self._spot_check(module, start, (t - dt.timedelta(days=21)).date(), number_key)))
            if n < count - 1:
                judge_after = rng.uniform(2, 5)
                steps.append((t + dt.timedelta(days=judge_after), self._work(number_key, fail_first=n == 2)))
                if n == 2:  # the first after-sales one. QC-3: its failed item becomes a notice, the plan approved
                    steps.append((t + dt.timedelta(days=judge_after + 0.3), _notice_from_finding(self, number_key)))
        t = self.now - dt.timedelta(hours=2)
        steps.append((t, self._spot_check("visits", (self.year_ago + dt.timedelta(days=1)).date(),
                                          (t - dt.timedelta(days=1)).date(), "spot-recheck", recheck=True)))
        steps.sort(key=lambda pair: pair[0])
        times = self._place([t for t, _s in steps])
        return list(zip(times, [s for _t, s in steps], strict=True))

    def _checklists(self, officer: str):
        def step():
            from .inspections.services import checklist_create
            from .models import Standard

            for module, label in MODULE_LABELS.items():
                standards = [s for s in Standard.objects.filter(modules__contains=[module],
                                                                  current_version__isnull=False).order_by("pk")]
                self.checklists[module] = checklist_create(actor=self._user(officer), name=f"{label}检查表",
                                                           module=module, standards=standards[:2])
        return step

    def _plan(self, dept: str, module: str, first_run: dt.date, officer: str):
        def step():
            from .inspections.services import plan_create

            plan_create(actor=self._user(officer), title=f"{self.departments[dept].name}{MODULE_LABELS[module]}每月检查",
                        department=self.departments[dept], module=module, checklist=self.checklists[module],
                        frequency="monthly", sample_size=2, inspector=self._user(OFFICERS[1]), next_run_on=first_run)
        return step

    def _spot_check(self, module: str, start: dt.date, end: dt.date, key: str, *, recheck: bool = False):
        def step():
            from qsm.errors import ValidationError

            from .inspections.spot_checks import create_spot_check

            # the module's usual department first, then the other business one, then every other department
            # (a visit is answered for by its order's department: production, say), then the year so far; the
            # whole population when no phone visit was marked for re-check; a module without records is not checked
            usual = [MODULE_DEPARTMENT[module]] + [d for d in ("service", "sales") if d != MODULE_DEPARTMENT[module]]
            departments = usual + sorted(code for code in self.departments if code not in usual)
            year = (max(self.year_ago.date() + dt.timedelta(days=1), timezone.localdate() - dt.timedelta(days=360)),
                    timezone.localdate() - dt.timedelta(days=1))
            tries = [(d, r, p) for r in ((True, False) if recheck else (False,)) for p in ((start, end), year)
                     for d in departments]
            inspection = None
            for dept, only, (first, last) in tries:
                try:
                    inspection = create_spot_check(
                        self._user(OFFICERS[0]), module=module, department=self.departments[dept],
                        period_start=first, period_end=last, sample_size=5, checklist=self.checklists[module],
                        inspector=self._user(OFFICERS[0]), recheck_only=only)
                    break
                except ValidationError as exc:
                    if "period_start" not in exc.message_dict:
                        raise
            if inspection is None:
                return
            self.inspections[key] = inspection
        return step

    def _work(self, key: str, *, fail_first: bool = False):
        def step():
            inspection = self.inspections.get(key)
            if inspection is not None:
                work_inspection(inspection, seed=self.seed, fail_first=fail_first)
        return step


# --- QC-3 rectification notices ------------------------------------------------------------------------------

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
NOTICE_TITLES = ["售后服务响应超时整改", "售前咨询答复不规范整改", "订单评审记录不完整整改", "回访未按期完成整改",
                 "投诉答复超时整改", "服务记录缺少客户确认整改"]
REQUIREMENT = "请分析原因，制定整改措施（责任人和完成日期），在期限内完成整改并上传证据。"
CAUSES = ["值班安排不足，高峰时段无人跟进。", "新员工不熟悉服务规范，培训不到位。"]
MEASURES = ["组织全员学习服务规范并考试", "调整值班安排，高峰时段增加人员", "对同类记录进行自查并补齐"]
REJECT = "措施没有针对根本原因，请补充。"
REOPEN = "复查仍发现同类问题，请继续整改。"
# the notices' paths: (department, final state, rejected first, reopened once, overdue)
NOTICE_PATHS = [
    ("service", "closed", True, False, False), ("sales", "closed", False, True, False),
    ("service", "reported", False, False, False), ("sales", "rectifying", False, False, True),
    ("service", "issued_submitted", False, False, False), ("sales", "issued", False, False, True),
    ("service", "cancelled", False, False, False), ("service", "rectifying", True, False, False),
]
MANAGERS = {"service": "li.na", "sales": "liu.yang"}
STAFF = {"service": ("zhang.wei", "zhou.min"), "sales": ("wang.fang", "wu.qiang")}


def _evidence():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("整改证据.png", PNG, content_type="image/png")


class NoticeStory:
    def __init__(self, index: int, path: tuple, start: dt.datetime) -> None:
        self.index, self.path, self.start = index, path, start
        self.notice = None
        self.steps: list = []


def lay_out_notices(demo: QualityDemo) -> list[NoticeStory]:
    """Manual notices (the finding-sourced one comes from the after-sales spot check) along the year."""
    rng = demo.rng
    # the small demo: the first five paths and the cancelled one (a notice in every state)
    paths = [p for i, p in enumerate(NOTICE_PATHS) if i < 5 or p[1] == "cancelled"] if demo.small else NOTICE_PATHS
    stories = []
    for index, path in enumerate(paths):
        dept, final, rejected, reopened, overdue = path
        if final in ("issued", "issued_submitted", "reported") or overdue:
            start = demo.now - dt.timedelta(days=rng.uniform(8, 25) if not overdue else rng.uniform(40, 60))
        else:
            start = demo.year_ago + dt.timedelta(days=90 + index * 30 + rng.uniform(0, 10))
        story = NoticeStory(index, path, start)
        clock = Clock(rng, start)
        times, steps = [], []

        def then(lo, hi, step, times=times, steps=steps, clock=clock):
            times.append(clock.next(lo, hi))
            steps.append(step)

        deadline = (start + dt.timedelta(days=30 if not overdue else 20)).date()
        then(0, HOUR, _issue(demo, story, dept, deadline))
        if final == "issued":
            story.steps = list(zip(demo._place(times), steps, strict=True))
            stories.append(story)
            continue
        if final == "cancelled":
            then(DAY, 3 * DAY, _notice_step(demo, story, "cancel", QUALITY_MANAGER, REASON_CANCEL))
            story.steps = list(zip(demo._place(times), steps, strict=True))
            stories.append(story)
            continue
        author, owner = STAFF[dept]
        then(HOUR, DAY, _propose(demo, story, author, owner, deadline))
        then(HOUR, DAY, _plan_step(demo, story, "submit", author))
        if final == "issued_submitted":
            story.steps = list(zip(demo._place(times), steps, strict=True))
            stories.append(story)
            continue
        if rejected:
            then(2 * HOUR, DAY, _plan_step(demo, story, "reject", MANAGERS[dept], REJECT))
            then(HOUR, DAY, _plan_step(demo, story, "revise", author))
            then(HOUR, DAY, _plan_step(demo, story, "submit", author))
        then(2 * HOUR, DAY, _plan_step(demo, story, "approve", MANAGERS[dept]))
        if final in ("reported", "closed"):
            then(3 * DAY, 8 * DAY, _notice_step(demo, story, "report", author, "已完成全部整改措施，自查记录已上传。"))
            if reopened:
                then(DAY, 2 * DAY, _notice_step(demo, story, "reopen", OFFICERS[0], REOPEN))
                then(2 * DAY, 5 * DAY, _notice_step(demo, story, "report", author, "补充整改已完成，证据已上传。"))
            if final == "closed":
                then(DAY, 2 * DAY, _notice_step(demo, story, "verify", OFFICERS[0], "复查合格，同意关闭。"))
        story.steps = list(zip(demo._place(times), steps, strict=True))
        stories.append(story)
    return stories


REASON_CANCEL = "经复核不属于该部门责任，取消。"


def _issue(demo: QualityDemo, story: NoticeStory, dept: str, deadline: dt.date):
    def step():
        from .rectification.services import issue_notice

        story.notice = issue_notice(demo._user(OFFICERS[story.index % 2]), department=demo.departments[dept],
                                    title=NOTICE_TITLES[story.index % len(NOTICE_TITLES)], requirement=REQUIREMENT,
                                    deadline=deadline)
    return step


def _propose(demo: QualityDemo, story: NoticeStory, author: str, owner: str, deadline: dt.date):
    def step():
        from .rectification.services import plan_propose

        plan_propose(notice=story.notice, actor=demo._user(author), cause=CAUSES[story.index % len(CAUSES)],
                     measures=[{"description": MEASURES[k], "owner": demo._user(owner if k else author),
                                "due_on": deadline - dt.timedelta(days=5 - k)} for k in range(2)])
    return step


def _plan_step(demo: QualityDemo, story: NoticeStory, action: str, username: str, comment: str = ""):
    def step():
        from .rectification import services

        plan = story.notice.plans.order_by("-version").first()
        actor = demo._user(username)
        if action == "submit":
            services.plan_submit(plan=plan, actor=actor)
        elif action == "approve":
            services.plan_approve(plan=plan, actor=actor)
        elif action == "reject":
            services.plan_reject(plan=plan, actor=actor, reason=comment)
        elif action == "revise":
            services.plan_revise(plan=plan, actor=actor)
    return step


def _notice_step(demo: QualityDemo, story: NoticeStory, action: str, username: str, text: str):
    def step():
        from .rectification import services

        notice, actor = story.notice, demo._user(username)
        notice.refresh_from_db()
        if action == "report":
            services.notice_report(notice=notice, actor=actor, note=text, upload=_evidence())
        elif action == "verify":
            services.notice_verify(notice=notice, actor=actor, note=text)
        elif action == "reopen":
            services.notice_reopen(notice=notice, actor=actor, reason=text)
        elif action == "cancel":
            services.notice_cancel(notice=notice, actor=actor, reason=text)
    return step


def _notice_from_finding(demo: QualityDemo, key: str):
    """The after-sales spot check's failed item: a notice to the department, its plan approved."""
    def step():
        from .models import Finding
        from .rectification.services import issue_notice, plan_approve, plan_propose, plan_submit

        inspection = demo.inspections.get(key)
        if inspection is None:
            return
        finding = Finding.objects.filter(inspection=inspection, result="fail").order_by("pk").first()
        if finding is None:
            return
        notice = issue_notice(demo._user(OFFICERS[0]), department=None, title="抽查不合格项整改",
                              requirement=REQUIREMENT, deadline=timezone.localdate() + dt.timedelta(days=21),
                              finding=finding)
        dept = "service" if notice.department_id == demo.departments["service"].pk else "sales"
        author, owner = STAFF[dept]
        plan = plan_propose(notice=notice, actor=demo._user(author), cause=CAUSES[0],
                            measures=[{"description": MEASURES[0], "owner": demo._user(owner),
                                       "due_on": notice.deadline}])
        plan_submit(plan=plan, actor=demo._user(author))
        plan_approve(plan=plan, actor=demo._user(MANAGERS[dept]))
    return step


# --- QC-5 training ---------------------------------------------------------------------------------------------

SESSIONS = [("服务标准宣贯", "standards"), ("服务流程培训", "process"), ("客户沟通技巧", "communication"),
            ("问题分析与解决方法", "problem_solving")]


def lay_out_training(demo: QualityDemo) -> list[tuple[dt.datetime, Any]]:
    """A plan per business department for this year; sessions along it (held with attendance and scores,
    one cancelled, the next ones scheduled)."""
    rng = demo.rng
    steps = []
    holds = {}
    start = demo.year_ago + dt.timedelta(days=10)
    for n, dept in enumerate(("service", "sales")):
        plan_key = f"plan-{dept}"
        steps.append((start + dt.timedelta(hours=n), _training_plan(demo, dept, plan_key)))
        sessions = SESSIONS[:2] if demo.small else SESSIONS
        for k, (title, topic) in enumerate(sessions):
            at = demo.year_ago + dt.timedelta(days=40 + 80 * k + 10 * n + rng.uniform(0, 5))
            key = f"{plan_key}-{k}"
            final = "scheduled" if k == len(sessions) - 1 else ("cancelled" if (k == 1 and n == 1) else "held")
            when = (demo.now + dt.timedelta(days=5 + k)) if final == "scheduled" else at + dt.timedelta(days=3)
            schedule = _session(demo, plan_key, key, title, topic, when)
            steps.append((at, schedule))
            if final == "held":
                hold = _held(demo, key, dept)
                steps.append((when + dt.timedelta(hours=3), hold))
                holds[key] = (schedule, hold)
            elif final == "cancelled":
                steps.append((at + dt.timedelta(days=2), _session_fire(demo, key, "cancel", "讲师临时有事，改期。")))
    steps.sort(key=lambda pair: pair[0])
    times = demo._place([t for t, _s in steps])
    # a held session starts between its scheduling and its holding, as those were placed in working hours
    placed = dict(zip([s for _t, s in steps], times, strict=True))
    for key, (schedule, hold) in holds.items():
        demo.session_starts[key] = min(max(placed[schedule] + dt.timedelta(minutes=10), placed[hold] - 2 * HOUR_DELTA),
                                       placed[hold] - dt.timedelta(minutes=1))
    return list(zip(times, [s for _t, s in steps], strict=True))


HOUR_DELTA = dt.timedelta(hours=1)


def _training_plan(demo: QualityDemo, dept: str, key: str):
    def step():
        from decimal import Decimal

        from .training.services import plan_create, plan_fire

        today = timezone.localdate()
        plan = plan_create(actor=demo._user(OFFICERS[0]), title=f"{demo.departments[dept].name}年度培训计划",
                           department=demo.departments[dept], period_start=today,
                           period_end=today + dt.timedelta(days=364), target_hours=Decimal("16"),
                           topics=[t for _n, t in SESSIONS], owner=demo._user(MANAGERS[dept]))
        plan_fire(plan=plan, actor=demo._user(MANAGERS[dept]), action="activate")
        demo.training[key] = plan
    return step


def _session(demo: QualityDemo, plan_key: str, key: str, title: str, topic: str, when: dt.datetime):
    def step():
        from .models import Standard
        from .training.services import session_schedule

        # held ones start a couple of hours after they are scheduled (the "held" step comes days later);
        # the last one is next week
        starts = demo.session_starts.get(key) or (when if when > demo.now else timezone.now() + dt.timedelta(hours=2))
        starts = starts.replace(second=0, microsecond=0)
        standards = list(Standard.objects.filter(current_version__isnull=False).order_by("pk")[:2]) \
            if topic in ("standards", "process") else []
        demo.training[key] = session_schedule(
            plan=demo.training[plan_key], actor=demo._user(OFFICERS[1]), title=title, topic=topic, starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2), trainer=demo._user(OFFICERS[1]), place="总部三楼会议室",
            standards=standards)
    return step


def _session_fire(demo: QualityDemo, key: str, action: str, comment: str = ""):
    def step():
        from .training.services import session_fire

        session_fire(session=demo.training[key], actor=demo._user(OFFICERS[1]), action=action, comment=comment)
    return step


def _held(demo: QualityDemo, key: str, dept: str):
    def step():
        from decimal import Decimal

        from .training.services import AttendanceRow, attendance_record, session_fire

        session = demo.training[key]
        session.refresh_from_db()
        session_fire(session=session, actor=demo._user(OFFICERS[1]), action="hold")
        rows = []
        for n, attendance in enumerate(session.attendances.order_by("person_id")):
            attended = n % 5 != 4
            score = Decimal(60 + (attendance.person_id * 7 + n * 13) % 40) if attended else None
            rows.append(AttendanceRow(person_id=attendance.person_id, attended=attended, score=score,
                                      comment="" if attended else "请假"))
        attendance_record(session=session, actor=demo._user(OFFICERS[1]), rows=rows)
    return step


def work_inspection(inspection, *, seed: int, fail_first: bool = False, manager=None) -> None:
    """The inspector judges every item of every sampled record (a few fail, with a comment) and completes it;
    an inspection of a period without records is cancelled by the quality manager.

    The failures go through ``finding_judge`` (the department's managers hear of each); the passes and
    "not applicable" are written in one update per result (a year of inspections judged item by item
    through the service was most of the demo's quality-control time)."""
    from .inspections.services import finding_judge, inspection_cancel, inspection_complete, inspection_start
    from .models import Finding, Inspection

    inspection.refresh_from_db()
    if inspection.status not in Inspection.OPEN_STATES:
        return
    if not inspection.samples.exists():
        if manager is not None:
            inspection_cancel(inspection=inspection, actor=manager, reason="检查期间该部门没有可抽查的记录，取消检查。")
        return
    rng = random.Random(f"{seed}-{inspection.number}")
    actor = inspection.inspector
    if inspection.status == Inspection.Status.PLANNED:
        inspection_start(inspection=inspection, actor=actor)
    pending = list(Finding.objects.filter(inspection=inspection, result="pending").select_related("inspection")
                   .order_by("sample__position", "item__position"))
    by_result: dict[str, list[int]] = {"pass": [], "na": []}
    for n, finding in enumerate(pending):
        draw = rng.random()
        if (fail_first and n == 0) or draw < 0.08:
            finding_judge(finding=finding, actor=actor, result="fail", comment=rng.choice(FAIL_COMMENTS))
        else:
            by_result["na" if draw < 0.14 else "pass"].append(finding.pk)
    for result, pks in by_result.items():
        if pks:
            Finding.objects.filter(pk__in=pks, result="pending").update(result=result, judged_by=actor,
                                                                        judged_at=timezone.now())
    inspection.refresh_from_db()
    inspection_complete(inspection=inspection, actor=actor, summary=SUMMARY)


def _sweep_times(ctx: DemoContext) -> list[dt.datetime]:
    """Beat's daily quality-control run: each working day's first working moment."""
    days: dict[dt.date, dt.datetime] = {}
    for t in ctx.working_moments(ctx.year_ago, ctx.now, dt.timedelta(days=1)):
        days.setdefault(timezone.localdate(t), t)
    return sorted(days.values())


def _daily(ctx: DemoContext, demo: QualityDemo):
    def run(at: dt.datetime) -> None:
        from .inspections.services import create_due_inspections
        from .models import Inspection
        from .standards.services import activate_due_versions

        today = timezone.localdate(at)
        activate_due_versions(today=today)
        create_due_inspections(today=today)
        # the inspector carries out the scheduled inspections made a few days ago (the latest month's still open)
        done_by = min(at - dt.timedelta(days=3), ctx.now - dt.timedelta(days=32))
        if done_by > ctx.year_ago:
            for inspection in Inspection.objects.filter(kind="scheduled", status__in=Inspection.OPEN_STATES,
                                                        created_at__lte=done_by).order_by("pk"):
                work_inspection(inspection, seed=demo.seed, manager=demo._user(QUALITY_MANAGER))
    return run


def build(ctx: DemoContext) -> None:
    demo = QualityDemo(ctx)
    demo.plan_standards()
    for story in demo.standards:
        ctx.add_steps(PLAN_BASE + story.index, story.steps)
    ctx.add_steps(PLAN_BASE + 100, demo.plan_inspections())
    for story in lay_out_notices(demo):
        ctx.add_steps(PLAN_BASE + 200 + story.index, story.steps)
    ctx.add_steps(PLAN_BASE + 300, lay_out_training(demo))
    times = _sweep_times(ctx)
    ctx.every(rank=SWEEP, times=lambda first: [t for t in times if t >= first], step=_daily(ctx, demo),
              last=lambda: None)
    ctx.outputs["assessment"] = demo
