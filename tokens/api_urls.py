from django.urls import path

from tokens import api

urlpatterns = [
    path("me", api.MeView.as_view(), name="api-me"),
    path("tokens", api.TokenListView.as_view(), name="api-tokens"),
    path("tokens/revoke-leaked", api.RevokeLeakedView.as_view(), name="api-revoke-leaked"),
    path(
        "tokens/current/rotate",
        api.CurrentTokenRotateView.as_view(),
        name="api-token-rotate-current",
    ),
    path("tokens/<int:pk>", api.TokenDetailView.as_view(), name="api-token"),
    path("tokens/<int:pk>/rotate", api.TokenRotateView.as_view(), name="api-token-rotate"),
]
