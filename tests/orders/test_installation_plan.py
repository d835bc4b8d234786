"""ORD-3 (issue 7): the installation date is validated when it is scheduled; a scheduled installation
can be rescheduled and its engineers changed (with a reason, under the order's lock, on the timeline,
the engineers told); only people who install can be named; every commissioning is its own round."""
from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.utils import timezone, translation

from orders import services
from orders.models import CommissioningRound, Installation, Order
from orders.selectors import engineer_candidates, order_timeline
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.notify.models import Notification
from qsm.org.models import Role
from qsm.workflow.models import Event
from tests.builders.orders import installation_in, order_in
from tests.factories import UserFactory

S = Order.Status
I = Installation.Status  # noqa: E741


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def engineer(production_department):
    return UserFactory(username="sun", display_name="孙浩", department=production_department, roles=[Role.STAFF])


@pytest.fixture
def second_engineer(production_department):
    return UserFactory(username="ma", display_name="马军", department=production_department, roles=[Role.MANAGER])


@pytest.fixture
def delivered(sales_user, customer):
    return order_in(S.DELIVERED, actor=sales_user, customer=customer, installation=True)


@pytest.fixture
def delivered_last_week(sales_user, customer):
    """Received and delivered a week ago, installation still to schedule."""
    with time_machine.travel(timezone.now() - dt.timedelta(days=7)):
        return order_in(S.DELIVERED, actor=sales_user, customer=customer, installation=True)


@pytest.fixture
def scheduled(sales_user, customer, engineer):
    return order_in(S.INSTALLING, actor=sales_user, engineer=engineer, customer=customer, installation=True)


def _state(order: Order) -> tuple:
    """What a refused action must leave as it was."""
    installation = Installation.objects.filter(order=order).first()
    return (Order.objects.get(pk=order.pk).status,
            installation and (installation.status, installation.scheduled_for,
                              sorted(installation.engineers.values_list("pk", flat=True))),
            Event.objects.count(), Notification.objects.count())


# --- 1. the date of a new installation --------------------------------------------------------------


@pytest.mark.spec("ORD-3", "SEC-1")
@pytest.mark.parametrize("day, message", [
    (dt.date(2020, 1, 1), "The installation date cannot be before the order was received"),
    (None, "Choose the installation date."),
    ("yesterday", "The installation date cannot be in the past."),
    ("too far", "The installation date can be at most 365 days ahead"),
])
def test_an_impossible_installation_date_is_refused(english, delivered_last_week, sales_user, engineer, day,
                                                    message):
    # given an order received and delivered a week ago
    order = delivered_last_week
    day = {"yesterday": today() - dt.timedelta(days=1), "too far": today() + dt.timedelta(days=366)}.get(day, day)
    before = _state(order)

    with pytest.raises(ValidationError) as refused:
        services.installation_schedule(order=order, actor=sales_user, scheduled_for=day, engineers=[engineer])

    assert list(refused.value.message_dict) == ["scheduled_for"]
    assert refused.value.message_dict["scheduled_for"][0].startswith(message)
    assert _state(order) == before


@pytest.mark.spec("ORD-3")
def test_a_date_before_the_delivery_was_completed_is_refused(english, sales_user, customer, engineer):
    # given an order received two weeks ago and delivered today
    with time_machine.travel(timezone.now() - dt.timedelta(days=14)):
        order = order_in(S.IN_PRODUCTION, actor=sales_user, customer=customer, installation=True)
    order = _deliver(order, sales_user)

    with pytest.raises(ValidationError) as refused:
        services.installation_schedule(order=order, actor=sales_user, engineers=[engineer],
                                       scheduled_for=today() - dt.timedelta(days=3))

    assert refused.value.message_dict["scheduled_for"][0].startswith(
        "The installation date cannot be before the delivery was completed")


def _deliver(order: Order, actor) -> Order:
    line = order.lines.get()
    delivery = services.delivery_ship(order=order, actor=actor, quantities={line.pk: line.quantity})
    services.delivery_confirm(delivery=delivery, actor=actor, quality_note="无误")
    return Order.objects.get(pk=order.pk)


@pytest.mark.spec("ORD-3")
def test_the_chinese_message_says_why(delivered, sales_user, engineer):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.installation_schedule(order=delivered, actor=sales_user, scheduled_for=dt.date(2020, 1, 1),
                                       engineers=[engineer])

    received = timezone.localdate(delivered.received_at).isoformat()
    assert refused.value.message_dict["scheduled_for"] == [f"安装日期不能早于订单接收日期（{received}）。"]


