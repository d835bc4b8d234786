"""Core endpoints: who am I (API-1), my work (INBOX-1), obtaining a token."""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.authtoken.serializers import AuthTokenSerializer as _DrfAuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from qsm import registry
from qsm.org import accounts

from .mixins import UserLanguageMixin
from .serializers import InboxSerializer, MeSerializer, TokenResponseSerializer
from .throttling import AddressRateThrottle, TokenObtainThrottle


class MeView(UserLanguageMixin, APIView):
    @extend_schema(responses=MeSerializer, tags=["core"], summary="Who am I: the signed-in user, department and roles")
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class InboxView(UserLanguageMixin, APIView):
    """INBOX-1: what waits on me across all modules, by deadline, overdue first."""

    @extend_schema(responses=InboxSerializer, tags=["core"], summary="My work across all modules, overdue first")
    def get(self, request):
        now = timezone.now()
        items = registry.inbox_items(request.user)
        data = {"overdue_count": sum(1 for i in items if i.due_at and i.due_at < now), "items": items}
        return Response(InboxSerializer(data, context={"now": now}).data)


# Django's own limit of a user name (AbstractUser.username) and a generous one for a password
# (Django's login form sets none; 4,096 was Django's own cap against hashing denial of service).
USERNAME_MAX = 150
PASSWORD_MAX = 4096


class AuthTokenSerializer(_DrfAuthTokenSerializer):
    """DRF's username/password exchange with lengths (SEC-1, API-2: the schema declares them).

    Deliberately not on the hardened base (``qsm.api.drf``): a password is compared, never stored or
    shown, and accepts every character the login page accepts; only its length is bounded. The
    class keeps DRF's name, so the schema component stays ``AuthTokenRequest``."""

    username = drf_serializers.CharField(write_only=True, max_length=USERNAME_MAX)
    password = drf_serializers.CharField(style={"input_type": "password"},
                                         trim_whitespace=False, write_only=True, max_length=PASSWORD_MAX)


class TokenObtainView(ObtainAuthToken):
    """Exchange a username and password for the user's API token (``Authorization: Token …``).

    The token lasts QSM_API_TOKEN_TTL_HOURS (``expires_at``); the same token is returned until then.
    Failed exchanges count towards the sign-in lockout like the login page's, and a locked-out
    account or address is answered 429 like the login page."""

    authentication_classes = []  # an expired token sent along must not stop the exchange for a new one
    throttle_classes = [AddressRateThrottle, TokenObtainThrottle]
    serializer_class = AuthTokenSerializer

    @extend_schema(request=AuthTokenSerializer, responses=TokenResponseSerializer, tags=["core"], auth=[],
                   summary="Obtain an API token with a username and password")
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes marks the DRF request it was given when this attempt is (or was) locked out.
            if getattr(request, "axes_locked_out", False):
                raise Throttled(wait=_lockout_seconds(),
                                detail=_("Too many failed sign-ins: this account or address is locked for a while."))
            raise ValidationError(serializer.errors)
        token = accounts.api_token_obtain(user=serializer.validated_data["user"])
        return Response({"token": token.key, "expires_at": accounts.api_token_expires_at(token)})


def _lockout_seconds() -> int | None:
    from axes.helpers import get_cool_off

    cool_off = get_cool_off()
    return int(cool_off.total_seconds()) if cool_off else None


class TokenRevokeView(APIView):
    """Revoke my API token (log out of the API): it stops working at once. 204 also if there was none."""

    @extend_schema(request=None, responses={204: None}, tags=["core"], summary="Revoke my API token")
    def post(self, request):
        accounts.api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
