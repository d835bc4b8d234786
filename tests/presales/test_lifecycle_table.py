"""WF-1 table-driven: every (state, action, role) of the inquiry either works or is refused
with the right error, and nothing changes when refused (STYLE.md, Tests)."""
from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from presales import services
from presales.models import Inquiry
from presales.workflows import INQUIRY_WORKFLOW
from qsm.errors import PermissionDenied, TransitionNotAllowed, ValidationError
from qsm.workflow.models import Event
from tests.builders.inquiries import inquiry_in, new_inquiry

S = Inquiry.Status
ROLES = ["owner", "colleague", "manager", "handover_staff", "quality_officer", "outsider", "production"]
# Who may fire each action (independent of state): the owning department or the receiving one.
WHO = {
    "respond": {"owner", "colleague", "manager"},
    "open_discussion": {"owner", "colleague", "manager"},
    "hand_over": {"owner", "colleague", "manager"},
    "acknowledge": {"handover_staff"},
    "return": {"handover_staff"},
    "convert": {"handover_staff"},
    "close": {"owner", "colleague", "manager"},
    "reopen": {"owner", "colleague", "manager"},
    "cancel": {"owner", "colleague", "manager"},
}
EXPECTED_TABLE = {
    "respond": ({S.NEW}, S.ANSWERED),
    "open_discussion": ({S.ANSWERED}, S.DISCUSSION),
    "hand_over": ({S.ANSWERED, S.DISCUSSION}, S.HANDED_OVER),
    "acknowledge": ({S.HANDED_OVER}, S.ACKNOWLEDGED),
    "return": ({S.HANDED_OVER}, S.ANSWERED),
    "convert": ({S.ACKNOWLEDGED}, S.CONVERTED),
    "close": ({S.ANSWERED}, S.CLOSED),
    "reopen": ({S.CLOSED}, S.ANSWERED),
    "cancel": ({S.NEW, S.ANSWERED, S.DISCUSSION}, S.CANCELLED),
}


@pytest.fixture
def people(staff_user, colleague, manager, sales_user, quality_officer, other_department_staff, production_user):
    return {
        "owner": staff_user,
        "colleague": colleague,
        "manager": manager,
        "handover_staff": sales_user,
        "quality_officer": quality_officer,
        "outsider": other_department_staff,
        "production": production_user,
    }


def _bring_to(state: str, people, production_department, sales_department) -> Inquiry:
    """A fresh inquiry of the owner at ``state``: answered afterwards, and through the complex path
    (discussion with production, a solution) before the hand-over to sales."""
    return inquiry_in(state, actor=people["owner"], respond=True, complex=True, topic="方案讨论",
                      invited=[production_department], solution=("方案", "内容"), hand_over_to=sales_department,
                      receiver=people["handover_staff"])


def _params(action: str, sales_department) -> dict:
    return {
        "respond": {"answer": "答复内容"},
        "open_discussion": {"topic": "再讨论", "departments": [sales_department]},
        "hand_over": {"department": sales_department, "note": "请跟进"},
        "return": {"comment": "信息不全"},
        "reopen": {"comment": "客户又来电"},
        "cancel": {"comment": "重复登记"},
    }.get(action, {})


def test_declared_table_is_the_one_tested():
    declared = {a: (set(t.sources), t.target) for a, t in INQUIRY_WORKFLOW.by_action.items()}
    assert declared == EXPECTED_TABLE


@pytest.mark.spec("WF-1", "ORG-1", "PRE-1", "PRE-3", "PRE-4")
@pytest.mark.parametrize("state", list(S.values))
def test_every_state_action_role(state, people, production_department, sales_department):
    ct = ContentType.objects.get_for_model(Inquiry)
    for action, (sources, target) in EXPECTED_TABLE.items():
        for role in ROLES:
            inquiry = _bring_to(state, people, production_department, sales_department)
            actor = people[role]
            if action == "open_discussion" and state == S.ANSWERED:
                services.inquiry_mark_complex(inquiry=inquiry, actor=people["owner"])
            before_events = Event.objects.filter(content_type=ct, object_id=inquiry.pk).count()
            params = _params(action, sales_department)
            comment = params.pop("comment", "")
            allowed_role = role in WHO[action]
            if role == "handover_staff" and inquiry.handover_department_id is None:
                allowed_role = False  # never handed to their department: they have no say on it
            allowed_state = state in sources
            if action == "convert":
                from orders.services import order_create_from_inquiry
                from tests.builders.orders import conversion_body

                body = conversion_body(inquiry)

                def call(inquiry=inquiry, actor=actor, body=body):
                    return order_create_from_inquiry(inquiry=inquiry, actor=actor, **body)
            else:
                def call(inquiry=inquiry, actor=actor, action=action, comment=comment, params=params):
                    return services.inquiry_fire(inquiry=inquiry, actor=actor, action=action, comment=comment,
                                                 **params)
            label = f"{state}/{action}/{role}"
            if allowed_role and allowed_state:
                call()
                inquiry.refresh_from_db()
                assert inquiry.status == target, label
                assert Event.objects.filter(content_type=ct, object_id=inquiry.pk).count() > before_events, label
            else:
                expected = PermissionDenied if not allowed_role else TransitionNotAllowed
                if action == "convert" and state == S.CONVERTED:
                    expected = TransitionNotAllowed  # already converted: refused before the role check
                with pytest.raises(expected):
                    call()
                inquiry.refresh_from_db()
                assert inquiry.status == state, label
                assert Event.objects.filter(content_type=ct, object_id=inquiry.pk).count() == before_events, label


@pytest.mark.spec("WF-1", "PRE-3")
def test_guards_refuse_and_change_nothing(people, production_department, sales_department, quality_department):
    owner = people["owner"]
    # open_discussion needs the complex mark
    inquiry = _bring_to(S.ANSWERED, people, production_department, sales_department)
    with pytest.raises(ValidationError) as err:
        services.inquiry_open_discussion(inquiry=inquiry, actor=owner, topic="t", departments=[production_department])
    assert "is_complex" in err.value.error_dict
    # hand-over to a non-business department is refused
    with pytest.raises(ValidationError) as err:
        services.inquiry_hand_over(inquiry=inquiry, actor=owner, department=quality_department)
    assert "department" in err.value.error_dict
    # a discussion without a solution cannot be handed over
    inquiry = services.inquiry_mark_complex(inquiry=inquiry, actor=owner)
    inquiry = services.inquiry_open_discussion(inquiry=inquiry, actor=owner, topic="t",
                                               departments=[production_department])
    with pytest.raises(ValidationError) as err:
        services.inquiry_hand_over(inquiry=inquiry, actor=owner, department=sales_department)
    assert "solution" in err.value.error_dict
    inquiry.refresh_from_db()
    assert inquiry.status == S.DISCUSSION and inquiry.handover_department is None
    # respond needs an answer; return/cancel/reopen need a comment
    fresh = new_inquiry(actor=owner)
    with pytest.raises(ValidationError):
        services.inquiry_respond(inquiry=fresh, actor=owner, answer="  ")
    fresh.refresh_from_db()
    assert fresh.status == S.NEW and fresh.responded_at is None
    with pytest.raises(ValidationError):
        services.inquiry_cancel(inquiry=fresh, actor=owner, comment="")
    fresh.refresh_from_db()
    assert fresh.status == S.NEW
