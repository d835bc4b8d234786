"""Reference data of after-sales, declared on AftersalesConfig (qsm.registry): the SLA policies of a
case's reply and resolution (AFS-2, by severity; product-quality cases tighter), the cause taxonomy
(two levels), a default questionnaire per follow-up reason and the visit rules (VIS-1).

First written by aftersales/migrations/0002 (which calls ``load``). Idempotent: rows already there,
including an administrator's corrections, are left alone.
"""
from __future__ import annotations

from qsm.sla.reference import Policy, ensure_policies

DAY = 480  # working minutes of one working day of the default calendar (9–18, lunch 12–13)

POLICIES = [
    # The catch-all of each clock (system check qsm.E001): a case of any severity and type.
    Policy("售后首次回复", "aftersales.case", "reply", 240),
    Policy("售后首次回复（紧急）", "aftersales.case", "reply", 60, priority="urgent"),
    Policy("售后首次回复（高）", "aftersales.case", "reply", 120, priority="high"),
    Policy("售后首次回复（一般）", "aftersales.case", "reply", 240, priority="normal"),
    Policy("售后首次回复（低）", "aftersales.case", "reply", 480, priority="low"),
    Policy("产品质量紧急问题首次回复", "aftersales.case", "reply", 30, priority="urgent", category="product_quality"),
    Policy("售后问题解决", "aftersales.case", "resolution", 5 * DAY),
    Policy("售后问题解决（紧急）", "aftersales.case", "resolution", 1 * DAY, priority="urgent"),
    Policy("售后问题解决（高）", "aftersales.case", "resolution", 2 * DAY, priority="high"),
    Policy("售后问题解决（一般）", "aftersales.case", "resolution", 5 * DAY, priority="normal"),
    Policy("售后问题解决（低）", "aftersales.case", "resolution", 10 * DAY, priority="low"),
    Policy("产品质量紧急问题解决", "aftersales.case", "resolution", DAY // 2, priority="urgent",
           category="product_quality"),
]

# (code, name, [(code, name), ...]): §3.3 原因分类, two levels.
CAUSES = [
    ("design", "产品设计", [("design-spec", "设计参数不合理"), ("design-material", "选材不当"),
                            ("design-compat", "兼容性问题")]),
    ("manufacturing", "制造质量", [("mfg-process", "加工工艺缺陷"), ("mfg-assembly", "装配不良"),
                                   ("mfg-parts", "外购件质量"), ("mfg-inspection", "出厂检验漏检")]),
    ("transport", "运输与交付", [("transport-damage", "运输损坏"), ("transport-delay", "交付延误"),
                                 ("transport-missing", "缺件错发")]),
    ("installation", "安装调试", [("install-error", "安装不规范"), ("install-commissioning", "调试参数错误"),
                                  ("install-site", "现场条件不符")]),
    ("usage", "使用与维护", [("usage-operation", "操作不当"), ("usage-maintenance", "保养不到位"),
                             ("usage-wear", "正常磨损")]),
    ("service", "服务态度与响应", [("service-attitude", "服务态度"), ("service-slow", "响应不及时"),
                                   ("service-skill", "技术能力不足")]),
    ("other", "其他", [("other-customer", "客户原因"), ("other-unknown", "原因不明")]),
]

SOLVED_CHOICES = ["是", "否", "部分"]
# Overall satisfaction (1–5), comments and suggestions are fields of every visit (VIS-1), asked on
# the survey page and in the call script around the questions: a question of their own asked the
# customer twice.
QUESTIONS = [
    ("处理及时性（1–5 分）", "scale", [], True),
    ("服务人员态度（1–5 分）", "scale", [], True),
    ("问题是否已解决？", "choice", SOLVED_CHOICES, True),
]
ORDER_QUESTIONS = [
    ("交付及时性（1–5 分）", "scale", [], True),
    ("安装调试人员态度（1–5 分）", "scale", [], True),
    ("产品是否满足您的需求？", "choice", SOLVED_CHOICES, True),
]

# (reason, questionnaire code, name, questions, working days after due)
QUESTIONNAIRES = [
    ("accepted", "order-accepted", "订单验收回访问卷", ORDER_QUESTIONS, 5),
    ("delivered", "order-delivered", "订单交付回访问卷", ORDER_QUESTIONS, 5),
    ("case_resolved", "case-resolved", "售后服务回访问卷", QUESTIONS, 3),
    ("complaint_closed", "complaint-closed", "投诉处理回访问卷", QUESTIONS, 3),
]


def load(apps) -> None:
    ensure_policies(apps, POLICIES)
    _causes(apps)
    _questionnaires(apps)


def _causes(apps) -> None:
    CauseCategory = apps.get_model("aftersales", "CauseCategory")
    for i, (code, name, children) in enumerate(CAUSES):
        parent, _created = CauseCategory.objects.get_or_create(code=code, defaults={"name": name, "position": i * 10})
        for j, (child_code, child_name) in enumerate(children):
            CauseCategory.objects.get_or_create(code=child_code,
                                                defaults={"name": child_name, "parent": parent, "position": j * 10})


def _questionnaires(apps) -> None:
    from django.utils import timezone

    Questionnaire = apps.get_model("aftersales", "Questionnaire")
    QuestionnaireVersion = apps.get_model("aftersales", "QuestionnaireVersion")
    Question = apps.get_model("aftersales", "Question")
    VisitRule = apps.get_model("aftersales", "VisitRule")
    for reason, code, name, questions, due_days in QUESTIONNAIRES:
        questionnaire, created = Questionnaire.objects.get_or_create(code=code, defaults={"name": name, "reason": reason})
        if created:
            version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, version=1,
                                                          published_at=timezone.now(), note="默认问卷")
            Question.objects.bulk_create([
                Question(version=version, position=(i + 1) * 10, text=text, kind=kind, choices=choices,
                         required=required)
                for i, (text, kind, choices, required) in enumerate(questions)
            ])
        VisitRule.objects.get_or_create(reason=reason, defaults={"due_days": due_days, "questionnaire": questionnaire})
