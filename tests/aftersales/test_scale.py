"""PERF-1 (issue 9): ``manage.py seed_scale`` seeds the after-sales module with the rows the app writes:
cases in every state (general and complex with their plans and steps, reopened, overdue), their
deadlines and timelines, the follow-up queue rows of resolved cases, and the visits the scheduler
made of the due rows (done by phone and by link with answers and a spread of scores, open ones with
their due dates, re-checks). Run at a tiny scale; the app works on what it wrote."""
from __future__ import annotations

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from aftersales.models import Case, PhoneAttempt, PlanStep, SpecialPlan, Visit, VisitAnswer, VisitRule
from orders.models import Order
from qsm import registry
from qsm.followup.models import FollowUp
from qsm.links.models import SignedLink
from qsm.org.models import Department, User
from qsm.scale import ScaleContext
from qsm.sla.models import Deadline
from qsm.workflow.models import Event

SCALE = 0.0005  # 150 cases and the visits of the due follow-ups: a few seconds
pytestmark = pytest.mark.django_db

CS, VS = Case.Status, Visit.Status


@pytest.fixture
def seeded():
    out = io.StringIO()
    call_command("seed_scale", scale=SCALE, stdout=out)
    return out.getvalue()


def _open_deadlines(model):
    rows = Deadline.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                   state=Deadline.State.RUNNING)
    return {(object_id, stage): due for object_id, stage, due in rows.values_list("object_id", "stage", "due_at")}


@pytest.mark.spec("PERF-1", "AFS-1", "AFS-2")
def test_cases_in_every_state_with_their_clocks_plans_and_timelines(seeded):
    now = timezone.now()
    assert Case.objects.count() == ScaleContext(scale=SCALE).count(300_000, minimum=20)
    assert "After-sales cases:" in seeded and "Follow-up visits:" in seeded
    # every state, both kinds, reopened (counted), overdue, linked to orders and deliveries
    assert set(Case.objects.values_list("status", flat=True)) == set(CS.values)
    assert Case.objects.filter(is_complex=True).exists() and Case.objects.filter(is_complex=False).exists()
    assert Case.objects.filter(reopen_count__gt=0, last_reopened_at__isnull=False).exists()
    assert Case.objects.filter(status__in=[CS.NEW, CS.IN_PROGRESS, CS.SPECIAL], due_at__lt=now).exists()
    assert Case.objects.filter(order__isnull=False).exists() and Case.objects.filter(order__isnull=True).exists()
    for case in Case.objects.filter(order__isnull=False).select_related("order")[:20]:
        assert case.customer_id == case.order.customer_id and case.received_at >= case.order.delivered_at
    assert set(Case.objects.values_list("case_type", flat=True)) == set(Case.Type.values)
    # numbers are the app's own: AS-<year>-<n>, and the sequence continues after them
    assert all(n.startswith("AS-") for n in Case.objects.values_list("number", flat=True))
    # worked ones have their diagnosis, cause (a second-level cause) and solution
    for case in Case.objects.filter(status__in=[CS.RESOLVED, CS.CLOSED]).select_related("cause")[:20]:
        assert case.diagnosis and case.solution and case.cause is not None and case.cause.parent_id is not None
        assert case.resolved_at and case.replied_at

    # due_at mirrors the earliest running clock; a waiting case's clock is paused, a closed one has none open
    deadlines = _open_deadlines(Case)
    for pk, status, due_at in Case.objects.values_list("pk", "status", "due_at"):
        running = [due for (object_id, _stage), due in deadlines.items() if object_id == pk]
        assert due_at == (min(running) if running else None), (pk, status)
        if status in (CS.NEW,):
            assert (pk, "reply") in deadlines and (pk, "resolution") in deadlines
        if status in (CS.IN_PROGRESS, CS.SPECIAL):
            assert (pk, "resolution") in deadlines
    ct = ContentType.objects.get_for_model(Case)
    waiting = Case.objects.filter(status=CS.WAITING_CUSTOMER).values_list("pk", flat=True)
    assert Deadline.objects.filter(content_type=ct, object_id__in=waiting, stage="resolution",
                                   state=Deadline.State.PAUSED, paused_at__isnull=False).count() == len(waiting) > 0
    reopened = Case.objects.filter(reopen_count=1, status__in=[CS.RESOLVED, CS.CLOSED]).first()
    assert Deadline.objects.filter(content_type=ct, object_id=reopened.pk, stage="resolution").count() == 2
    # nothing old is left for the sweep
    assert not Deadline.objects.filter(state="running", reminded_at__isnull=True, remind_at__lte=now).exists()
    assert not Deadline.objects.filter(state="running", overdue_at__isnull=True, due_at__lte=now).exists()

    # a complex case has its plan with dated, owned steps; done when the case is resolved
    for case in Case.objects.filter(is_complex=True):
        plan = SpecialPlan.objects.get(case=case)
        steps = list(plan.steps.all())
        assert 2 <= len(steps) <= 3 and all(s.owner_id and s.due_date for s in steps)
        if case.status in (CS.RESOLVED, CS.CLOSED):
            assert plan.status == SpecialPlan.Status.DONE and all(s.status == PlanStep.Status.DONE for s in steps)
    assert PlanStep.objects.filter(status=PlanStep.Status.OPEN, due_at__isnull=False).exists()

    # one timeline line per transition: created for every case, a reopened one's path
    events = Event.objects.filter(content_type=ct)
    assert events.filter(kind="created").count() == Case.objects.count()
    actions = list(events.filter(object_id=reopened.pk, kind="transition").order_by("created_at", "id")
                   .values_list("action", flat=True))
    assert actions[:2] == ["reply", "resolve"] or actions[:3] == ["reply", "mark_complex", "resolve"], actions
    assert actions.count("resolve") == 2 and actions.index("reopen") > actions.index("resolve"), actions
    # resolving wrote the follow-up row once
    resolved = Case.objects.filter(resolved_at__isnull=False)
    assert FollowUp.objects.filter(content_type=ct, reason="case_resolved").count() == resolved.count()


