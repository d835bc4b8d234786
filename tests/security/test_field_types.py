"""SEC-1: the core's parsers and field types, table-driven (no database)."""
from __future__ import annotations

import datetime as dt
import inspect
from decimal import Decimal

import pytest
from django import forms
from django.utils import timezone

from qsm.fields import BoundedDateField, BoundedDateTimeField, CleanCharField, harden_form_field
from qsm.parsing import clean_search_term, parse_count, parse_decimal, parse_id, printable


@pytest.mark.spec("SEC-1")
@pytest.mark.parametrize(("raw", "expected"), [
    ("42", 42), (" 42 ", 42), (42, 42), ("9223372036854775807", 2**63 - 1),
    ("²", None), ("١٢", None), ("1e999", None), ("-1", None), ("0", None), ("", None), (None, None),
    ("9223372036854775808", None), ("99999999999999999999999", None), ("4\x002", None), ("1.0", None),
    (True, None), ("0x10", None), (1.0, None),
])
def test_parse_id_takes_only_ascii_digits_in_bigint_range(raw, expected):
    assert parse_id(raw) == expected


@pytest.mark.spec("SEC-1")
@pytest.mark.parametrize(("raw", "default", "maximum", "expected"), [
    ("3", 0, None, 3), ("0", 5, None, 0), ("abc", 0, None, 0), ("²", 7, None, 7), ("", 0, None, 0),
    ("99999999", 0, 200, 200), ("-3", 1, None, 1), (None, 2, None, 2),
])
def test_parse_count(raw, default, maximum, expected):
    assert parse_count(raw, default=default, maximum=maximum) == expected


@pytest.mark.spec("SEC-1")
@pytest.mark.parametrize(("raw", "expected"), [
    ("1.5", Decimal("1.5")), ("10", Decimal("10")), ("-2.25", Decimal("-2.25")),
    ("²", None), ("1e999", None), ("NaN", None), ("Infinity", None), ("1.234", None),
    ("12345678901", None), ("1,5", None), ("", None), (float("nan"), None),
])
def test_parse_decimal(raw, expected):
    assert parse_decimal(raw) == expected


@pytest.mark.spec("SEC-1")
@pytest.mark.parametrize(("raw", "expected"), [
    ("1.235", Decimal("1.24")), (Decimal("2.5"), Decimal("2.5")), (Decimal("1E+1"), Decimal("10")), (3, Decimal(3)),
    (Decimal("1e999"), None), (Decimal("NaN"), None), ("9999999999.999", None), (float("inf"), None),
])
def test_parse_decimal_rounding_to_the_places(raw, expected):
    assert parse_decimal(raw, exact=False) == expected


@pytest.mark.spec("SEC-1")
@pytest.mark.parametrize("raw", ["²", "1e999", "NaN", "Infinity", Decimal("1e999"), "1,5"])
def test_the_ship_service_refuses_what_is_not_a_number(raw, world):
    from orders import services
    from qsm.errors import ValidationError

    line = world.order_production.lines.get()
    with pytest.raises(ValidationError):
        services.delivery_ship(order=world.order_production, actor=world.sales_user, quantities={line.pk: raw})
    assert not world.order_production.deliveries.exists()


@pytest.mark.spec("SEC-1")
def test_search_terms_and_export_text_are_cleaned_not_refused():
    assert clean_search_term("华东\x00机械\ud800") == "华东 机械"
    assert len(clean_search_term("x" * 10_000)) == 200
    assert printable("a\x01b\tc\nd") == "a\ufffdb\tc\nd"


class _Form(forms.Form):
    line = CleanCharField(required=False)
    text = CleanCharField(multiline=True, required=False)
    plain = forms.CharField(required=False)  # a plain field gets the same rules through the base
    day = BoundedDateField(required=False)
    when = BoundedDateTimeField(past=True, required=False)
    plain_when = forms.DateTimeField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            harden_form_field(field)


@pytest.mark.spec("SEC-1")
@pytest.mark.parametrize(("field", "value", "ok"), [
    ("line", "正常文本", True), ("line", "a\x01b", False), ("line", "a\nb", False), ("line", "a\x00b", False),
    ("line", "x" * 200, True), ("line", "x" * 201, False),
    ("text", "第一行\r\n第二行\t制表", True), ("text", "a\x01b", False), ("text", "a\x0bb", False),
    ("text", "x" * 5000, True), ("text", "x" * 5001, False),
    ("plain", "a\x1fb", False), ("plain", "x" * 201, False), ("plain", "ok", True),
    ("day", "2000-01-01", True), ("day", "2100-12-31", True), ("day", "1999-12-31", False),
    ("day", "0001-01-01", False), ("day", "2101-01-01", False),
    ("when", "0001-01-01T00:00", False), ("when", "1900-12-31T23:59", False), ("when", "2099-01-01T00:00", False),
    ("when", "2020-05-01T08:00", True),
    ("plain_when", "0001-01-01T00:00", False), ("plain_when", "9999-12-31T23:59", False),
    ("plain_when", "2099-01-01T00:00", True),
])
def test_form_field_types(field, value, ok):
    form = _Form(data={field: value})
    assert form.is_valid() is ok, form.errors