@pytest.mark.spec("ORD-3")
@pytest.mark.parametrize("days", [0, 365])
def test_today_and_the_last_day_ahead_are_accepted(delivered, sales_user, engineer, days):
    installation = services.installation_schedule(order=delivered, actor=sales_user, engineers=[engineer],
                                                  scheduled_for=today() + dt.timedelta(days=days))

    assert installation.scheduled_for == today() + dt.timedelta(days=days)


@pytest.mark.spec("ORD-3")
@override_settings(ORDER_INSTALLATION_MAX_DAYS_AHEAD=30)
def test_how_far_ahead_is_a_setting(english, delivered, sales_user, engineer):
    with pytest.raises(ValidationError) as refused:
        services.installation_schedule(order=delivered, actor=sales_user, engineers=[engineer],
                                       scheduled_for=today() + dt.timedelta(days=31))

    assert "at most 30 days ahead" in refused.value.message_dict["scheduled_for"][0]


# --- 3. who can be named engineer -------------------------------------------------------------------


@pytest.mark.spec("ORD-3", "ORG-1")
def test_engineer_choices_are_the_people_who_install(engineer, second_engineer, sales_user, sales_manager,
                                                      administrator, quality_officer, production_department,
                                                      sales_department):
    # given a sales engineer with the installation engineer role and a production colleague who left
    sales_engineer = UserFactory(username="sales-eng", department=sales_department,
                                 roles=[Role.STAFF, Role.INSTALLATION_ENGINEER])
    gone = UserFactory(username="gone", department=production_department, roles=[Role.STAFF], is_active=False)

    offered = set(engineer_candidates())

    # then: production staff and managers, and whoever has the role; not sales staff, administrators,
    # the quality department or someone who left
    assert offered == {engineer, second_engineer, sales_engineer}
    assert not offered & {sales_user, sales_manager, administrator, quality_officer, gone}


@pytest.mark.spec("ORD-3", "ORG-1")
def test_scheduling_with_someone_who_does_not_install_is_refused(english, delivered, sales_user, administrator):
    before = _state(delivered)

    with pytest.raises(ValidationError) as refused:
        services.installation_schedule(order=delivered, actor=sales_user, scheduled_for=today(),
                                       engineers=[sales_user, administrator])

    assert list(refused.value.message_dict) == ["engineers"]
    assert "cannot be named engineer" in refused.value.message_dict["engineers"][0]
    assert _state(delivered) == before


# --- 2. reschedule ----------------------------------------------------------------------------------


@pytest.mark.spec("ORD-3", "WF-2", "NTF-1")
def test_rescheduling_moves_the_date_with_the_reason_on_the_timeline_and_tells_the_engineers(
        scheduled, sales_user, engineer):
    installation = scheduled.installation
    old = installation.scheduled_for
    new = old + dt.timedelta(days=5)

    services.installation_reschedule(installation=installation, actor=sales_user, scheduled_for=new,
                                     reason="客户现场土建未完工")

    installation.refresh_from_db()
    assert installation.scheduled_for == new
    # the timeline: an edit of the date, old -> new, with the reason, in the reader's language
    with translation.override("zh-hans"):
        entry = next(e for e in order_timeline(scheduled) if e.event.action == "reschedule")
        assert entry.summary == f"安装改期：{old:%Y年%-m月%-d日} → {new:%Y年%-m月%-d日}"
        assert entry.action_label == "改期"
    assert entry.comment == "客户现场土建未完工" and entry.actor == sales_user
    assert [(c["field"], c["old"], c["new"]) for c in entry.event.changes] == [
        ("scheduled_for", old.isoformat(), new.isoformat())]
    with translation.override("en"):
        entry = next(e for e in order_timeline(scheduled) if e.event.action == "reschedule")
        assert entry.summary.startswith("Installation rescheduled from ")
    # the engineers are told, in their language
    told = Notification.objects.get(kind="installation_rescheduled")
    assert told.recipient == engineer and new.isoformat() in told.title and scheduled.number in told.title


