"""SEC-2 passwords: a user changes their own, an administrator resets one with a one-time link (audited),
the e-mail reset exists only where e-mail is configured, and every new password passes the validators."""
from __future__ import annotations

import importlib
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from qsm.org.models import Role, User
from tests.factories import UserFactory

PASSWORD = "pass-12345"
NEW_PASSWORD = "Lantern-Harbor-77"


def _can_log_in(username: str, password: str) -> bool:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


@pytest.fixture
def signed_in(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.mark.spec("SEC-2")
def test_the_user_menu_offers_to_change_the_password(signed_in):
    page = signed_in.get(reverse("inbox")).content.decode()
    assert f'href="{reverse("password_change")}"' in page
    assert "修改密码" in page


@pytest.mark.spec("SEC-2")
def test_a_user_changes_their_password_and_signs_in_with_the_new_one(signed_in, staff_user):
    Token.objects.create(user=staff_user)
    page = signed_in.get(reverse("password_change"))
    assert page.status_code == 200
    assert "旧密码" in page.content.decode() and 'id="password-change-form"' in page.content.decode()
    # when
    response = signed_in.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    # then: back to my work with a confirmation, still signed in here, the old password and the API token gone
    assert response.status_code == 302 and response["Location"] == reverse("inbox")
    assert "您的密码已修改" in signed_in.get(reverse("inbox")).content.decode()
    assert _can_log_in("staff", NEW_PASSWORD) and not _can_log_in("staff", PASSWORD)
    assert not Token.objects.filter(user=staff_user).exists()


@pytest.mark.spec("SEC-2", "SEC-1")
@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ("wrong-old-pw", NEW_PASSWORD, "old_password", "旧密码不正确"),
    (PASSWORD, "12345678901", "new_password2", "只包含数字"),  # numeric
    (PASSWORD, "password123", "new_password2", "太常见"),  # common
    (PASSWORD, "short-1", "new_password2", "太短"),  # shorter than the minimum
    (PASSWORD, "staff@example1", "new_password2", "相似"),  # like the e-mail address
])
def test_a_wrong_old_password_or_a_weak_new_one_changes_nothing(signed_in, old, new, field, message):
    response = signed_in.post(reverse("password_change"), {"old_password": old, "new_password1": new,
                                                           "new_password2": new})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors, response.context["form"].errors
    assert "is-invalid" in response.content.decode()
    assert _can_log_in("staff", PASSWORD)


@pytest.mark.spec("SEC-2")
def test_every_password_validator_is_on_in_production_settings():
    production = importlib.import_module("qsm.settings")
    names = {v["NAME"].rsplit(".", 1)[1] for v in production.AUTH_PASSWORD_VALIDATORS}
    assert names == {"UserAttributeSimilarityValidator", "MinimumLengthValidator", "CommonPasswordValidator",
                     "NumericPasswordValidator"}


@pytest.fixture
def administrator(db):
    return UserFactory(username="root", department=None, is_staff=True, is_superuser=True,
                       roles=[Role.ADMINISTRATOR])


def _reset_from_admin(administrator, *users) -> tuple[Client, str]:
    client = Client()
    client.force_login(administrator)
    response = client.post(reverse("admin:org_user_changelist"),
                           {"action": "reset_password", "_selected_action": [u.pk for u in users]})
    assert response.status_code == 200, response.content[:500]
    assert "no-store" in response["Cache-Control"]
    return client, response.content.decode()


@pytest.mark.spec("SEC-2", "ADMIN-1", "WF-2")
def test_an_administrator_resets_a_password_with_a_one_time_link(administrator, staff_user):
    Token.objects.create(user=staff_user)
    # when the administrator resets the password from the user admin
    _client, page = _reset_from_admin(administrator, staff_user)
    links = re.findall(r"<code>(https?://[^<]+)</code>", page)
    # then one link is shown, the old password and the API token stopped working, and it is in the history
    assert len(links) == 1
    assert not _can_log_in("staff", PASSWORD)
    assert not Token.objects.filter(user=staff_user).exists()
    entry = LogEntry.objects.get(object_id=str(staff_user.pk), user=administrator)
    assert "password" in entry.change_message
    # when the user opens the link and sets a new password
    path = links[0].removeprefix(django_settings.SITE_URL.rstrip("/"))
    user_client = Client()
    form_page = user_client.get(path, follow=True)
    assert form_page.status_code == 200 and 'id="password-set-form"' in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    weak = user_client.post(set_url, {"new_password1": "12345678901", "new_password2": "12345678901"})
    assert weak.status_code == 200 and weak.context["form"].errors
    done = user_client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    # then the new password works, and the link cannot be used a second time
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert _can_log_in("staff", NEW_PASSWORD)
    again = Client().get(path, follow=True)
    assert 'id="reset-link-invalid"' in again.content.decode()


