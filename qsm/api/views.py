"""Core endpoints: who am I (API-1), my work (INBOX-1), obtaining a token."""
from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from qsm import registry

from .mixins import UserLanguageMixin
from .serializers import InboxSerializer, MeSerializer, TokenResponseSerializer


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


class TokenObtainView(ObtainAuthToken):
    """Exchange a username and password for the user's API token (``Authorization: Token …``)."""

    @extend_schema(request=AuthTokenSerializer, responses=TokenResponseSerializer, tags=["core"], auth=[],
                   summary="Obtain an API token with a username and password")
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
