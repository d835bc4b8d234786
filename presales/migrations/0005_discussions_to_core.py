"""PRE-3: the inquiry's discussion, meeting notes and versioned solutions move into the core
(qsm.discussions), attached to the inquiry by content type + id.

Rows keep their ids (the API's solution URLs stay valid), their people, departments and products,
their times and their versions. The old tables are dropped by the next migration (PostgreSQL
refuses ALTER/DROP with deferred FK checks pending in the same transaction)."""
from django.core.management.color import no_style
from django.db import migrations


def _inquiry_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="presales", model="inquiry")[0]


def _reset_sequences(apps, schema_editor, *names):
    models = [apps.get_model(*name.split(".")) for name in names]
    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), models):
        schema_editor.execute(sql)


def forwards(apps, schema_editor):
    Old = {n: apps.get_model("presales", n) for n in ("Discussion", "DiscussionNote", "Solution")}
    New = {n: apps.get_model("discussions", n) for n in ("Discussion", "DiscussionNote", "Solution")}
    ct = _inquiry_type(apps)
    discussion_of_inquiry = {}
    for d in Old["Discussion"].objects.order_by("pk"):
        new = New["Discussion"].objects.create(pk=d.pk, content_type_id=ct.pk, object_id=d.inquiry_id, topic=d.topic,
                                               opened_by_id=d.opened_by_id, opened_at=d.opened_at)
        new.invited_departments.set(d.invited_departments.values_list("pk", flat=True))
        new.invited_users.set(d.invited_users.values_list("pk", flat=True))
        discussion_of_inquiry[d.inquiry_id] = new.pk
    New["DiscussionNote"].objects.bulk_create([
        New["DiscussionNote"](pk=n.pk, discussion_id=n.discussion_id, author_id=n.author_id, meeting_at=n.meeting_at,
                              body=n.body, created_at=n.created_at)
        for n in Old["DiscussionNote"].objects.order_by("pk")])
    for s in Old["Solution"].objects.order_by("pk"):
        discussion_id = discussion_of_inquiry.get(s.inquiry_id)
        if discussion_id is None:  # a solution without a discussion: give the inquiry one, as it was meant
            d = New["Discussion"].objects.create(content_type_id=ct.pk, object_id=s.inquiry_id, topic=s.title,
                                                 opened_by_id=s.created_by_id, opened_at=s.created_at)
            discussion_id = discussion_of_inquiry[s.inquiry_id] = d.pk
        new = New["Solution"].objects.create(pk=s.pk, discussion_id=discussion_id, version=s.version, title=s.title,
                                             content=s.content, created_by_id=s.created_by_id,
                                             created_at=s.created_at, sent_at=s.sent_at, sent_via=s.sent_via)
        new.products.set(s.products.values_list("pk", flat=True))
    _reset_sequences(apps, schema_editor, "discussions.Discussion", "discussions.DiscussionNote",
                     "discussions.Solution")


def backwards(apps, schema_editor):
    Old = {n: apps.get_model("presales", n) for n in ("Discussion", "DiscussionNote", "Solution")}
    New = {n: apps.get_model("discussions", n) for n in ("Discussion", "DiscussionNote", "Solution")}
    ct = _inquiry_type(apps)
    discussions = New["Discussion"].objects.filter(content_type_id=ct.pk).order_by("pk")
    for d in discussions:
        old = Old["Discussion"].objects.create(pk=d.pk, inquiry_id=d.object_id, topic=d.topic,
                                               opened_by_id=d.opened_by_id)
        Old["Discussion"].objects.filter(pk=old.pk).update(opened_at=d.opened_at)
        old.invited_departments.set(d.invited_departments.values_list("pk", flat=True))
        old.invited_users.set(d.invited_users.values_list("pk", flat=True))
        for n in New["DiscussionNote"].objects.filter(discussion=d).order_by("pk"):
            Old["DiscussionNote"].objects.create(pk=n.pk, discussion_id=old.pk, author_id=n.author_id,
                                                 meeting_at=n.meeting_at, body=n.body)
            Old["DiscussionNote"].objects.filter(pk=n.pk).update(created_at=n.created_at)
        for s in New["Solution"].objects.filter(discussion=d).order_by("pk"):
            Old["Solution"].objects.create(pk=s.pk, inquiry_id=d.object_id, version=s.version, title=s.title,
                                           content=s.content, created_by_id=s.created_by_id, sent_at=s.sent_at,
                                           sent_via=s.sent_via).products.set(s.products.values_list("pk", flat=True))
            Old["Solution"].objects.filter(pk=s.pk).update(created_at=s.created_at)
    _reset_sequences(apps, schema_editor, "presales.Discussion", "presales.DiscussionNote", "presales.Solution")
    # By ids: a queryset of one rendering of the historical Discussion is refused by a foreign key
    # rendered against another (a later migration anywhere re-renders the state on the way back).
    ids = list(discussions.values_list("pk", flat=True))
    New["Solution"].objects.filter(discussion_id__in=ids).delete()
    New["DiscussionNote"].objects.filter(discussion_id__in=ids).delete()
    New["Discussion"].objects.filter(pk__in=ids).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("presales", "0004_remove_communication"),
        ("discussions", "0001_discussions"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
