"""SEC-1: every text field of every page form declares its length limit.

The page form base hardens a plain ``forms.CharField`` when a form is built
(``qsm.fields.harden_form_field``), but only a declared limit is visible in the form class, the
same for every instance, and rendered as the input's ``maxlength``. Each forms module of each app
(``forms``, ``*_forms``, a ``forms`` package) is imported and every ``CharField`` of every form class
it defines is checked; choice, date and number fields are bounded by their type.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms

APPS = ("presales", "orders", "aftersales", "complaints", "assessment", "qsm")


def _is_forms_module(name: str) -> bool:
    parts = name.split(".")
    return parts[-1] == "forms" or parts[-1].endswith("_forms") or "forms" in parts[1:-1]


def forms_modules() -> list:
    found = []
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=app + "."):
            if ".migrations" in info.name or ".tests" in info.name:
                continue
            if _is_forms_module(info.name):
                found.append(importlib.import_module(info.name))
    return found


def form_classes() -> list[type[forms.BaseForm]]:
    classes = []
    for module in forms_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                classes.append(cls)
    return classes


def unbounded_text_fields(classes) -> list[str]:
    offenders = []
    for cls in classes:
        for name, field in cls.base_fields.items():
            # A CharField subclass that is text (not a choice, date or number field: those are not
            # CharFields). A hidden field still stores what it is sent.
            if isinstance(field, forms.CharField) and field.max_length is None:
                offenders.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    return offenders


@pytest.mark.spec("SEC-1", "API-2")
def test_every_text_field_of_every_page_form_declares_its_max_length():
    modules = forms_modules()
    classes = form_classes()
    # the walk found the apps' forms (it is not vacuous)
    assert {"presales.forms", "orders.forms", "complaints.forms.work", "aftersales.plan_forms",
            "assessment.rectification.forms", "qsm.web.forms"} <= {m.__name__ for m in modules}
    assert len(classes) > 50
    offenders = unbounded_text_fields(classes)
    assert offenders == [], "form text fields without max_length:\n" + "\n".join(offenders)


@pytest.mark.spec("SEC-1", "API-2")
def test_the_check_sees_an_unbounded_text_field():
    class Loose(forms.Form):
        bounded = forms.CharField(max_length=10)
        day = forms.DateField()
        kind = forms.ChoiceField(choices=[("a", "A")])
        loose = forms.CharField()

    assert unbounded_text_fields([Loose]) == [f"{__name__}.{Loose.__qualname__}.loose"]