@pytest.mark.spec("PERF-1", "VIS-1", "VIS-2")
def test_visits_of_the_due_follow_ups_with_answers_scores_and_rechecks(seeded):
    now = timezone.now()
    visits = Visit.objects.all()
    assert visits.count() > 0
    # every due row of a reason with a rule became one visit, the row consumed; the others wait
    ruled = FollowUp.objects.filter(reason__in=list(VisitRule.objects.filter(is_active=True).values_list(
        "reason", flat=True)), due_at__lt=now - timezone.timedelta(minutes=10))
    assert ruled.filter(consumed_at__isnull=True).count() == 0
    assert visits.filter(follow_up__isnull=False).count() == visits.count()
    assert visits.count() == ruled.filter(due_at__gte=now - timezone.timedelta(days=730)).count()
    # the rows due before the visits began (two years ago) were closed without a visit
    closed = FollowUp.objects.filter(consumed_at__isnull=False, visit__isnull=True)
    assert closed.exists() and not closed.filter(due_at__gte=now - timezone.timedelta(days=729)).exists()
    assert "case_resolved" in set(visits.values_list("reason", flat=True))
    assert visits.filter(content_type=ContentType.objects.get_for_model(Order)).exists()
    assert visits.filter(content_type=ContentType.objects.get_for_model(Case)).exists()
    # owned by the department's visit owner, asking the rule's current questionnaire version
    assert Department.objects.filter(visit_owner__isnull=False).exists()
    for visit in visits.select_related("department")[:30]:
        assert visit.owner_id is not None and visit.questionnaire_version_id is not None
        if visit.department.visit_owner_id:
            assert visit.owner_id == visit.department.visit_owner_id

    # done by phone (who, when, how long) and by link (the link used, IP and browser), a spread of scores
    done = visits.filter(status=VS.DONE)
    phone, link = done.filter(method=Visit.Method.PHONE), done.filter(method=Visit.Method.LINK)
    assert phone.exists() and link.exists()
    assert not phone.filter(done_by__isnull=True).exists() and not phone.filter(call_seconds__isnull=True).exists()
    for visit in link.select_related("link")[:10]:
        assert visit.done_by_id is None and visit.answer_ip and visit.answer_user_agent
        assert visit.link.used_at == visit.done_at and visit.link.object_id == visit.pk
    assert len(set(done.values_list("satisfaction", flat=True))) >= 3 and not done.filter(satisfaction__isnull=True).exists()
    answered = VisitAnswer.objects.values("visit").annotate(n=Count("id"))
    assert {row["visit"] for row in answered} == set(done.values_list("pk", flat=True))
    assert VisitAnswer.objects.filter(score__isnull=False).exists()
    assert PhoneAttempt.objects.filter(outcome=PhoneAttempt.Outcome.REACHED).exists()
    assert set(visits.exclude(recheck_status="").values_list("recheck_status", flat=True)) == {
        "requested", "confirmed", "discrepancy"}
    assert SignedLink.objects.filter(purpose="visit_feedback").count() == visits.filter(link__isnull=False).count()

    # open ones are due at the end of their planned day, with their running clock; done ones have none open
    deadlines = _open_deadlines(Visit)
    assert visits.filter(status__in=Visit.OPEN_STATES, due_at__isnull=False).exists()
    for pk, status, due_at in visits.values_list("pk", "status", "due_at"):
        if status in Visit.OPEN_STATES:
            assert due_at == deadlines[(pk, "visit")]
        else:
            assert due_at is None and (pk, "visit") not in deadlines
    events = Event.objects.filter(content_type=ContentType.objects.get_for_model(Visit))
    assert events.filter(kind="created").count() == visits.count()
    assert events.filter(action="record", actor_kind="customer", link__isnull=False).count() == link.count()


