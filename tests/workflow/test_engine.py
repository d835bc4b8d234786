"""WF-1 the transition engine and WF-2 tracked edits, on the real inquiry lifecycle."""
from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext_lazy

from presales.models import Inquiry
from presales.workflows import INQUIRY_WORKFLOW
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.notify.models import Notification
from qsm.notify.services import notify
from qsm.org.models import User
from qsm.sla import services as sla
from qsm.sla.models import Deadline
from qsm.workflow import engine
from qsm.workflow.clocks import Clock
from qsm.workflow.models import Event
from qsm.workflow.selectors import timeline
from tests.builders import inquiries as builders

S = Inquiry.Status


def _snapshot(inquiry: Inquiry) -> tuple:
    fresh = Inquiry.objects.get(pk=inquiry.pk)
    events = Event.objects.filter(object_id=inquiry.pk, content_type__model="inquiry").count()
    return fresh.status, fresh.answer, fresh.responded_at, fresh.due_at, events


@pytest.fixture
def new_inquiry(staff_user):
    return builders.new_inquiry(actor=staff_user, channel="phone")


@pytest.mark.spec("WF-1")
def test_an_unknown_action_is_refused_and_changes_nothing(staff_user, new_inquiry):
    before = _snapshot(new_inquiry)
    with pytest.raises(TransitionNotAllowed) as refused:
        engine.fire(new_inquiry, "teleport", actor=staff_user)
    assert refused.value.action == "teleport"
    assert _snapshot(new_inquiry) == before


@pytest.mark.spec("WF-1")
def test_an_action_from_the_wrong_state_is_refused_and_changes_nothing(staff_user, new_inquiry):
    before = _snapshot(new_inquiry)
    with pytest.raises(TransitionNotAllowed) as refused:
        engine.fire(new_inquiry, "close", actor=staff_user)  # close needs an answered inquiry
    assert (refused.value.action, refused.value.state) == ("close", S.NEW)
    assert str(refused.value)  # a message the page and the API show
    assert _snapshot(new_inquiry) == before
    assert new_inquiry.status == S.NEW  # the caller's instance is untouched too


@pytest.mark.spec("WF-1", "ORG-1")
def test_permission_is_checked(other_department_staff, new_inquiry):
    before = _snapshot(new_inquiry)
    with pytest.raises(PermissionDenied):
        engine.fire(new_inquiry, "respond", actor=other_department_staff, answer="Not mine to answer")
    assert _snapshot(new_inquiry) == before


@pytest.mark.spec("WF-1")
def test_a_guard_refusal_changes_nothing(staff_user, new_inquiry):
    # respond requires the answer given to the customer
    before = _snapshot(new_inquiry)
    with pytest.raises(ValidationError) as refused:
        engine.fire(new_inquiry, "respond", actor=staff_user, answer="   ")
    assert "answer" in refused.value.message_dict
    assert _snapshot(new_inquiry) == before
    assert sla.deadline_for(record=new_inquiry, stage="first_response").state == Deadline.State.RUNNING


@pytest.mark.spec("WF-1")
def test_a_required_comment_is_enforced(staff_user, new_inquiry):
    before = _snapshot(new_inquiry)
    with pytest.raises(ValidationError) as refused:
        engine.fire(new_inquiry, "cancel", actor=staff_user, comment="  ")
    assert refused.value.error_dict["comment"][0].code == "comment_required"
    assert _snapshot(new_inquiry) == before
    engine.fire(new_inquiry, "cancel", actor=staff_user, comment="Logged twice")
    assert new_inquiry.status == S.CANCELLED


@pytest.mark.spec("WF-1")
def test_a_validation_error_after_the_effect_rolls_the_effect_back(monkeypatch, staff_user, manager, new_inquiry):
    # given a transition whose effect writes (closes the clock, notifies, sets a field) and only
    # then finds a problem, as a real effect may
    def effect(inquiry, actor, params):
        sla.deadline_complete(record=inquiry, stage="first_response")
        notify(recipients=[manager], kind="sla_reminder", title=gettext_lazy("Answered"))
        inquiry.answer = "written by the effect"
        inquiry.save()
        raise ValidationError({"answer": "found a problem after writing"})

    table = engine.Workflow(model=Inquiry, transitions=[
        engine.Transition("respond", (S.NEW,), S.ANSWERED, "Respond", lambda user, record: True, effect=effect),
    ])
    monkeypatch.setitem(engine._registry, Inquiry, table)
    before = _snapshot(new_inquiry)
    # when it is fired
    with pytest.raises(ValidationError):
        engine.fire(new_inquiry, "respond", actor=staff_user)
    # then every write of the effect is gone with the transition
    assert _snapshot(new_inquiry) == before
    assert sla.deadline_for(record=new_inquiry, stage="first_response").state == Deadline.State.RUNNING
    assert not Notification.objects.filter(recipient=manager).exists()


