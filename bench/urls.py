"""The project's URLs, plus the contenders' views:

- /api/v1/me served by the same view on top of the floor's authentication (DRF's plaintext
  TokenAuthentication), for the authentication table;
- the minimal DRF view, DRF's TokenAuthentication and no throttle, and the same view behind knox,
  for the end-to-end tables;
- the token list serialized by TokenSerializer, a DRF ModelSerializer."""

from types import SimpleNamespace

from django.urls import include, path
from knox.auth import TokenAuthentication as KnoxAuthentication
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import Access
from accounts.models import Account, Role
from tokens.api import MeView, TokenListView
from tokens.serializers import TokenSerializer

# The floor knows no account, role or scopes: constants stand in, at no cost.
FLOOR_ACCOUNT = Account(slug="floor", name="Floor")


class FloorMeAuthentication(TokenAuthentication):
    """DRF's plaintext key lookup, answering with the Access that MeView renders."""

    def authenticate_credentials(self, key):
        user, _ = super().authenticate_credentials(key)
        summary = SimpleNamespace(
            pk=user.pk, id=user.pk, description="floor", scopes=[], expires_at=None
        )
        return user, Access(user=user, account=FLOOR_ACCOUNT, role=Role.AGENT, token=summary)


class MinimalView(APIView):
    """What a DRF tutorial writes: token authentication, no throttle, a small dict."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes: list = []

    def get(self, request):
        user = request.user
        return Response({"id": user.pk, "email": user.email, "name": user.name})


class ModelSerializerTokenListView(TokenListView):
    """token-portal's list, serialized by the ModelSerializer instead of the plain functions."""

    def get(self, request):
        page = self.paginate_queryset(self.get_queryset().order_by("-created_at", "-id"))
        return self.get_paginated_response(TokenSerializer(page, many=True).data)


urlpatterns = [
    path(
        "bench/me-floor",
        MeView.as_view(authentication_classes=[FloorMeAuthentication]),
        name="bench-me-floor",
    ),
    path("bench/minimal", MinimalView.as_view()),
    path("bench/minimal-knox", MinimalView.as_view(authentication_classes=[KnoxAuthentication])),
    path("bench/tokens-modelserializer", ModelSerializerTokenListView.as_view()),
    path("", include("config.urls")),
]
