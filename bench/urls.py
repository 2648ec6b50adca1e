"""The project's URLs, plus /api/v1/me served by the same view on top of the floor: DRF's
plaintext TokenAuthentication."""

from types import SimpleNamespace

from django.urls import include, path
from rest_framework.authentication import TokenAuthentication

from accounts.access import Access
from accounts.models import Account, Role
from tokens.api import MeView

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


urlpatterns = [
    path(
        "bench/me-floor",
        MeView.as_view(authentication_classes=[FloorMeAuthentication]),
        name="bench-me-floor",
    ),
    path("", include("config.urls")),
]