@pytest.mark.spec("WF-1", "WF-2")
def test_a_transition_moves_the_state_and_writes_one_timeline_event(staff_user, new_inquiry):
    events_before = _snapshot(new_inquiry)[-1]
    returned = engine.fire(new_inquiry, "respond", actor=staff_user, answer="Quoted", comment="by phone")
    assert returned.status == new_inquiry.status == S.ANSWERED
    assert _snapshot(new_inquiry)[-1] == events_before + 1
    event = Event.objects.filter(kind=Event.Kind.TRANSITION, object_id=new_inquiry.pk).get()
    assert (event.action, event.from_state, event.to_state, event.actor, event.comment) == (
        "respond", S.NEW, S.ANSWERED, staff_user, "by phone")
    with translation.override("en"):
        entry = timeline(new_inquiry)[-1]
        assert (entry.action_label, entry.from_label, entry.to_label) == (
            "Record first response", "Awaiting first response", "Answered")


@pytest.mark.spec("WF-1")
def test_available_lists_what_the_user_may_fire_now(staff_user, other_department_staff, new_inquiry):
    assert {t.action for t in INQUIRY_WORKFLOW.available(new_inquiry, staff_user)} == {"respond", "cancel"}
    assert INQUIRY_WORKFLOW.available(new_inquiry, other_department_staff) == []


@pytest.mark.spec("WF-1")
def test_a_table_with_an_unknown_state_fails_at_start_up():
    with pytest.raises(ValueError, match="unknown states"):
        engine.Workflow(model=Inquiry, transitions=[
            engine.Transition("fly", (S.NEW,), "airborne", "Fly", lambda user, record: True),
        ])


# --- WF-2 edits ------------------------------------------------------------------------------


@pytest.mark.spec("WF-2")
def test_edit_writes_one_event_with_old_and_new_of_tracked_fields_only(staff_user, new_inquiry):
    old_subject = new_inquiry.subject
    events_before = Event.objects.filter(object_id=new_inquiry.pk, kind=Event.Kind.EDIT).count()
    with translation.override("en"):
        changes = engine.edit(new_inquiry, actor=staff_user, tracked=["subject", "priority", "contact_name"],
                              data={"subject": "Spindle speeds", "priority": "high", "contact_name": "",
                                    "contact_phone": "13900000000"}, comment="customer called back")
    # stored raw (field names and codes, no one's language): rendered when read (test_timeline.py)
    expected = [
        {"field": "subject", "old": old_subject, "new": "Spindle speeds"},
        {"field": "priority", "old": "normal", "new": "high"},
    ]
    assert changes == expected  # contact_name did not change; contact_phone is not tracked
    event = Event.objects.filter(object_id=new_inquiry.pk, kind=Event.Kind.EDIT).get()
    assert Event.objects.filter(object_id=new_inquiry.pk, kind=Event.Kind.EDIT).count() == events_before + 1
    assert (event.changes, event.actor, event.comment) == (expected, staff_user, "customer called back")
    fresh = Inquiry.objects.get(pk=new_inquiry.pk)
    assert (fresh.subject, fresh.priority, fresh.contact_phone) == ("Spindle speeds", "high", "13900000000")
    # an edit that changes nothing tracked and says nothing leaves no line
    assert engine.edit(fresh, actor=staff_user, data={"contact_phone": "1"}, tracked=["subject"]) == []
    assert Event.objects.filter(object_id=new_inquiry.pk, kind=Event.Kind.EDIT).count() == events_before + 1


@pytest.mark.spec("WF-2", "WF-1")
def test_edit_refuses_the_status_field(staff_user, new_inquiry):
    before = _snapshot(new_inquiry)
    with pytest.raises(ValidationError) as refused:
        engine.edit(new_inquiry, actor=staff_user, data={"status": S.CLOSED, "subject": "sneaky"}, tracked=["subject"])
    assert refused.value.error_dict["status"][0].code == "status_readonly"
    assert _snapshot(new_inquiry) == before
    assert Inquiry.objects.get(pk=new_inquiry.pk).subject != "sneaky"


