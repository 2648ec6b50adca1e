from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as accounts_api

urlpatterns = [
    path("", include("tokens.api_urls")),
    path("account", accounts_api.AccountView.as_view(), name="api-account"),
    path("members", accounts_api.MemberListView.as_view(), name="api-members"),
    path("members/<int:pk>", accounts_api.MemberDetailView.as_view(), name="api-member"),
    path("audit-events", accounts_api.AuditEventListView.as_view(), name="api-audit-events"),
    path("schema", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, allowed by the strict CSP.
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