@pytest.mark.spec("ORD-3")
@pytest.mark.parametrize("reason, day, field", [
    ("", 5, "reason"),
    ("客户要求", -1, "scheduled_for"),  # in the past
    ("客户要求", 0, "scheduled_for"),  # the same date
    ("客户要求", 400, "scheduled_for"),
])
def test_rescheduling_needs_a_reason_and_a_possible_new_date(scheduled, sales_user, reason, day, field):
    installation = scheduled.installation
    before = _state(scheduled)
    new = installation.scheduled_for + dt.timedelta(days=day)

    with pytest.raises(ValidationError) as refused:
        services.installation_reschedule(installation=installation, actor=sales_user, scheduled_for=new,
                                         reason=reason)

    assert list(refused.value.message_dict) == [field]
    assert _state(scheduled) == before


@pytest.mark.spec("ORD-3", "ORG-1")
def test_only_who_may_schedule_may_reschedule(scheduled, engineer, other_department_staff, administrator):
    installation = scheduled.installation
    before = _state(scheduled)
    for outsider in (engineer, other_department_staff):
        with pytest.raises(PermissionDenied):
            services.installation_reschedule(installation=installation, actor=outsider,
                                             scheduled_for=today() + dt.timedelta(days=3), reason="想改")
        with pytest.raises(PermissionDenied):
            services.installation_change_engineers(installation=installation, actor=outsider, engineers=[outsider],
                                                   reason="想改")
    assert _state(scheduled) == before
    # an administrator may, as they may schedule
    services.installation_reschedule(installation=installation, actor=administrator,
                                     scheduled_for=today() + dt.timedelta(days=3), reason="统一调整")


@pytest.mark.spec("ORD-3", "WF-1")
def test_an_installation_on_site_is_not_rescheduled(scheduled, sales_user, engineer):
    installation = installation_in(I.ON_SITE, installation=scheduled.installation, actor=sales_user,
                                   engineer=engineer)
    before = _state(scheduled)

    with pytest.raises(TransitionNotAllowed):
        services.installation_reschedule(installation=installation, actor=sales_user,
                                         scheduled_for=today() + dt.timedelta(days=3), reason="客户要求")

    assert _state(scheduled) == before


# --- 2. change engineers ----------------------------------------------------------------------------


@pytest.mark.spec("ORD-3", "WF-2", "NTF-1")
def test_changing_engineers_is_on_the_timeline_and_tells_both(scheduled, sales_user, engineer, second_engineer):
    installation = scheduled.installation

    services.installation_change_engineers(installation=installation, actor=sales_user, engineers=[second_engineer],
                                           reason="孙浩出差")

    assert list(installation.engineers.all()) == [second_engineer]
    with translation.override("zh-hans"):
        entry = next(e for e in order_timeline(scheduled) if e.event.action == "change_engineers")
    assert entry.summary == "更换工程师：新增 1 名工程师; 撤下 1 名工程师" and entry.action_label == "更换工程师"
    assert entry.changes[0]["old"] == "孙浩" and entry.changes[0]["new"] == "马军"
    assert entry.comment == "孙浩出差"
    assert {(n.kind, n.recipient) for n in Notification.objects.filter(kind__startswith="installation_")} >= {
        ("installation_scheduled", second_engineer), ("installation_unassigned", engineer)}
    # the engineer taken off no longer works the installation; the new one does
    with pytest.raises(PermissionDenied):
        services.installation_start(installation=installation, actor=engineer)
    services.installation_start(installation=installation, actor=second_engineer)


@pytest.mark.spec("ORD-3")
def test_changing_engineers_needs_a_reason_people_who_install_and_a_change(english, scheduled, sales_user, engineer,
                                                                           second_engineer):
    installation = scheduled.installation
    before = _state(scheduled)
    cases = [([second_engineer], "", "reason"), ([sales_user], "换人", "engineers"), ([], "换人", "engineers"),
             ([engineer], "换人", "engineers")]
    for engineers, reason, field in cases:
        with pytest.raises(ValidationError) as refused:
            services.installation_change_engineers(installation=installation, actor=sales_user, engineers=engineers,
                                                   reason=reason)
        assert list(refused.value.message_dict) == [field], (engineers, reason)
    assert _state(scheduled) == before


