"""Issue 6: the follow-up visit waits in the core queue; the order's timeline stores raw values.

1. Every order with a follow-up due gets its queue row (consumed when it was already scheduled),
   then ``Order.follow_up_scheduled_at`` goes: the queue says whether the visit was planned.
2. Edits written in the writer's language are mapped back to raw values where unambiguous; the
   "Lines: P-1×2@100.00 → …" notes become a structured change of the lines (``None`` prices
   included), review findings get their own kind.
"""
import re
from decimal import Decimal, InvalidOperation

from django.db import migrations

_LINES_NOTE = re.compile(r"^(?:Lines: |明细：)(?P<old>.*) → (?P<new>.*)$", re.S)
_LINE = re.compile(r"^(?P<code>.+)×(?P<qty>[0-9.]+)@(?P<price>[0-9.]+|None)$")


def _queue_follow_ups(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    FollowUp = apps.get_model("followup", "FollowUp")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct, _created = ContentType.objects.get_or_create(app_label="orders", model="order")
    rows = [
        FollowUp(content_type_id=ct.pk, object_id=o.pk, reason=o.follow_up_reason or "accepted",
                 due_at=o.follow_up_due_at, customer_id=o.customer_id, department_id=o.department_id,
                 consumed_at=o.follow_up_scheduled_at)
        for o in Order.objects.filter(follow_up_due_at__isnull=False).iterator()
    ]
    FollowUp.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


def _restore_scheduled(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    FollowUp = apps.get_model("followup", "FollowUp")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct = ContentType.objects.filter(app_label="orders", model="order").first()
    if ct is None:
        return
    for f in FollowUp.objects.filter(content_type_id=ct.pk, consumed_at__isnull=False).iterator():
        Order.objects.filter(pk=f.object_id).update(follow_up_scheduled_at=f.consumed_at)
    FollowUp.objects.filter(content_type_id=ct.pk).delete()


_FROM_INQUIRY = re.compile(r"^(?:Converted from inquiry |由咨询 )(?P<number>\S+?)(?: 转入)?$")
# ORD-1 checklist items and results as review_findings wrote them (English source, Chinese shown).
_ITEMS = {"customer": "Customer data complete", "items": "Items and quantities valid",
          "prices": "Prices within the allowed range", "delivery_date": "Delivery date feasible",
          "installation": "Installation details present"}
_RESULTS = {"pass": "Pass", "fail": "Fail", "waived": "Waived"}
_FINDING = re.compile(r"^(?P<label>.+?): (?P<result>[^():]+?)(?: \((?P<note>.*)\))?$", re.S)


def _both_languages(codes: dict) -> dict:
    from django.utils import translation

    out = {}
    for code, english in codes.items():
        out[english] = code
        with translation.override("zh-hans"):
            out[translation.gettext(english)] = code
    return out


def _findings(text: str) -> list | None:
    items, results = _both_languages(_ITEMS), _both_languages(_RESULTS)
    out = []
    for part in text.split("; "):
        m = _FINDING.match(part)
        if m is None or m["label"] not in items or m["result"] not in results:
            return None  # a note with "; " in it, or a label since renamed: kept as written
        out.append([items[m["label"]], results[m["result"]], m["note"] or ""])
    return out


def _number(text: str) -> str:
    return format(Decimal(text).normalize(), "f")


def _lines(text: str, products: dict) -> list | None:
    if text.strip() == "":
        return []
    out = []
    for item in text.split(", "):
        m = _LINE.match(item.strip())
        if m is None or m["code"] not in products:
            return None
        try:
            out.append({"product": products[m["code"]], "quantity": _number(m["qty"]),
                        "unit_price": None if m["price"] == "None" else _number(m["price"])})
        except InvalidOperation:
            return None
    return out


def _raw_timeline(apps, schema_editor):
    from qsm.workflow.legacy import convert_edit_changes, retag_note_kinds

    for model in ("Order", "Delivery", "Installation"):
        convert_edit_changes(apps, "orders", model)
    retag_note_kinds(apps, "orders", "Order", {"review_findings": "review"})

    Event = apps.get_model("workflow", "Event")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Product = apps.get_model("org", "Product")
    ct = ContentType.objects.filter(app_label="orders", model="order").first()
    if ct is None:
        return
    for event in Event.objects.filter(content_type=ct, kind="created", action="").exclude(comment="").iterator():
        m = _FROM_INQUIRY.match(event.comment)
        if m:
            event.action, event.data, event.comment = "from_inquiry", {"inquiry": m["number"]}, ""
            event.save(update_fields=["action", "data", "comment"])
    for event in Event.objects.filter(content_type=ct, action="review_findings", data={}).iterator():
        findings = _findings(event.comment or "")
        if findings is not None:
            event.data, event.comment = {"findings": findings}, ""
            event.save(update_fields=["data", "comment"])
    products = dict(Product.objects.values_list("code", "pk"))
    for event in Event.objects.filter(content_type=ct, kind="edit", changes=[]).iterator():
        m = _LINES_NOTE.match(event.comment or "")
        if m is None:
            continue
        old, new = _lines(m["old"], products), _lines(m["new"], products)
        if old is None or new is None:
            continue  # kept as written: the timeline shows the note as it is
        event.changes = [{"field": "lines", "old": old, "new": new}]
        event.comment = ""
        event.save(update_fields=["changes", "comment"])


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0006_delivery_clocks'),
        ('followup', '0001_follow_up_queue'),
        ('workflow', '0002_event_actor_via_and_kinds'),
        ('org', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.RunPython(_queue_follow_ups, _restore_scheduled),
        migrations.RunPython(_raw_timeline, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name='order',
            name='order_follow_up_due_idx',
        ),
        migrations.RemoveField(
            model_name='order',
            name='follow_up_scheduled_at',
        ),
    ]
