"""SEC-2: API tokens that expire, and 401 (not 403) for a client without valid credentials."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from qsm.org.accounts import api_token_expired


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, refused once the token is older than QSM_API_TOKEN_TTL_HOURS.

    Listed first in REST_FRAMEWORK so that DRF answers an unauthenticated request 401 with this
    class's challenge; the session class after it keeps the browser (and its CSRF check) working."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if api_token_expired(token):
            # DRF's own exception and code (authentication_failed): 401 with the challenge below.
            raise exceptions.AuthenticationFailed(_("The token has expired; obtain a new one."))
        return user, token

    def authenticate_header(self, request) -> str:
        # The WWW-Authenticate challenge of every 401: which scheme to send credentials with.
        return f'{self.keyword} realm="api"'
