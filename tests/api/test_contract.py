"""API-2: the OpenAPI document is a contract a generated client can use, checked over EVERY operation
(so an endpoint added later is held to it too), and the answers of the running API match it."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.urls import get_resolver
from django.utils import timezone
from openapi_spec_validator import validate as validate_spec
from rest_framework.test import APIClient

from presales import services as presales_services
from qsm.contacts.models import Channel
from tests.api.conftest import inquiry_url
from tests.api.openapi import operations, response_errors, schema
from tests.builders.inquiries import inquiry_in
from tests.builders.orders import order_in

COMMITTED = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.yaml"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
CJK = re.compile(r"[\u3400-\u9fff]")


def refs(node) -> list[str]:
    if isinstance(node, dict):
        return ([node["$ref"]] if "$ref" in node else []) + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    return []


def inline_enums(node, where: str = "") -> list[str]:
    """Places where an enum is written out instead of referring to its named component."""
    if isinstance(node, dict):
        found = [where] if "enum" in node else []
        return found + [w for k, v in node.items() for w in inline_enums(v, f"{where}/{k}")]
    if isinstance(node, list):
        return [w for i, v in enumerate(node) for w in inline_enums(v, f"{where}/{i}")]
    return []


# --- the document -------------------------------------------------------------------------------


@pytest.mark.spec("API-2")
def test_the_schema_is_valid_openapi(db):
    validate_spec(schema())  # openapi-spec-validator: e.g. an e-mail field defaulting to "" fails it


@pytest.mark.spec("API-2")
def test_request_bodies_are_json_only_and_uploads_multipart(db):
    for path, method, operation in operations():
        body = operation.get("requestBody")
        if body is None:
            continue
        assert set(body["content"]) in ({"application/json"}, {"multipart/form-data"}), (method, path)
        if "multipart/form-data" in body["content"]:
            target = body["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
            fields = schema()["components"]["schemas"][target]["properties"]
            assert any(f.get("format") == "binary" for f in fields.values()), (method, path)  # an upload


@pytest.mark.spec("API-2")
def test_every_operation_declares_its_error_answers_with_a_code(db):
    components = schema()["components"]["schemas"]
    assert set(components["Error"]["required"]) == {"detail", "code"}
    assert components["Error"]["properties"]["code"] == {"$ref": "#/components/schemas/ErrorCode"}
    assert {"invalid", "not_authenticated", "permission_denied", "not_found", "transition_not_allowed"} <= set(
        components["ErrorCode"]["enum"])
    assert components["FieldError"]["required"] == ["field", "message", "code"]
    checked = 0
    for path, method, operation in operations():
        responses = operation["responses"]
        needs_user = operation.get("security") not in (None, [], [{}])
        expected = {"429"}
        if method in WRITES or any(p["in"] == "query" for p in operation.get("parameters", [])):
            expected.add("400")
        if needs_user:
            expected |= {"401", "403"}
        if "{" in path or (method in WRITES and needs_user):
            expected.add("404")
        if method in WRITES and needs_user:
            expected.add("409")
        assert expected <= set(responses), (method, path, sorted(responses))
        for code in expected:
            body = responses[code]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/" + ("ValidationError" if code == "400" else "Error")}
        checked += 1
    assert checked > 70


@pytest.mark.spec("API-2")
def test_ids_in_paths_are_integers(db):
    for path, method, operation in operations():
        for param in operation.get("parameters", []):
            if param["in"] == "path":
                assert param["schema"] == {"type": "integer"}, (method, path, param)


@pytest.mark.spec("API-2")
def test_enums_are_named_components_each_defined_once(db):
    doc = schema()
    assert inline_enums(doc["paths"]) == []  # query parameters and bodies refer to the components
    components = doc["components"]["schemas"]
    for name, component in components.items():
        assert inline_enums(component.get("properties", {})) == [], name
    value_sets = [frozenset(c["enum"]) for c in components.values() if "enum" in c]
    assert len(value_sets) == len(set(value_sets))  # no two names for one choice set
    # and what were plain strings are enums now
    props = {name: c.get("properties", {}) for name, c in components.items()}
    assert "TimelineAction" in refs(props["TimelineEntry"]["action"])[0]
    assert "WorkflowState" in refs(props["TimelineEntry"]["from_state"])[0]
    assert "Role" in props["Me"]["roles"]["items"]["$ref"] and "Language" in refs(props["Me"]["language"])[0]
    assert "TimelineAction" in refs(props["AvailableAction"]["action"])[0]
    assert "FollowUpReason" in refs(props["OrderDetail"]["follow_up_reason"])[0]
    assert "Channel" in refs(props["Solution"]["sent_via"])[0]
    assert {"approve", "ship", "respond", "attach"} <= set(components["TimelineAction"]["enum"])
    assert {"review", "accepted", "handed_over"} <= set(components["WorkflowState"]["enum"])


# Calls whose ``action=`` keyword is not a timeline line: a refusal names the action it refused
# (``TransitionNotAllowed``), argparse's ``add_argument`` its kind of option.
_NOT_TIMELINE_CALLS = {"TransitionNotAllowed", "add_argument"}


def _action_keywords(text: str) -> set[str]:
    """The string values of ``action=`` keywords in a module's calls, but those of _NOT_TIMELINE_CALLS."""
    found = set()
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in _NOT_TIMELINE_CALLS:
            continue
        for keyword in node.keywords:
            if keyword.arg == "action" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                found.add(keyword.value.value)
    return found


