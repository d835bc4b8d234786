"""ORD-2: the order's progress notes move into the core contact log (qsm.contacts).

Every ProgressNote becomes a ContactEntry on its order: an update goes out to the customer, a
question comes in; channel, text (now ``summary``), when, who recorded it and the answer (text,
time, who) are kept. The old table is dropped by the next migration."""
from django.db import migrations

_DIRECTION = {"update": "out", "question": "in"}


def _order_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="orders", model="order")[0]


def forwards(apps, schema_editor):
    ProgressNote = apps.get_model("orders", "ProgressNote")
    ContactEntry = apps.get_model("contacts", "ContactEntry")
    ct = _order_type(apps)
    batch = []
    for n in ProgressNote.objects.order_by("pk").iterator(chunk_size=2000):
        batch.append(ContactEntry(content_type_id=ct.pk, object_id=n.order_id, kind=n.kind, channel=n.channel,
                                  direction=_DIRECTION.get(n.kind, "in"), summary=n.text, occurred_at=n.occurred_at,
                                  recorded_by_id=n.recorded_by_id, created_at=n.occurred_at, answer=n.answer,
                                  answered_at=n.answered_at, answered_by_id=n.answered_by_id))
        if len(batch) >= 2000:
            ContactEntry.objects.bulk_create(batch)
            batch = []
    ContactEntry.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    ProgressNote = apps.get_model("orders", "ProgressNote")
    ContactEntry = apps.get_model("contacts", "ContactEntry")
    ct = _order_type(apps)
    entries = ContactEntry.objects.filter(content_type_id=ct.pk)
    ProgressNote.objects.bulk_create([
        ProgressNote(order_id=e.object_id, kind=e.kind, channel=e.channel, text=e.summary, occurred_at=e.occurred_at,
                     recorded_by_id=e.recorded_by_id, answer=e.answer, answered_at=e.answered_at,
                     answered_by_id=e.answered_by_id)
        for e in entries.order_by("pk")])
    entries.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0007_follow_up_queue_and_raw_timeline"),
        ("contacts", "0001_contact_log"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
