"""Issue 6 §6: the inquiry's timeline stores field names and raw values, rendered when read.

Edits written in the writer's language are mapped back to raw values where that is unambiguous
(the rest keep their text, shown as written); solution and meeting-note lines get their own kinds.
"""
import re

from django.db import migrations

# What solution_add wrote, in English or Chinese: "Tailored solution v2: title".
_SOLUTION = re.compile(r"^(?:Tailored solution v|个性化解决方案 v)(?P<version>\d+)[:：] ?(?P<title>.*)$", re.S)


def forwards(apps, schema_editor):
    from qsm.workflow.legacy import convert_edit_changes, retag_note_kinds

    convert_edit_changes(apps, "presales", "Inquiry")
    retag_note_kinds(apps, "presales", "Inquiry", {"solution": "solution", "discussion_note": "meeting_note"})
    Event = apps.get_model("workflow", "Event")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct = ContentType.objects.filter(app_label="presales", model="inquiry").first()
    if ct is None:
        return
    for event in Event.objects.filter(content_type=ct, action="solution", data={}).iterator():
        m = _SOLUTION.match(event.comment or "")
        if m:  # the sentence is rendered when read (presales/timeline.py); unmatched lines stay as written
            event.data = {"version": int(m["version"]), "title": m["title"]}
            event.comment = ""
            event.save(update_fields=["data", "comment"])


def backwards(apps, schema_editor):
    # The raw values stay (the old renderer shows them as they are); only the kinds go back.
    retag_kinds_back = {"solution": "comment", "discussion_note": "comment"}
    Event = apps.get_model("workflow", "Event")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct = ContentType.objects.filter(app_label="presales", model="inquiry").first()
    if ct is not None:
        for action, kind in retag_kinds_back.items():
            Event.objects.filter(content_type=ct, action=action).update(kind=kind)


class Migration(migrations.Migration):
    dependencies = [
        ("presales", "0001_initial"),
        ("workflow", "0002_event_actor_via_and_kinds"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