@pytest.mark.spec("API-2", "WF-2")
def test_every_action_the_code_writes_on_a_timeline_is_in_the_enum(db):
    # ``engine.note(..., action="x")`` and the like: a module declares its line with
    # ``register_event_text`` (the core's own are engine.NOTE_ACTIONS), or timelines carrying it
    # would answer a value the schema does not allow.
    written = set()
    for source in Path(settings.BASE_DIR).glob("*/**/*.py"):
        parts = source.relative_to(settings.BASE_DIR).parts
        if parts[0] in ("tests", ".venv", "node_modules") or "migrations" in parts:
            continue
        written |= _action_keywords(source.read_text(encoding="utf-8"))
    assert written and written - set(schema()["components"]["schemas"]["TimelineAction"]["enum"]) == set()


@pytest.mark.spec("API-2")
def test_lists_of_typed_objects_instead_of_dicts_and_required_fields_are_required(db):
    components = schema()["components"]["schemas"]
    for name, component in components.items():
        for prop, definition in component.get("properties", {}).items():
            assert "additionalProperties" not in definition, (name, prop)  # no dict with implicit keys
    assert components["FindingsRequest"]["properties"]["items"]["items"]["$ref"].endswith("FindingInputRequest")
    assert set(components["FindingInputRequest"]["required"]) == {"item", "result"}
    assert components["ShipRequest"]["properties"]["quantities"]["items"]["$ref"].endswith("ShipLineRequest")
    assert set(components["ShipLineRequest"]["required"]) == {"order_line", "quantity"}
    assert "problems" in components["ReturnRequest"]["required"]
    assert components["ReturnRequest"]["properties"]["problems"]["minLength"] == 1
    for reason in ("ReasonRequest", "DeliveryRejectRequest"):  # cancel, reopen, return an inquiry; reject
        assert "comment" in components[reason]["required"], reason
        assert components[reason]["properties"]["comment"]["minLength"] == 1


@pytest.mark.spec("API-2")
def test_operations_have_summaries_and_no_docstring_descriptions(db):
    docstrings = set()
    for pattern in _api_views(get_resolver().url_patterns):
        for klass in pattern.__mro__:
            if klass.__doc__:
                docstrings.add(" ".join(klass.__doc__.split()))
            for attr in vars(klass).values():
                doc = getattr(attr, "__doc__", None)
                if callable(attr) and doc:
                    docstrings.add(" ".join(doc.split()))
    for path, method, operation in operations():
        assert operation.get("summary", "").strip(), (method, path)
        assert not re.search(r"\b[A-Z]{2,}-\d+\b", operation["summary"]), (method, path)  # no SPEC ids
        description = " ".join(operation.get("description", "").split())
        assert not description or description not in docstrings, (method, path, description)


