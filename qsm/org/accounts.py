"""SEC-2 sign-in: the client's address, password resets an administrator issues, API tokens that expire.

The writes here are services like any other (keyword-only, atomic); the views in ``account_views``
and ``qsm.api.views`` and the user admin only call them.
"""
from __future__ import annotations

import ipaddress
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from qsm.errors import PermissionDenied

from .models import User

log = logging.getLogger(__name__)


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request) -> str:
    """The address a request came from, for the lockout (axes) and the API throttles alike.

    Without a trusted proxy (``QSM_TRUSTED_PROXY_COUNT=0``) it is the peer's address and
    X-Forwarded-For is ignored: any client can write that header. Behind N trusted proxies each one
    appends the address it received the request from, so the client is the N-th entry from the
    right; what a client wrote itself stands further left and is never read.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.QSM_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    candidate = forwarded[-min(count, len(forwarded))]
    # A malformed entry (a misconfigured proxy) must not become a stored "address".
    return candidate if _is_ip(candidate) else remote


# --- passwords ------------------------------------------------------------------------------------


def password_reset_path(user: User) -> str:
    """The one-time link's path: valid until the password changes or PASSWORD_RESET_TIMEOUT passes."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)})


def password_reset_link_issue(*, user: User, actor: User) -> str:
    """An administrator resets a user's password: the old one stops working at once (and with it the
    user's sessions and API token), and the user sets a new one through a one-time link the
    administrator hands over. The administrator never learns the password. Recorded in the admin's
    history (LogEntry) with who did it."""
    if not (actor.is_active and actor.has_perm("org.change_user")):
        raise PermissionDenied(_("You are not allowed to reset passwords."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_unusable_password()
        locked.save(update_fields=["password"])
        Token.objects.filter(user=locked).delete()
        LogEntry.objects.log_actions(
            user_id=actor.pk, queryset=[locked], action_flag=CHANGE, single_object=True,
            change_message=[{"changed": {"fields": ["password"]}}],
        )
        path = password_reset_path(locked)
    _clear_lockout(locked)
    log.warning("password of %s reset by %s: reset link issued", locked.username, actor.username)
    return settings.SITE_URL.rstrip("/") + path


def password_changed(*, user: User) -> None:
    """After the user set a new password (change or reset): tokens obtained with the old one end, and a
    lockout left from before no longer keeps the owner out."""
    Token.objects.filter(user=user).delete()
    _clear_lockout(user)


def _clear_lockout(user: User) -> None:
    from axes.utils import reset

    reset(username=user.get_username())


# --- API tokens -----------------------------------------------------------------------------------


def api_token_lifetime() -> timedelta:
    return timedelta(hours=max(settings.QSM_API_TOKEN_TTL_HOURS, 1))


def api_token_expires_at(token: Token) -> datetime:
    return token.created + api_token_lifetime()


def api_token_expired(token: Token) -> bool:
    return api_token_expires_at(token) <= timezone.now()


def api_token_obtain(*, user: User) -> Token:
    """The user's API token: the current one while it lasts, a new one once it has expired."""
    with transaction.atomic():
        Token.objects.filter(user=user, created__lte=timezone.now() - api_token_lifetime()).delete()
        token, _created = Token.objects.get_or_create(user=user)
    return token


def api_token_revoke(*, user: User) -> bool:
    """The user's API token stops working at once (the client's "log out"). True if there was one."""
    deleted, _detail = Token.objects.filter(user=user).delete()
    return bool(deleted)