@pytest.mark.spec("SEC-1")
def test_a_past_event_may_be_a_few_minutes_ahead_of_the_server_clock():
    soon = timezone.localtime() + dt.timedelta(minutes=2)
    later = timezone.localtime() + dt.timedelta(minutes=30)
    assert _Form(data={"when": soon.strftime("%Y-%m-%dT%H:%M")}).is_valid()
    assert not _Form(data={"when": later.strftime("%Y-%m-%dT%H:%M")}).is_valid()


@pytest.mark.spec("SEC-1")
@pytest.mark.parametrize(("value", "ok"), [
    ({"subject": "主题", "body": "多行\n文本", "when": "2024-01-01T08:00:00+08:00", "day": "2024-01-01"}, True),
    ({"subject": "a\nb"}, False), ({"subject": "a\x01"}, False), ({"body": "a\x00"}, False),
    ({"body": "\ud800"}, False), ({"body": "x" * 5001}, False), ({"free": "x" * 5001}, False),
    ({"free": "a\x07"}, False), ({"when": "0001-01-01T00:00:00Z"}, False), ({"when": "2099-01-01T00:00:00Z"}, False),
    ({"day": "0001-01-01"}, False), ({"plain_day": "2101-01-01"}, False), ({"tags": ["ok", "a\x01"]}, False),
])
def test_serializer_field_types(value, ok):
    from qsm.api import drf as serializers

    class _Serializer(serializers.Serializer):
        subject = serializers.CleanCharField(multiline=False, required=False)
        body = serializers.CleanCharField(required=False)
        free = serializers.CharField(required=False)  # plain: hardened by the base
        when = serializers.BoundedDateTimeField(past=True, required=False)
        day = serializers.BoundedDateField(required=False)
        plain_day = serializers.DateField(required=False)
        tags = serializers.ListField(child=serializers.CharField(), required=False)

    assert _Serializer(data=value).is_valid() is ok


def _qsm_serializer_classes():
    from rest_framework import serializers as drf

    import orders.api.serializers
    import presales.api.serializers
    import qsm.api.serializers
    import qsm.notify.api.serializers
    import qsm.org.api.serializers

    for module in (presales.api.serializers, orders.api.serializers, qsm.org.api.serializers,
                   qsm.api.serializers, qsm.notify.api.serializers):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, drf.BaseSerializer) and cls.__module__ == module.__name__:
                yield cls


@pytest.mark.spec("SEC-1")
def test_every_serializer_of_qsm_is_built_on_the_hardened_base():
    from qsm.api.fields import HardenedFieldsMixin

    classes = list(_qsm_serializer_classes())
    assert len(classes) > 40
    bare = [c.__qualname__ for c in classes if not issubclass(c, HardenedFieldsMixin)]
    assert bare == []


@pytest.mark.spec("SEC-1")
def test_every_page_form_is_built_on_the_hardened_base():
    import orders.forms
    import presales.forms
    import qsm.org.forms
    from qsm.org.forms import BootstrapFormMixin

    forms_ = [cls for module in (presales.forms, orders.forms, qsm.org.forms)
              for _n, cls in inspect.getmembers(module, inspect.isclass)
              if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__]
    assert len(forms_) > 20
    assert [c.__qualname__ for c in forms_ if not issubclass(c, BootstrapFormMixin)] == []


@pytest.mark.spec("SEC-1")
@pytest.mark.parametrize(("params", "ok"), [
    ({"q": "华东"}, True), ({"q": "a\x00b"}, False), ({"q": "a\x01b"}, False), ({"q": "x" * 201}, False),
    ({"received_from": "2024-01-01"}, True), ({"received_from": "0001-01-01"}, True),
    ({"received_to": "9999-12-31"}, True), ({"received_to": "²"}, False), ({"customer": "²"}, False),
])
def test_every_list_filter_is_on_the_hardened_base(params, ok, db):
    import orders.filters
    import presales.filters
    import qsm.org.api.filters
    from presales.filters import InquiryFilter
    from presales.models import Inquiry
    from qsm.api.filters import FilterSet

    filtersets = [cls for module in (presales.filters, orders.filters, qsm.org.api.filters)
                  for _n, cls in inspect.getmembers(module, inspect.isclass)
                  if hasattr(cls, "base_filters") and cls.__module__ == module.__name__]
    assert len(filtersets) >= 6 and all(issubclass(c, FilterSet) for c in filtersets)
    assert InquiryFilter(params, queryset=Inquiry.objects.all()).is_valid() is ok