@pytest.mark.spec("ORD-3", "WF-1")
def test_engineers_change_on_site_and_in_rework_but_not_once_commissioned(scheduled, sales_user, engineer,
                                                                          second_engineer):
    installation = installation_in(I.ON_SITE, installation=scheduled.installation, actor=sales_user,
                                   engineer=engineer)
    services.installation_change_engineers(installation=installation, actor=sales_user,
                                           engineers=[engineer, second_engineer], reason="需要两人")
    services.installation_commission(installation=installation, actor=engineer, site_work="安装调平",
                                     checklist=[{"item": "空载运行", "ok": True}])

    with pytest.raises(TransitionNotAllowed):
        services.installation_change_engineers(installation=installation, actor=sales_user, engineers=[engineer],
                                               reason="换人")

    assert set(installation.engineers.all()) == {engineer, second_engineer}


# --- 4. commissioning rounds ------------------------------------------------------------------------


@pytest.mark.spec("ORD-3")
def test_commissioning_again_after_a_rejection_is_a_new_round(scheduled, sales_user, engineer):
    installation = installation_in(I.REWORK, installation=scheduled.installation, actor=sales_user,
                                   engineer=engineer)
    first = list(CommissioningRound.objects.filter(installation=installation).values())

    services.installation_commission(installation=installation, actor=engineer, site_work="更换主轴轴承",
                                     checklist=[{"item": "噪音测试", "ok": True}])

    rounds = list(installation.commissioning_rounds.order_by("number"))
    assert [r.number for r in rounds] == [1, 2]
    assert list(CommissioningRound.objects.filter(pk=rounds[0].pk).values()) == first  # never overwritten
    assert (rounds[1].site_work, rounds[1].checklist, rounds[1].measurements, rounds[1].recorded_by) == (
        "更换主轴轴承", [{"item": "噪音测试", "ok": True}], [], engineer)
    assert installation.latest_commissioning == rounds[1]


@pytest.mark.spec("ORD-3")
def test_a_new_round_describes_its_own_work(english, scheduled, sales_user, engineer):
    installation = installation_in(I.REWORK, installation=scheduled.installation, actor=sales_user,
                                   engineer=engineer)

    with pytest.raises(ValidationError) as refused:
        services.installation_commission(installation=installation, actor=engineer, site_work="",
                                         checklist=[{"item": "噪音测试", "ok": True}])

    assert refused.value.message_dict == {"site_work": ["Describe the work done on site."]}
    assert installation.commissioning_rounds.count() == 1


BEFORE = [("orders", "0009_remove_progress_note")]
AFTER = [("orders", "0012_commissioning_rounds")]


@pytest.mark.spec("ORD-3")
@pytest.mark.django_db(transaction=True)
def test_the_commissioning_kept_before_rounds_becomes_a_numbered_round(sales_user, customer, engineer):
    order = order_in(S.INSTALLING, actor=sales_user, engineer=engineer, customer=customer, installation=True)
    untouched = order_in(S.INSTALLING, actor=sales_user, engineer=engineer, customer=customer, installation=True)
    pk = order.installation.pk
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    try:
        # given an installation commissioned twice (the second record overwrote the first) and one not yet
        OldInstallation = old.get_model("orders", "Installation")
        at = timezone.now().replace(microsecond=0)
        OldInstallation.objects.filter(pk=pk).update(
            status="commissioned", site_work="更换轴承", commissioning_checklist=[{"item": "噪音测试", "ok": True}],
            measurements=[{"name": "噪音", "value": "62", "unit": "dB"}], commissioning_notes="合格",
            commissioned_at=at)
        ct = old.get_model("contenttypes", "ContentType").objects.get(app_label="orders", model="installation")
        OldEvent = old.get_model("workflow", "Event")
        for actor in (sales_user, engineer):
            OldEvent.objects.create(content_type_id=ct.pk, object_id=pk, kind="transition", action="commission",
                                    from_state="on_site", to_state="commissioned", actor_id=actor.pk)
        # when the migration runs
        MigrationExecutor(connection).migrate(AFTER)
    finally:
        MigrationExecutor(connection).migrate(latest)
    # then the record is round 2, by whoever commissioned last; nothing for the other installation
    rounds = list(CommissioningRound.objects.filter(installation_id=pk).values(
        "number", "site_work", "checklist", "measurements", "notes", "recorded_by", "commissioned_at"))
    assert rounds == [{"number": 2, "site_work": "更换轴承", "checklist": [{"item": "噪音测试", "ok": True}],
                       "measurements": [{"name": "噪音", "value": "62", "unit": "dB"}], "notes": "合格",
                       "recorded_by": engineer.pk, "commissioned_at": at}]
    assert not CommissioningRound.objects.filter(installation=untouched.installation).exists()
