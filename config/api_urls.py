from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as accounts_api
from people import api as people_api
from webhooks import api as webhooks_api

urlpatterns = [
    path("", include("tokens.api_urls")),
    path("account", accounts_api.AccountView.as_view(), name="api-account"),
    path("members", accounts_api.MemberListView.as_view(), name="api-members"),
    path("members/<int:pk>", accounts_api.MemberDetailView.as_view(), name="api-member"),
    path("invitations", people_api.InvitationListView.as_view(), name="api-invitations"),
    path("invitations/<int:pk>", people_api.InvitationDetailView.as_view(), name="api-invitation"),
    path(
        "invitations/<int:pk>/resend",
        people_api.InvitationResendView.as_view(),
        name="api-invitation-resend",
    ),
    path("audit-events", accounts_api.AuditEventListView.as_view(), name="api-audit-events"),
    path("webhooks", webhooks_api.EndpointListView.as_view(), name="api-webhooks"),
    path("webhooks/<int:pk>", webhooks_api.EndpointDetailView.as_view(), name="api-webhook"),
    path(
        "webhooks/<int:pk>/test", webhooks_api.EndpointTestView.as_view(), name="api-webhook-test"
    ),
    path(
        "webhooks/<int:pk>/rotate-secret",
        webhooks_api.EndpointRotateSecretView.as_view(),
        name="api-webhook-rotate-secret",
    ),
    path(
        "webhooks/<int:pk>/deliveries",
        webhooks_api.DeliveryListView.as_view(),
        name="api-webhook-deliveries",
    ),
    path("schema", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, allowed by the strict CSP.
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
