"""Readable names of the codes the SLA tables store (ADMIN-1): a record type ("presales.inquiry" ->
咨询) and a stage ("first_response" -> 首次响应), from the clocks the workflows declare."""
from __future__ import annotations

from django.apps import apps as django_apps


def _clock_catalogue() -> dict[str, tuple[str, dict[str, str]]]:
    """{record type: (its name, {stage: the stage's name})} from the workflows' declared clocks."""
    from qsm.workflow.engine import workflows

    return {wf.record_type: (str(wf.model._meta.verbose_name),
                             {c.stage: str(c.label or c.stage) for c in wf.clocks}) for wf in workflows()}


def record_type_label(record_type: str) -> str:
    found = _clock_catalogue().get(record_type)
    if found:
        return found[0]
    try:
        return str(django_apps.get_model(record_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return record_type


def stage_label(stage: str, record_type: str = "") -> str:
    catalogue = _clock_catalogue()
    if record_type in catalogue and stage in catalogue[record_type][1]:
        return catalogue[record_type][1][stage]
    for _name, stages in catalogue.values():
        if stage in stages:
            return stages[stage]
    return stage


def category_choices(record_type: str = "") -> list[tuple[str, str]]:
    """The categories a policy may be specific to: the choices of the record attribute a policy
    clock names as its ``category`` (an after-sales case's type), of one record type or of all."""
    from qsm.workflow.engine import workflows

    found: dict[str, str] = {}
    for wf in workflows():
        if record_type and wf.record_type != record_type:
            continue
        for c in wf.clocks:
            if c.category:
                for value, label in wf.model._meta.get_field(c.category).choices or ():
                    found.setdefault(str(value), str(label))
    return list(found.items())


def category_label(category: str, record_type: str = "") -> str:
    if not category:
        from django.utils.translation import gettext

        return gettext("Any category")
    return dict(category_choices(record_type)).get(category) or dict(category_choices()).get(category, category)
