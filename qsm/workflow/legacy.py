"""Data-migration helpers: turn events written in the writer's language into raw values.

Before 2026-11 an edit stored ``{"field", "label", "old", "new"}`` with the verbose name and the
display texts of the writer's language ("complex need: no → yes"). Each domain app's migration
calls ``convert_edit_changes`` for its models: a change whose texts map back unambiguously to raw
values becomes ``{"field", "old", "new"}``; one that does not (a renamed customer, a choice label
that changed since) is left as it was and rendered as written (``selectors._changes``).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation

LANGUAGES = ("en", "zh-hans")
_BOOLEAN = {"yes": True, "no": False, "是": True, "否": False, "True": True, "False": False}


class _Unmapped(Exception):
    pass


def _choice_value(f, text: str):
    if text == "":
        return ""
    values = {str(v): v for v, _label in f.flatchoices}
    if text in values:
        return values[text]
    for lang in LANGUAGES:
        with translation.override(lang):
            found = [v for v, label in f.flatchoices if str(translation.gettext(str(label))) == text]
        if len(found) == 1:
            return found[0]
    raise _Unmapped


_names_cache: dict = {}


def _names(model) -> dict[str, set]:
    """What str() showed for each row of ``model`` ("code name" or "name") -> primary keys; once per run."""
    key = (model._meta.app_label, model._meta.model_name)
    if key not in _names_cache:
        names: dict[str, set] = {}
        fields = {f.name for f in model._meta.get_fields()}
        for obj in model._default_manager.all().iterator():
            labels = set()
            if {"code", "name"} <= fields:
                labels.add(f"{obj.code} {obj.name}")
            if "name" in fields:
                labels.add(obj.name)
            for label in labels:
                names.setdefault(label, set()).add(obj.pk)
        _names_cache[key] = names
    return _names_cache[key]


def _related_pk(model, text: str):
    pks = _names(model).get(text, set())
    if len(pks) != 1:
        raise _Unmapped
    return next(iter(pks))


def _number(text: str):
    try:
        return format(Decimal(text).normalize(), "f")
    except InvalidOperation:
        raise _Unmapped from None


def _raw(f, text):
    if text is None:
        return None
    if not isinstance(text, str):
        return text
    if f.many_to_many:
        return [] if text == "" else [_related_pk(f.related_model, part) for part in text.split(", ")]
    if f.many_to_one or f.one_to_one:
        return None if text == "" else _related_pk(f.related_model, text)
    if f.choices:
        return _choice_value(f, text)
    if isinstance(f, models.BooleanField):
        if text not in _BOOLEAN:
            raise _Unmapped
        return _BOOLEAN[text]
    if isinstance(f, models.DateTimeField):
        try:
            return None if text == "" else dt.datetime.fromisoformat(text).isoformat()
        except ValueError:
            raise _Unmapped from None
    if isinstance(f, models.DateField):
        try:
            return None if text == "" else dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise _Unmapped from None
    if isinstance(f, (models.DecimalField, models.IntegerField, models.FloatField)):
        return None if text == "" else _number(text)
    if isinstance(f, (models.CharField, models.TextField)):
        return text
    raise _Unmapped


def map_change(model, change: dict) -> dict | None:
    """The raw form of one legacy change, or None when it cannot be mapped safely."""
    try:
        f = model._meta.get_field(change.get("field", ""))
    except FieldDoesNotExist:
        return None
    try:
        return {"field": f.name, "old": _raw(f, change.get("old")), "new": _raw(f, change.get("new"))}
    except _Unmapped:
        return None


def convert_edit_changes(apps, app_label: str, model_name: str) -> tuple[int, int]:
    """Convert the legacy edit events of one model; returns (converted changes, kept as written)."""
    Event = apps.get_model("workflow", "Event")
    ContentType = apps.get_model("contenttypes", "ContentType")
    model = apps.get_model(app_label, model_name)
    ct = ContentType.objects.filter(app_label=app_label, model=model_name.lower()).first()
    if ct is None:
        return 0, 0
    _names_cache.clear()
    converted = kept = 0
    for event in Event.objects.filter(content_type=ct, kind="edit").exclude(changes=[]).iterator():
        out, touched = [], False
        for change in event.changes:
            if isinstance(change, dict) and "label" in change:
                mapped = map_change(model, change)
                if mapped is not None:
                    out.append(mapped)
                    touched = True
                    converted += 1
                    continue
                kept += 1
            out.append(change)
        if touched:
            event.changes = out
            event.save(update_fields=["changes"])
    return converted, kept


def retag_note_kinds(apps, app_label: str, model_name: str, kinds_by_action: dict[str, str]) -> None:
    """Give comment lines written by a service their own kind (a solution, a meeting note...)."""
    Event = apps.get_model("workflow", "Event")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ct = ContentType.objects.filter(app_label=app_label, model=model_name.lower()).first()
    if ct is None:
        return
    for action, kind in kinds_by_action.items():
        Event.objects.filter(content_type=ct, kind="comment", action=action).update(kind=kind)
