"""API-2: a client generated from the schema by openapi-python-client (as an integrator would) imports,
and drives an inquiry to an accepted order against the running server, with typed errors.

The generation runs offline (no post hooks); every response the client receives is also checked
against the document (``tests/api/openapi.py``).
"""
from __future__ import annotations

import datetime as dt
import importlib
import json
import pkgutil
import subprocess
import sys
from decimal import Decimal

import pytest
from django.utils import timezone

from qsm.exports.formats import XLSX_CONTENT_TYPE
from qsm.org.models import Role
from tests.api.openapi import response_errors, schema
from tests.factories import ProductFactory, UserFactory

PACKAGE = "qsm_api_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory, django_db_blocker):
    """The client package generated from the schema, on ``sys.path`` for this module's tests."""
    root = tmp_path_factory.mktemp("client")
    with django_db_blocker.unblock():
        (root / "openapi.json").write_text(json.dumps(schema()), encoding="utf-8")
    # The generator reads binary bodies as application/octet-stream; an integrator maps the
    # workbook's media type onto it (its documented content_type_overrides) to get the download.
    (root / "config.yaml").write_text(
        f"post_hooks: []\npackage_name_override: {PACKAGE}\ncontent_type_overrides:\n"
        f"  {XLSX_CONTENT_TYPE}: application/octet-stream\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "openapi_python_client", "generate", "--path", "openapi.json", "--config", "config.yaml",
                           "--meta", "none", "--output-path", PACKAGE], cwd=root, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr  # nothing it could not read
    sys.path.insert(0, str(root))
    yield importlib.import_module(PACKAGE)
    sys.path.remove(str(root))
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]


@pytest.mark.spec("API-2")
def test_every_generated_module_imports(generated):
    modules, failed = 0, []
    for module in pkgutil.walk_packages(generated.__path__, PACKAGE + "."):
        modules += 1
        try:
            importlib.import_module(module.name)
        except Exception as exc:  # noqa: BLE001 - every failure is listed
            failed.append(f"{module.name}: {exc!r}")
    assert failed == []
    operations = [m for m in pkgutil.walk_packages(generated.__path__, PACKAGE + ".") if ".api." in m.name
                  and not m.ispkg]
    assert len(operations) >= 70 and modules > 150
    # a nested JSON body is sent as JSON (not multipart): the body is encoded with to_dict()
    from qsm_api_client.api.orders import orders_orders_ship_create

    kwargs = orders_orders_ship_create._get_kwargs(id=1, body=_models().ShipRequest(
        quantities=[_models().ShipLineRequest(order_line=3, quantity="2")]))
    assert kwargs["json"]["quantities"] == [{"order_line": 3, "quantity": "2"}] and "files" not in kwargs


def _models():
    return importlib.import_module(PACKAGE + ".models")


def _api(module: str):
    return importlib.import_module(f"{PACKAGE}.api.{module}")