@pytest.mark.spec("SEC-2", "ORG-1")
def test_only_an_administrator_may_reset_a_password(staff_user, colleague):
    from qsm.errors import PermissionDenied
    from qsm.org.accounts import password_reset_link_issue

    with pytest.raises(PermissionDenied):
        password_reset_link_issue(user=colleague, actor=staff_user)
    assert _can_log_in("colleague", PASSWORD)
    client = Client()
    client.force_login(staff_user)
    response = client.post(reverse("admin:org_user_changelist"),
                           {"action": "reset_password", "_selected_action": [colleague.pk]})
    assert response.status_code == 302  # not staff: sent to the admin's login
    assert _can_log_in("colleague", PASSWORD)


@pytest.mark.spec("SEC-2", "ADMIN-1")
def test_an_administrator_revokes_api_tokens(administrator, staff_user):
    Token.objects.create(user=staff_user)
    client = Client()
    client.force_login(administrator)
    response = client.post(reverse("admin:org_user_changelist"),
                           {"action": "revoke_api_token", "_selected_action": [staff_user.pk]})
    assert response.status_code == 302
    assert not Token.objects.filter(user=staff_user).exists()
    assert _can_log_in("staff", PASSWORD)  # the password is untouched


@pytest.mark.spec("SEC-2")
def test_without_e_mail_there_is_no_forgot_password(db, settings):
    settings.QSM_PASSWORD_RESET_BY_EMAIL = False
    page = Client().get(reverse("login")).content.decode()
    assert "忘记密码" not in page and 'id="forgot-password"' not in page
    assert Client().get(reverse("password_reset")).status_code == 404
    assert Client().post(reverse("password_reset"), {"email": "staff@example.com"}).status_code == 404


@pytest.mark.spec("SEC-2", "NTF-1")
def test_with_e_mail_a_user_resets_by_e_mail_in_their_language(staff_user, colleague, settings,
                                                               django_capture_on_commit_callbacks):
    settings.QSM_PASSWORD_RESET_BY_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://qsm.example.com"
    colleague.language = "en"
    colleague.save(update_fields=["language"])
    page = Client().get(reverse("login")).content.decode()
    assert "忘记密码" in page and f'href="{reverse("password_reset")}"' in page
    # when both ask for a link (an unknown address gets the same answer: no account is revealed)
    with django_capture_on_commit_callbacks(execute=True):
        for address in ("staff@example.com", "colleague@example.com", "nobody@example.com"):
            response = Client().post(reverse("password_reset"), {"email": address})
            assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    # then each gets one e-mail, in their language, with a link to this site that sets the password
    assert sorted(m.to[0] for m in mail.outbox) == ["colleague@example.com", "staff@example.com"]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "设置新密码" in by_address["staff@example.com"].subject
    assert "set a new password" in by_address["colleague@example.com"].subject
    link = re.search(r"https://qsm\.example\.com(/accounts/\S+)", by_address["staff@example.com"].body).group(1)
    client = Client()
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    assert client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code == 302
    assert User.objects.get(pk=staff_user.pk).check_password(NEW_PASSWORD)


@pytest.mark.spec("SEC-2", "ADMIN-1")
def test_the_token_admin_shows_whose_token_and_its_expiry_but_never_the_secret(administrator, staff_user):
    token = Token.objects.create(user=staff_user)
    client = Client()
    client.force_login(administrator)
    page = client.get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert token.key not in text
    assert "失效时间" in text and "staff" in text
