"""PRE-4: the inquiry's communication log moves into the core contact log (qsm.contacts).

Every Communication row becomes a ContactEntry of kind "communication" on its inquiry, keeping
channel, direction, summary, when, who recorded it and when it was recorded. The old table is
dropped by the next migration (PostgreSQL refuses ALTER/DROP with deferred FK checks pending in
the same transaction)."""
from django.db import migrations


def _inquiry_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="presales", model="inquiry")[0]


def forwards(apps, schema_editor):
    Communication = apps.get_model("presales", "Communication")
    ContactEntry = apps.get_model("contacts", "ContactEntry")
    ct = _inquiry_type(apps)
    rows = Communication.objects.order_by("pk").iterator(chunk_size=2000)
    batch = []
    for c in rows:
        batch.append(ContactEntry(content_type_id=ct.pk, object_id=c.inquiry_id, kind="communication",
                                  channel=c.channel, direction=c.direction, summary=c.summary,
                                  occurred_at=c.occurred_at, recorded_by_id=c.recorded_by_id,
                                  created_at=c.created_at))
        if len(batch) >= 2000:
            ContactEntry.objects.bulk_create(batch)
            batch = []
    ContactEntry.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    Communication = apps.get_model("presales", "Communication")
    ContactEntry = apps.get_model("contacts", "ContactEntry")
    ct = _inquiry_type(apps)
    entries = ContactEntry.objects.filter(content_type_id=ct.pk)
    Communication.objects.bulk_create([
        Communication(inquiry_id=e.object_id, channel=e.channel, direction=e.direction, summary=e.summary,
                      occurred_at=e.occurred_at, recorded_by_id=e.recorded_by_id, created_at=e.created_at)
        for e in entries.order_by("pk")])
    entries.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("presales", "0002_timeline_events_store_raw_values"),
        ("contacts", "0001_contact_log"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