@pytest.mark.spec("API-2", "API-1")
# Like every live-server test: the database is restored from its serialized copy afterwards (the
# root conftest refuses a live-server test without it).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_generated_client_drives_an_inquiry_to_an_accepted_order(generated, transactional_db, live_server,
                                                                    business_department,
                                                                    sales_department, production_department):
    m = _models()
    from qsm_api_client import AuthenticatedClient, Client
    from qsm_api_client.types import Unset

    # given the people of the journey (known passwords; the client signs in by token)
    people = {
        "service": UserFactory(username="svc", department=business_department, roles=[Role.STAFF]),
        "sales": UserFactory(username="seller", department=sales_department, roles=[Role.STAFF]),
        "reviewer": UserFactory(username="boss", department=sales_department, roles=[Role.MANAGER]),
        "engineer": UserFactory(username="fitter", display_name="装调工程师", department=production_department,
                                roles=[Role.STAFF]),
    }
    for user in people.values():
        user.set_password("pass-12345")
        user.save()
    robot = ProductFactory(code="RB-20", name="焊接机器人", list_price=Decimal("150000.00"))
    problems: list[str] = []

    def check(response) -> None:  # every answer the client reads matches the document
        response.read()
        if response.headers.get("content-type", "").startswith("application/json"):
            problems.extend(response_errors(response.request.method, response.request.url.path,
                                            response.status_code, response.json()))

    def client(who: str) -> AuthenticatedClient:
        token_op = _api("core.auth_token_create")
        anonymous = Client(base_url=live_server.url, raise_on_unexpected_status=True)
        token = token_op.sync(client=anonymous, body=m.AuthTokenRequest(username=people[who].username,
                                                                       password="pass-12345"))
        return AuthenticatedClient(base_url=live_server.url, token=token.token, prefix="Token",
                                   raise_on_unexpected_status=True,
                                   httpx_args={"event_hooks": {"response": [check]}})

    service, sales, reviewer, engineer = (client(w) for w in ("service", "sales", "reviewer", "engineer"))
    def presales(op: str):
        return _api(f"presales.{op}")

    def orders(op: str):
        return _api(f"orders.{op}")

    def org(op: str):
        return _api(f"org.{op}")

    def installations(action: str):
        return _api(f"orders.orders_installations_{action}_create")

    # a 400 arrives typed, with field errors and their codes
    bad = presales("presales_inquiries_create").sync_detailed(client=service, body=m.InquiryCreateRequest(
        channel=m.Channel.PHONE, subject="", question="需要报价", new_customer=m.CustomerCreateRequest(name="华东焊装")))
    assert bad.status_code == 400 and isinstance(bad.parsed, m.ValidationError)
    assert bad.parsed.code == m.ErrorCode.INVALID and "subject" in {e.field for e in bad.parsed.errors}
    # a 404 too
    missing = presales("presales_inquiries_retrieve").sync_detailed(client=service, id=999999)
    assert missing.status_code == 404 and isinstance(missing.parsed, m.Error)
    assert missing.parsed.code == m.ErrorCode.NOT_FOUND and missing.parsed.detail

    # the phone inquiry is logged, answered on the phone, and handed over to sales
    inquiry = presales("presales_inquiries_create").sync(client=service, body=m.InquiryCreateRequest(
        channel=m.Channel.PHONE, subject="两台焊接机器人", question="需要两台焊接机器人及安装", answer="已初步答复",
        products=[robot.pk], new_customer=m.CustomerCreateRequest(name="华东焊装有限公司", contact_name="王工")))
    assert inquiry.status == m.InquiryStatus.ANSWERED and inquiry.acknowledged_by_name is None
    sales_id = next(d.id for d in org("org_departments_list").sync(client=service) if d.name == sales_department.name)
    presales("presales_inquiries_hand_over_create").sync(client=service, id=inquiry.id,
                                                         body=m.HandOverRequest(department=sales_id, note="请跟进"))
    acknowledged = presales("presales_inquiries_acknowledge_create").sync(client=sales, id=inquiry.id,
                                                                          body=m.CommentRequest())
    assert acknowledged.status == m.InquiryStatus.ACKNOWLEDGED and acknowledged.acknowledged_by_name

    # a 409: the first response cannot be recorded again
    conflict = presales("presales_inquiries_respond_create").sync_detailed(client=service, id=inquiry.id,
                                                                           body=m.RespondRequest())
    assert conflict.status_code == 409 and isinstance(conflict.parsed, m.Error)
    assert conflict.parsed.code == m.ErrorCode.TRANSITION_NOT_ALLOWED

    # converted; the order's terms agreed; reviewed item by item and approved by a second person
    draft = orders("orders_orders_from_inquiry_draft_retrieve").sync(client=sales, inquiry=inquiry.id)
    assert draft.customer == inquiry.customer and draft.needs
    order = orders("orders_orders_from_inquiry_create").sync(client=sales, body=m.OrderFromInquiryRequest(
        inquiry=inquiry.id, customer_reference="PO-7", installation_required=True,
        site_address="苏州工业园区星湖街 1 号", site_contact="王工 13800001111",
        promised_date=timezone.localdate() + dt.timedelta(days=40),
        lines=[m.OrderLineInputRequest(product=robot.pk, quantity="2", unit_price="150000.00")]))
    assert isinstance(order, m.OrderDetail), order
    assert order.status == m.OrderStatus.REVIEW and order.source_inquiry_number == inquiry.number
    order = orders("orders_orders_partial_update").sync(client=sales, id=order.id, body=m.PatchedOrderUpdateRequest(
        promised_date=timezone.localdate() + dt.timedelta(days=40), installation_required=True,
        site_address="苏州工业园区星湖街 1 号", site_contact="王工 13800001111", customer_reference="PO-7",
        lines=[m.OrderLineInputRequest(product=robot.pk, quantity="2", unit_price="150000.00")]))
    order = orders("orders_orders_findings_create").sync(client=sales, id=order.id, body=m.FindingsRequest(items=[
        m.FindingInputRequest(item=entry.item, result=m.ReviewFindingResult("pass")) for entry in order.review_checklist]))
    order = orders("orders_orders_approve_create").sync(client=reviewer, id=order.id, body=m.CommentRequest())
    assert order.status == m.OrderStatus.APPROVED and order.review_rounds[0].reviewer_name
    order = orders("orders_orders_start_production_create").sync(client=sales, id=order.id, body=m.CommentRequest())

    # shipped in full and received
    delivery = orders("orders_orders_ship_create").sync(client=sales, id=order.id, body=m.ShipRequest(
        quantities=[m.ShipLineRequest(order_line=order.lines[0].id, quantity="2")], carrier="德邦"))
    orders("orders_deliveries_confirm_create").sync(client=sales, id=delivery.id, body=m.DeliveryConfirmRequest(
        quality_note="数量、外观无误"))

    # the engineer is found in the user directory and named on the installation
    found = org("org_users_list").sync(client=sales, q="fitter", role=m.Role.STAFF)
    assert [u.username for u in found.results] == ["fitter"] and found.results[0].department_name
    order = orders("orders_orders_schedule_installation_create").sync(
        client=sales, id=order.id, body=m.ScheduleInstallationRequest(scheduled_for=timezone.localdate(),
                                                                      engineers=[found.results[0].id]))
    installation = order.installation
    assert not isinstance(installation, Unset) and installation.status == m.InstallationStatus.SCHEDULED

    # on site, commissioned, accepted by the customer
    installations("start").sync(client=engineer, id=installation.id, body=m.CommentRequest())
    installations("commission").sync(client=engineer, id=installation.id, body=m.CommissionRequest(
        site_work="安装调平、接电", checklist=[m.CommissioningCheckRequest(item="空载运行 2 小时", ok=True)],
        measurements=[m.MeasurementRequest(name="重复定位精度", value="0.05", unit="mm")]))
    accepted = installations("acceptance").sync(client=engineer, id=installation.id, body=m.AcceptanceRequest(
        result=m.AcceptanceResult.ACCEPTED, signatory="王工"))
    assert accepted.status == m.InstallationStatus.ACCEPTED

    order = orders("orders_orders_retrieve").sync(client=sales, id=order.id)
    assert order.status == m.OrderStatus.ACCEPTED and order.follow_up_reason == m.FollowUpReason.ACCEPTED
    timeline = orders("orders_orders_timeline_list").sync(client=sales, id=order.id)
    assert m.TimelineAction.APPROVE in [entry.action for entry in timeline]
    assert problems == []
