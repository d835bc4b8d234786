"""Render another module's record page without importing its views (the core hook).

An app names its record pages on its AppConfig: ``record_pages = {"inquiry": "presales.views:render_inquiry_page"}``
(model name -> ``module:function(request, record, *, forms=None, status=200)``). A later module that acts on
an earlier module's record (orders converts an inquiry) re-renders that record's page through
``render_record_page`` and so depends on the earlier module's models and selectors only.
"""
from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured


def record_page_renderer(model):
    config = apps.get_app_config(model._meta.app_label)
    path = getattr(config, "record_pages", {}).get(model._meta.model_name)
    if not path:
        raise ImproperlyConfigured(f"{config.name} declares no record page for {model._meta.label}.")
    module, name = path.split(":")
    return getattr(import_module(module), name)


def render_record_page(request, record, *, forms: dict | None = None, status: int = 200):
    """The record's own page, as its module renders it (e.g. with a refusal message and 409)."""
    return record_page_renderer(type(record))(request, record, forms=forms, status=status)
