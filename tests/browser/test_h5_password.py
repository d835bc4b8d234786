"""SEC-2 in a real browser: a user logs in, changes the password from the user menu, logs out and logs
in with the new one (the old one no longer works). Screenshots go to test-artifacts/screenshots/."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from qsm.org.models import Role
from tests.factories import UserFactory

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "pass-12345"
NEW_PASSWORD = "Lantern-Harbor-77"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shot(page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _log_in(page, live_server, username: str, password: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-button")


def _open_user_menu(page, width: int) -> None:
    if width < 992:  # the menu is behind the toggler: wait until it has opened
        page.click(".navbar-toggler")
        page.wait_for_selector("#main-nav.show", state="visible")
    page.click("#user-menu")
    page.wait_for_selector("#password-change-link", state="visible")


@pytest.mark.spec("SEC-2")
@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_a_user_changes_the_password_and_logs_in_with_the_new_one(browser, live_server, csp_violations,
                                                                  business_department, viewport):
    UserFactory(username="zhang", display_name="张客服", email="", department=business_department,
                roles=[Role.STAFF])
    width = viewport["width"]
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    # given zhang is signed in
    _log_in(page, live_server, "zhang", PASSWORD)
    page.wait_for_url(live_server.url + reverse("inbox"))
    # when she opens the user menu (behind the menu button on a phone) and picks 修改密码
    _open_user_menu(page, width)
    link = page.locator("#password-change-link")
    assert link.inner_text().strip() == "修改密码"
    link.click()
    page.wait_for_url(live_server.url + reverse("password_change"))
    assert page.locator("h1").inner_text().strip() == "修改密码"
    # a too short new password is refused on the page, in Chinese
    page.fill("input[name=old_password]", PASSWORD)
    page.fill("input[name=new_password1]", "short-1")
    page.fill("input[name=new_password2]", "short-1")
    page.click("#password-change-button")
    page.wait_for_selector(".invalid-feedback")
    assert "密码太短" in page.locator("#password-change-form").inner_text()
    _shot(page, f"h5-password-change-refused-{width}")
    # then with a good one she is back on her work, told it was changed
    page.fill("input[name=old_password]", PASSWORD)
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("#password-change-button")
    page.wait_for_url(live_server.url + reverse("inbox"))
    assert "您的密码已修改" in page.locator("#messages").inner_text()
    _shot(page, f"h5-password-changed-{width}")
    # when she logs out
    _open_user_menu(page, width)
    page.click("#logout-button")
    page.wait_for_url(live_server.url + reverse("login"))
    # then the old password no longer opens the door, and the new one does
    _log_in(page, live_server, "zhang", PASSWORD)
    page.wait_for_selector(".alert-danger")
    assert page.url.startswith(live_server.url + reverse("login"))
    _log_in(page, live_server, "zhang", NEW_PASSWORD)
    page.wait_for_url(live_server.url + reverse("inbox"))
    assert "张客服" in page.locator("#user-menu").inner_text()
    csp_violations.assert_none()
    context.close()


@pytest.mark.spec("SEC-2", "ADMIN-1")
def test_an_administrator_resets_a_password_and_the_user_sets_a_new_one(browser, live_server, csp_violations,
                                                                        business_department):
    UserFactory(username="root", display_name="管理员", email="", department=None, is_staff=True,
                is_superuser=True, roles=[Role.ADMINISTRATOR])
    UserFactory(username="zhou", display_name="周客服", email="", department=business_department,
                roles=[Role.STAFF])
    admin_context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    admin = admin_context.new_page()
    admin.set_default_timeout(15_000)
    _log_in(admin, live_server, "root", PASSWORD)
    admin.wait_for_url(live_server.url + reverse("inbox"))
    # given the administrator picks 周客服 in the user admin and resets the password
    admin.goto(live_server.url + reverse("admin:org_user_changelist") + "?q=zhou")
    admin.check("input[name=_selected_action]")
    admin.select_option("select[name=action]", "reset_password")
    admin.click("button[name=index]")
    link = admin.locator("#password-reset-links code").inner_text().strip()
    _shot(admin, "h5-admin-password-reset-link")
    # when the user opens the one-time link on her phone and sets a new password
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + link.removeprefix(link.split("/accounts/")[0]))
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    _shot(page, "h5-password-set-390")
    page.click("#password-set-button")
    page.wait_for_url(live_server.url + reverse("password_reset_complete"))
    # then she logs in with it, and the link does not work a second time
    page.click("a.btn-primary")
    _log_in(page, live_server, "zhou", NEW_PASSWORD)
    page.wait_for_url(live_server.url + reverse("inbox"))
    other = context.new_page()
    other.goto(live_server.url + link.removeprefix(link.split("/accounts/")[0]))
    assert other.locator("#reset-link-invalid").is_visible()
    csp_violations.assert_none()
    context.close()
    admin_context.close()