@pytest.mark.spec("PERF-1", "INBOX-1", "ORG-2")
def test_the_app_works_on_the_seeded_cases_and_visits(seeded, client):
    quality = User.objects.get(username="quality.001")
    case = Case.objects.filter(order__isnull=False).order_by("-received_at").first()
    busy = User.objects.get(pk=Case.objects.filter(status=CS.NEW).values("owner").annotate(n=Count("id"))
                            .order_by("-n").values_list("owner", flat=True)[0])
    assert any(i.module_code == "aftersales" for i in registry.inbox_items(busy))
    for user in (quality, busy):
        client.force_login(user)
        assert client.get(reverse("inbox")).status_code == 200
        assert client.get(reverse("org:customer-detail", args=[case.customer_id])).status_code == 200
    client.force_login(quality)
    html = client.get(case.order.get_absolute_url()).content.decode()
    assert case.number in html
    for name in ("aftersales:case-list", "aftersales:visit-list"):
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        assert client.get(url).status_code == 200
    for record in (case, Visit.objects.filter(status=VS.DONE).first()):
        if record.get_absolute_url():
            assert client.get(record.get_absolute_url()).status_code == 200
    # a case logged through the service after seeding gets the next number of the year
    from aftersales.services.cases import case_create

    created = case_create(actor=busy, customer=case.customer, channel="phone", case_type="service", severity="high",
                          subject="回访后客户来电", description="客户反映备件未到。")
    assert Case.objects.filter(number=created.number).count() == 1 and created.due_at is not None
    assert created.pk > Case.objects.exclude(pk=created.pk).order_by("-pk").values_list("pk", flat=True)[0]


@pytest.mark.spec("PERF-1", "VIS-1")
def test_a_reset_seeds_the_visits_again_with_the_questionnaires_of_the_reference_data(seeded):
    from aftersales.models import Question, QuestionnaireVersion

    questions = Question.objects.count()
    # when the database is emptied and seeded at another scale (the users go, with CASCADE, and with them
    # the questionnaire versions they created)
    call_command("seed_scale", scale=SCALE * 2, reset=True, stdout=io.StringIO())
    # then the questionnaires have their reference versions again and the visits ask them
    assert QuestionnaireVersion.objects.filter(published_at__isnull=False).exists()
    assert Question.objects.count() == questions
    assert Visit.objects.exists() and not Visit.objects.filter(questionnaire_version__isnull=True).exists()
    assert VisitAnswer.objects.exists()
