"""ORD-3: the printable acceptance form (安装调试验收单) of an order with an installation."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from pypdf import PdfReader

from orders import services
from orders.models import Order
from tests.builders.orders import installation_in, order_in
from tests.factories import UserFactory

S = Order.Status


def _text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def engineer(sales_department):
    return UserFactory(username="engineer", display_name="孙浩", department=sales_department, roles=["staff"])


@pytest.fixture
def installing(sales_user, customer, engineer):
    """An order delivered and being installed: commissioned, rejected once, commissioned again."""
    order = order_in(S.INSTALLING, actor=sales_user, engineer=engineer, customer=customer, installation=True)
    installation = installation_in("rework", installation=order.installation, actor=engineer)
    services.installation_commission(installation=installation, actor=engineer, site_work="更换主轴轴承",
                                     checklist=[{"item": "主轴温升测试", "ok": True}],
                                     measurements=[{"name": "主轴温升", "value": "12", "unit": "℃"}])
    return order


@pytest.mark.spec("ORD-3")
def test_acceptance_form_is_a_chinese_pdf_with_the_order_on_it(client, sales_user, customer, installing):
    # given the order's department
    client.force_login(sales_user)

    # when the acceptance form is printed
    response = client.get(reverse("orders:acceptance-pdf", args=[installing.pk]))

    # then it is a PDF naming the order, the customer, the site, the engineer and the commissioning test
    assert response.status_code == 200
    assert installing.number in response["Content-Disposition"]
    text = _text(response)
    assert installing.number in text
    for chinese in (customer.name, "苏州工业园区星湖街", "孙浩", "主轴温升测试", "立式加工中心"):
        assert chinese in text, chinese
    # the previous (rejected) acceptance round is shown with its reasons
    assert "噪音偏大" in text
    # and the labels are in the site's language (Chinese), whatever the printing user's language
    with translation.override("zh-hans"):
        title = gettext("Installation and commissioning acceptance form")
        signature = gettext("Customer representative (signature)")
    assert title in text and signature in text


@pytest.mark.spec("ORD-3")
def test_installing_engineer_of_another_department_may_print_it(client, installing, engineer, other_department):
    engineer.department = other_department
    engineer.save(update_fields=["department"])
    client.force_login(engineer)

    response = client.get(reverse("orders:acceptance-pdf", args=[installing.pk]))

    assert response.status_code == 200


@pytest.mark.spec("ORD-3", "ORG-1")
def test_another_departments_order_is_not_found(client, other_department_staff, installing):
    client.force_login(other_department_staff)

    response = client.get(reverse("orders:acceptance-pdf", args=[installing.pk]))

    assert response.status_code == 404


@pytest.mark.spec("ORD-3")
def test_an_order_without_installation_has_no_acceptance_form(client, sales_user, customer):
    order = order_in(S.DELIVERED, actor=sales_user, customer=customer)
    client.force_login(sales_user)

    response = client.get(reverse("orders:acceptance-pdf", args=[order.pk]))

    assert response.status_code == 404


@pytest.mark.spec("ORD-3", "ORG-1")
def test_anonymous_user_is_sent_to_login(client, installing):
    response = client.get(reverse("orders:acceptance-pdf", args=[installing.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


# --- issue 7: the font is embedded, pages say "n of N", signatures never stand alone, rounds and dates in force


def _reader(response) -> PdfReader:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return PdfReader(io.BytesIO(content))


def _fonts(reader: PdfReader) -> list:
    """Every font the pages use, descended to the font descriptor (a Type0 font's through its descendant)."""
    fonts = []
    for page in reader.pages:
        for font in (page["/Resources"].get_object().get("/Font") or {}).values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            fonts.append((font.get("/BaseFont"), described.get("/FontDescriptor")))
    return fonts


@pytest.fixture
def long_installing(sales_user, customer, engineer):
    """An order of many lines being installed, commissioned, rejected once and commissioned again:
    its form needs a second page."""
    order = order_in(S.INSTALLING, actor=sales_user, engineer=engineer, customer=customer, installation=True,
                     lines=14)
    installation = installation_in("rework", installation=order.installation, actor=sales_user, engineer=engineer)
    services.installation_commission(installation=installation, actor=engineer, site_work="更换主轴轴承",
                                     checklist=[{"item": "主轴温升测试", "ok": True}],
                                     measurements=[{"name": "主轴温升", "value": "12", "unit": "℃"}])
    return order


@pytest.mark.spec("ORD-3")
def test_the_chinese_font_is_embedded(client, sales_user, installing):
    # given the acceptance form
    client.force_login(sales_user)
    reader = _reader(client.get(reverse("orders:acceptance-pdf", args=[installing.pk])))

    # then every font it uses carries its glyphs (FontFile2/FontFile3): it prints the same anywhere
    fonts = _fonts(reader)
    assert fonts
    for name, descriptor in fonts:
        assert descriptor is not None, name
        descriptor = descriptor.get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, name


@pytest.mark.spec("ORD-3")
def test_a_long_form_keeps_the_signatures_with_the_last_table(client, sales_user, long_installing):
    client.force_login(sales_user)

    reader = _reader(client.get(reverse("orders:acceptance-pdf", args=[long_installing.pk])))

    # the page with the signature boxes also carries the last table (the latest acceptance round), never
    # the signatures alone on an empty page
    with translation.override("zh-hans"):
        signature = gettext("Customer representative (signature)")
        last_table = gettext("Latest acceptance round")
    pages = [page.extract_text() for page in reader.pages]
    signed = [n for n, text in enumerate(pages) if signature in text]
    assert len(pages) >= 2 and len(signed) == 1
    assert last_table in pages[signed[0]] and "噪音偏大" in pages[signed[0]]


@pytest.mark.spec("ORD-3")
@pytest.mark.parametrize("stage", ["scheduled", "commissioned"])
def test_a_two_line_order_prints_on_one_page(client, sales_user, customer, engineer, stage):
    # given a two-line order being installed, printed before commissioning (blank rows) or after it
    order = order_in(S.INSTALLING, actor=sales_user, engineer=engineer, customer=customer, installation=True,
                     lines=2)
    installation_in(stage, installation=order.installation, actor=sales_user, engineer=engineer)
    client.force_login(sales_user)

    reader = _reader(client.get(reverse("orders:acceptance-pdf", args=[order.pk])))

    # then the whole form, signatures included, is one page (they used to stand alone on page 2)
    with translation.override("zh-hans"):
        signature = gettext("Customer representative (signature)")
    assert len(reader.pages) == 1
    assert signature in reader.pages[0].extract_text()


@pytest.mark.spec("ORD-3")
def test_pages_are_numbered_with_the_total(client, sales_user, long_installing):
    client.force_login(sales_user)

    reader = _reader(client.get(reverse("orders:acceptance-pdf", args=[long_installing.pk])))

    total = len(reader.pages)
    assert total >= 2
    for n, page in enumerate(reader.pages, start=1):
        assert f"第 {n} 页 / 共 {total} 页" in page.extract_text()


@pytest.mark.spec("ORD-3")
def test_pages_are_numbered_in_english_too(sales_user, long_installing):
    from orders.pdf import acceptance_form_bytes
    from orders.selectors import installation_of

    with translation.override("en"):
        content = acceptance_form_bytes(long_installing, installation_of(long_installing))

    reader = PdfReader(io.BytesIO(content))
    assert f"Page 1 of {len(reader.pages)}" in reader.pages[0].extract_text()


@pytest.mark.spec("ORD-3")
def test_the_form_prints_the_latest_commissioning_round_and_the_date_in_force(client, sales_user, customer,
                                                                               engineer):
    # given an installation rescheduled before the engineers went on site
    order = order_in(S.INSTALLING, actor=sales_user, engineer=engineer, customer=customer, installation=True)
    new_date = order.installation.scheduled_for + dt.timedelta(days=9)
    services.installation_reschedule(installation=order.installation, actor=sales_user, scheduled_for=new_date,
                                     reason="客户现场未准备好")
    installation = installation_in("rework", installation=order.installation, actor=sales_user, engineer=engineer)
    services.installation_commission(installation=installation, actor=engineer, site_work="更换主轴轴承",
                                     checklist=[{"item": "整改后复测", "ok": True}])
    client.force_login(sales_user)

    text = _text(client.get(reverse("orders:acceptance-pdf", args=[order.pk])))

    # then it prints the date in force, and the second commissioning round (not the first one's rows)
    with translation.override("zh-hans"):
        label = capfirst(gettext("scheduled date"))
    assert f"{label}\n{new_date.isoformat()}" in text
    assert "整改后复测" in text and "空载运行 2 小时" not in text
    with translation.override("zh-hans"):
        assert gettext("Earlier commissioning rounds: %(rounds)s").split("%")[0] in text


@pytest.mark.spec("ORD-3")
def test_a_missing_font_is_a_deploy_warning(settings, tmp_path, monkeypatch):
    from orders import checks
    from qsm import pdf

    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [(str(tmp_path / "none.ttc"), 0)])
    settings.QSM_PDF_FONT = ""
    assert [m.id for m in checks.acceptance_form_font()] == ["orders.W001"]
    settings.QSM_PDF_FONT = str(tmp_path / "missing.ttf")
    assert [m.id for m in checks.acceptance_form_font()] == ["orders.W001"]
    settings.QSM_PDF_FONT = ""
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0)])
    assert checks.acceptance_form_font() == []