@pytest.mark.spec("API-2")
def test_the_english_schema_says_everything_in_english(db):
    # the committed file and the live document are English: no Chinese term in a summary, a
    # description or a title ("Record the customer's acceptance (验收)" was one)
    texts = [(path, method, key, operation.get(key, "")) for path, method, operation in operations()
             for key in ("summary", "description")]
    texts += [("components", name, "description", c.get("description", ""))
              for name, c in schema()["components"]["schemas"].items()]
    texts += [("components", name, prop, d.get("description", "")) for name, c in schema()["components"]["schemas"].items()
              for prop, d in c.get("properties", {}).items()]
    assert [t for t in texts if CJK.search(t[3])] == []


@pytest.mark.spec("API-2", "NTF-1")
def test_notification_kinds_and_inbox_modules_are_named_enums_of_what_is_registered(db):
    from qsm.notify.kinds import kinds

    components = schema()["components"]["schemas"]
    props = {name: c.get("properties", {}) for name, c in components.items()}
    assert "NotificationKind" in refs(props["Notification"]["kind"])[0]
    assert set(components["NotificationKind"]["enum"]) == set(kinds()) >= {"order_approved", "inquiry_handover",
                                                                             "sla_reminder"}
    assert "InboxModule" in refs(props["InboxItem"]["module"])[0]
    assert {"presales", "orders"} <= set(components["InboxModule"]["enum"])
    # every kind the code sends is registered (a kind sent unregistered would answer outside the enum)
    sent = set()
    for source in Path(settings.BASE_DIR).glob("*/**/*.py"):
        parts = source.relative_to(settings.BASE_DIR).parts
        if parts[0] in ("tests", ".venv", "node_modules") or "migrations" in parts:
            continue
        text = source.read_text(encoding="utf-8")
        sent |= set(re.findall(r'\bnotify\(.{0,200}?\bkind="(\w+)"', text, flags=re.S))
        sent |= set(re.findall(r'\b(?:remind|overdue)_kind="(\w+)"', text))
    assert {"order_approved", "inquiry_handover", "order_late"} <= sent
    assert sent - set(components["NotificationKind"]["enum"]) == set()


def _values(node, key: str) -> list:
    if isinstance(node, dict):
        return ([node[key]] if key in node else []) + [v for x in node.values() for v in _values(x, key)]
    if isinstance(node, list):
        return [v for x in node for v in _values(x, key)]
    return []


def _api_views(patterns):
    for p in patterns:
        if hasattr(p, "url_patterns"):
            yield from _api_views(p.url_patterns)
        else:
            view = getattr(p.callback, "cls", None)
            if view is not None:
                yield view


# --- one English document -----------------------------------------------------------------------


@pytest.mark.spec("API-2")
def test_the_live_schema_is_the_same_english_document_in_every_language(api, staff_user):
    staff_user.language = "zh-hans"
    staff_user.save(update_fields=["language"])
    client = api(staff_user)
    english = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200
    for kwargs in ({"HTTP_ACCEPT_LANGUAGE": "zh-hans"}, {}, {"lang": "zh-hans"}):
        lang = kwargs.pop("lang", None)
        url = "/api/schema/?format=json" + (f"&lang={lang}" if lang else "")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        assert client.get(url, **kwargs).content == english.content, kwargs
    # no name a generator turns into code is in Chinese (titles, components, parameters, operations)
    doc = json.loads(english.content)
    names = [*doc["components"]["schemas"], *(op["operationId"] for _p, _m, op in operations())]
    names += [p["name"] for _p, _m, op in operations() for p in op.get("parameters", [])]
    names += [str(t) for t in _values(doc, "title")]
    assert [n for n in names if CJK.search(n)] == []
    assert json.loads(english.content) == yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))