# --- concurrency -----------------------------------------------------------------------------


@pytest.mark.spec("WF-1")
@pytest.mark.django_db(transaction=True)
def test_two_people_firing_the_same_transition_at_once_one_wins(staff_user, colleague):
    for round_no in range(5):
        # given a new inquiry and two people of its department pressing "respond" together
        inquiry = builders.new_inquiry(actor=staff_user, channel="phone", subject=f"Race {round_no}")
        barrier = threading.Barrier(2)
        outcomes: list = []

        def press(user_pk: int, answer: str, inquiry=inquiry, barrier=barrier, outcomes=outcomes):
            try:
                actor = User.objects.get(pk=user_pk)
                record = Inquiry.objects.get(pk=inquiry.pk)
                barrier.wait(timeout=30)
                engine.fire(record, "respond", actor=actor, answer=answer)
                outcomes.append(("ok", answer))
            except Exception as exc:  # the assertions below say which were expected
                outcomes.append((type(exc).__name__, answer))
            finally:
                connection.close()

        threads = [threading.Thread(target=press, args=(u.pk, f"answer of {u.username}"))
                   for u in (staff_user, colleague)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        # then exactly one succeeds, the other is refused after the lock, and one event is written
        assert sorted(kind for kind, _answer in outcomes) == ["TransitionNotAllowed", "ok"], outcomes
        winner = next(answer for kind, answer in outcomes if kind == "ok")
        fresh = Inquiry.objects.get(pk=inquiry.pk)
        assert (fresh.status, fresh.answer) == (S.ANSWERED, winner)
        assert Event.objects.filter(object_id=inquiry.pk, kind=Event.Kind.TRANSITION, action="respond",
                                    content_type__model="inquiry").count() == 1


@pytest.mark.spec("WF-1")
@pytest.mark.parametrize(("clock", "message"), [
    (dict(states=("answred",)), "unknown states"),  # a typo in a state
    (dict(states=(S.NEW,), pauses=(S.NEW,)), "both run and pause"),
    (dict(states=(S.NEW,), due="answer_by"), "no field 'answer_by'"),  # a typo in the agreed date's field
    (dict(states=(S.NEW,), channel="chanel"), "no field 'chanel'"),
])
def test_a_mistake_in_a_declared_clock_fails_when_the_table_is_built(clock, message):
    with pytest.raises(ValueError, match=message):
        engine.Workflow(model=Inquiry, transitions=[], clocks=[Clock("first_response", title=str, **clock)])


@pytest.mark.spec("WF-1", "SLA-1")
def test_a_refused_transition_leaves_the_clocks_as_they_were(staff_user, new_inquiry):
    # given a new inquiry whose first-response clock runs
    running = sla.deadline_for(record=new_inquiry, stage="first_response")
    # when "respond" is refused by its guard (no answer)
    with pytest.raises(ValidationError):
        engine.fire(new_inquiry, "respond", actor=staff_user, answer="  ")
    # then the clock still runs, unchanged, and the inquiry still shows it
    assert sla.deadline_for(record=new_inquiry, stage="first_response") == running
    assert Deadline.objects.get(pk=running.pk).state == Deadline.State.RUNNING
    assert Inquiry.objects.get(pk=new_inquiry.pk).due_at == running.due_at


@pytest.mark.spec("WF-1")
def test_the_guard_and_the_effect_read_the_transition_s_comment(monkeypatch, staff_user, new_inquiry):
    # (a plan step's "what was done" is the comment of its "complete": aftersales.workflows)
    import dataclasses

    seen = []
    cancel = INQUIRY_WORKFLOW.by_action["cancel"]
    monkeypatch.setitem(INQUIRY_WORKFLOW.by_action, "cancel", dataclasses.replace(
        cancel, guard=lambda r, a, p: seen.append(("guard", p["comment"])),
        effect=lambda r, a, p: seen.append(("effect", p["comment"]))))
    engine.fire(new_inquiry, "cancel", actor=staff_user, comment="  Logged twice ")
    assert seen == [("guard", "Logged twice"), ("effect", "Logged twice")]
