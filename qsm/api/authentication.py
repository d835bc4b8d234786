"""SEC-2: API tokens that expire, and 401 (not 403) for a client without valid credentials."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from qsm.org.accounts import api_token_expired
from qsm.org.backends import role_names


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, refused once the token is older than QSM_API_TOKEN_TTL_HOURS.

    Listed first in REST_FRAMEWORK so that DRF answers an unauthenticated request 401 with this
    class's challenge; the session class after it keeps the browser (and its CSRF check) working."""

    def authenticate_credentials(self, key):
        # DRF's check, with the user's department and roles read in the same query (PERF-1).
        try:
            token = (self.get_model().objects.select_related("user", "user__department")
                     .annotate(user_role_names=role_names("user_id")).get(key=key))
        except self.get_model().DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        user._role_names = frozenset(token.user_role_names)
        if api_token_expired(token):
            # DRF's own exception and code (authentication_failed): 401 with the challenge below.
            raise exceptions.AuthenticationFailed(_("The token has expired; obtain a new one."))
        return user, token

    def authenticate_header(self, request) -> str:
        # The WWW-Authenticate challenge of every 401: which scheme to send credentials with.
        return f'{self.keyword} realm="api"'