@pytest.mark.spec("API-2")
def test_the_committed_schema_file_is_the_generated_one(db, tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--lang", "en", "--validate", "--fail-on-warn", "--file", str(generated))
    assert COMMITTED.read_text(encoding="utf-8") == generated.read_text(encoding="utf-8"), (
        "docs/api/openapi.yaml is out of date: run `make api-schema` and commit it")


# --- the answers match the document ---------------------------------------------------------------


@pytest.fixture
def populated(staff_user, sales_user, sales_manager, production_department, sales_department, customer,
              quality_officer):
    """Every kind of record the API reads, at a late state with its children (solutions, discussion,
    communications, review rounds, deliveries, progress notes, installation, acceptance rounds)."""
    from orders import services as order_services
    from qsm.notify.services import notify

    inquiry = inquiry_in("converted", actor=staff_user, customer=customer, complex=True, invited=[production_department],
                         solution=("方案", "两台机器人"), hand_over_to=sales_department, receiver=sales_user)
    presales_services.communication_add(inquiry=inquiry, actor=staff_user, channel=Channel.PHONE, direction="out",
                                        summary="电话确认", occurred_at=None)
    order = order_in("accepted", actor=sales_user, customer=customer, installation=True)
    order_services.progress_note_add(order=order, actor=sales_user, kind="question", channel=Channel.PHONE,
                                     text="何时到货？", occurred_at=None)
    # an after-sales case, resolved, with its contact log (AFS-1/2)
    from aftersales.services.cases import case_contact_add
    from tests.aftersales.cases_support import case_in as aftersales_case_in

    case = aftersales_case_in("resolved", actor=staff_user, customer=customer)
    case_contact_add(case=case, actor=staff_user, channel=Channel.PHONE, direction="out", summary="电话回访解决情况")
    notify(recipients=[staff_user, sales_manager], kind="sla_reminder", title="通知", email=False)
    # a follow-up visit done by phone, with its answers and a call (VIS-1)
    from aftersales.services.visits import visit_attempt_add
    from tests.builders.aftersales import visit_build

    visit = visit_build(actor=sales_user, state="planned", subject=order, owner=sales_user)
    visit_attempt_add(visit=visit, actor=sales_user, outcome="busy")
    visit_build(actor=sales_user, state="done", subject=order, owner=sales_user, satisfaction=2)
    # a complex after-sales case in its special-solution flow: discussion, a running plan, a customer update
    from aftersales.models import Case
    from aftersales.services import plans
    from tests.builders.aftersales import case_build

    case = case_build(actor=staff_user, state=Case.Status.SPECIAL, complex=True, customer=customer)
    plans.case_discussion_open(case=case, actor=staff_user, topic="研讨", departments=[production_department])
    plans.case_discussion_note_add(case=case, actor=staff_user, body="会议纪要")
    plan = plans.plan_create(case=case, actor=staff_user, title="专项方案", content="更换主轴")
    plans.plan_step_add(plan=plan, actor=staff_user, description="拆检", owner=staff_user,
                        due_date=timezone.localdate())
    plans.plan_start(plan=plan, actor=staff_user)
    plans.case_customer_update(case=case, actor=staff_user, channel=Channel.PHONE, summary="已告知客户进展")
    # a complaint executing its approved plan, with a measure done (CMP-2/3: investigation, plans, measures)
    from complaints.services import core as complaint_core
    from tests.builders.complaints import complaint_in as complaint_build

    complaint = complaint_build("executing", measures=2)
    measure = complaint.plans.get().measures.order_by("position").first()
    complaint_core.measure_complete(measure=measure, actor=measure.owner, note="已更换轴承")
    for user in (staff_user, sales_user, sales_manager, quality_officer):  # the builder set their passwords again
        user.refresh_from_db()
    # a complaint under investigation, replied, with its contact log (CMP-1)
    from complaints.services.intake import complaint_assign, complaint_reply
    from tests.complaints.h2_support import log_complaint

    complaint = log_complaint(actor=staff_user, customer=customer)
    complaint_assign(complaint=complaint, actor=quality_officer, investigator=quality_officer)
    complaint_reply(complaint=complaint, actor=staff_user, reply="已受理，正在调查，三天内给出处理方案")
    # an Excel export each reader has asked for and that is written (its job and its download URL)
    from django.http import QueryDict

    from qsm.exports.services import export_job_create, export_job_run

    for owner in (quality_officer, sales_user):
        export_job_run(job_id=export_job_create(owner=owner, export="presales.inquiries", query=QueryDict("")).pk)
    # a closed complaint with the customer's answer, a final case report and a preventive measure (CMP-4/5)
    from tests.complaints.h4_support import populate_closed_complaint

    populate_closed_complaint()
    for user in (staff_user, sales_user, sales_manager, quality_officer):  # the builder's cast set their passwords anew
        user.refresh_from_db()
    # a service standard in force (v1) with a revision in review (QC-1)
    from qsm.org.models import Role
    from tests.assessment.standards.support import standard_in as standard_build
    from tests.factories import UserFactory

    quality_manager = UserFactory(username="contract_quality_manager", department=quality_officer.department,
                                  roles=[Role.MANAGER])
    standard_build("review", revision=True, author=quality_officer, approver=quality_manager)
    # quality control (QC-2/3/5): a recurring inspection plan, a completed spot check with a failed
    # item, the notice it issued reported after one rejected plan, a training plan with a held session
    from tests.builders import assessment as qc

    people = qc.cast()
    qc.an_inspection_plan(people=people)
    qc.a_notice(state="reported", rejected_first=True, people=people,
                finding=qc.a_failed_finding(people=people))
    qc.a_session(state="held", attendees=[people.member], scores=[90], people=people)
    for user in (staff_user, sales_user, sales_manager, quality_officer):
        user.refresh_from_db()
    return inquiry, order


@pytest.mark.spec("API-2")
def test_every_json_read_answers_as_the_schema_declares(populated, quality_officer, sales_user):
    # The quality officer sees every record (ORG-1): every list has rows, so every detail is read.
    problems, read = [], set()
    for user in (quality_officer, sales_user):
        client = APIClient()
        client.force_login(user)
        # Records without a list of their own: their ids come from another read (a notice's plans) or
        # are the reader's (a person's training record); those reads go last.
        ids: dict[str, int] = {"/api/quality/training/people/": user.pk}
        borrowed = {"/api/quality/notices/{id}/plans/": "/api/quality/rectification-plans/"}
        gets = sorted((p for p, m, _op in operations() if m == "GET"),
                      key=lambda p: (p.count("{"), p.split("{id}")[0] in borrowed.values()))
        for path in gets:
            if "{" in path:
                parent = path.split("{id}")[0]
                if parent not in ids or path.count("{") > 1:
                    continue
                url = path.replace("{id}", str(ids[parent]))
            else:
                url = path
            response = client.get(url)
            if not response["Content-Type"].startswith("application/json"):
                continue
            body = response.json()
            problems += response_errors("GET", url.split("?")[0], response.status_code, body)
            read.add(path)
            rows = body.get("results") if isinstance(body, dict) else body
            if isinstance(rows, list) and rows and "id" in rows[0]:
                ids[borrowed.get(path, path)] = rows[0]["id"]
    assert problems == []
    json_gets = {p for p, m, op in operations() if m == "GET" and p.count("{") <= 1
                 and "application/json" in op["responses"].get("200", {}).get("content", {})}
    assert json_gets - read == set()  # every JSON read was checked (a list without rows would leave one out)
    assert {"/api/presales/inquiries/{id}/", "/api/orders/orders/{id}/", "/api/orders/installations/{id}/",
            "/api/orders/deliveries/{id}/", "/api/orders/orders/{id}/timeline/", "/api/aftersales/cases/{id}/",
            "/api/aftersales/cases/{id}/contacts/"} <= read


@pytest.mark.spec("API-2")
def test_the_nullable_names_come_back_null_and_are_declared_so(api, staff_user, customer):
    inquiry = inquiry_in("answered", actor=staff_user, customer=customer)
    body = api(staff_user).get(inquiry_url(inquiry)).json()
    assert body["acknowledged_by_name"] is None
    assert response_errors("GET", inquiry_url(inquiry), 200, body) == []
    props = schema()["components"]["schemas"]
    assert props["InquiryDetail"]["properties"]["acknowledged_by_name"].get("nullable") is True
    assert props["ReviewRound"]["properties"]["reviewer_name"].get("nullable") is True
    assert props["ProgressNote"]["properties"]["answered_by_name"].get("nullable") is True


@pytest.mark.spec("API-2")
def test_error_bodies_have_the_declared_shape_and_code(api, staff_user, sales_user, customer):
    inquiry = inquiry_in("answered", actor=staff_user, customer=customer)
    client = api(staff_user)
    cases = [
        # (response, path as in the document's terms, expected status, expected code)
        (client.post("/api/presales/inquiries/", {"channel": "fax"}, format="json"), "POST",
         "/api/presales/inquiries/", 400, "invalid"),
        (client.post("/api/presales/inquiries/", "{not json", content_type="application/json"), "POST",
         "/api/presales/inquiries/", 400, "parse_error"),
        (client.get("/api/presales/inquiries/999999/"), "GET", "/api/presales/inquiries/999999/", 404, "not_found"),
        (api(sales_user).get(inquiry_url(inquiry)), "GET", inquiry_url(inquiry), 404, "not_found"),
        (client.post(inquiry_url(inquiry, "respond"), {}, format="json"), "POST", inquiry_url(inquiry, "respond"),
         409, "transition_not_allowed"),
        (APIClient().get("/api/me/"), "GET", "/api/me/", None, None),
    ]
    for response, method, path, status, code in cases:
        body = response.json()
        assert response_errors(method, path, response.status_code, body) == [], body
        if status is not None:
            assert (response.status_code, body["code"]) == (status, code), body
        else:  # not signed in: 401 or 403 by the authenticator, always with a code
            assert response.status_code in (401, 403) and body["code"] in ("not_authenticated",
                                                                            "authentication_failed")
        assert body["detail"]
    invalid = cases[0][0].json()
    fields = {e["field"]: e["code"] for e in invalid["errors"]}
    assert fields["channel"] == "invalid_choice" and fields["subject"] == "required"
    assert invalid["subject"]  # the field map as before, next to the typed list
    nested = client.post("/api/presales/inquiries/", {"channel": "phone", "subject": "s", "question": "q",
                                                      "new_customer": {"name": ""}}, format="json").json()
    assert "new_customer.name" in {e["field"] for e in nested["errors"]}


# --- the README's examples ----------------------------------------------------------------------


def _readme_curls() -> list[str]:
    """The ``curl`` commands of the README's shell blocks, continuation lines joined."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", readme, flags=re.S):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip().startswith("curl "):
                commands.append(line.strip())
    return commands


@pytest.mark.spec("API-2")
def test_the_readme_curl_examples_are_requests_the_api_takes(db):
    import shlex
    from urllib.parse import parse_qs, urlsplit

    from openapi_schema_validator import OAS30WriteValidator, oas30_format_checker

    from tests.api.openapi import _absolute, _registry, operation_for

    commands = _readme_curls()
    assert len(commands) >= 4
    for command in commands:
        words = shlex.split(command.replace("$API", "http://127.0.0.1:8000/api"))
        method = words[words.index("-X") + 1] if "-X" in words else "GET"
        url = next(w for w in words if w.startswith("http"))
        headers = [words[i + 1] for i, w in enumerate(words) if w == "-H"]
        data = [words[i + 1] for i, w in enumerate(words) if w in ("-d", "--data", "-F")]
        parts = urlsplit(url)
        found = operation_for(method, parts.path)
        assert found is not None, f"{method} {parts.path} is not in the API: {command}"
        path, operation = found
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        assert set(parse_qs(parts.query)) <= declared, command
        body = operation.get("requestBody")
        if body is None or "application/json" not in body["content"]:
            assert not data, f"{method} {path} takes no JSON body: {command}"
            continue
        assert data or not body.get("required"), f"{method} {path} needs a body: {command}"
        if data:
            # JSON, said so (form data is not offered: API-2), and what the operation's schema takes
            assert "Content-Type: application/json" in headers, command
            payload = json.loads(data[0])
            request_schema = _absolute(body["content"]["application/json"]["schema"])
            errors = [e.message for e in OAS30WriteValidator(request_schema, registry=_registry(),
                                                             format_checker=oas30_format_checker).iter_errors(payload)]
            assert errors == [], (command, errors)
            properties = schema()["components"]["schemas"][request_schema["$ref"].rsplit("/", 1)[-1]]["properties"]
            assert set(payload) <= set(properties), (command, set(payload) - set(properties))
