from django.urls import path

from tokens.views import audit, create, revoke
from tokens.views import list as token_list

app_name = "tokens"
urlpatterns = [
    path("<slug:slug>/tokens/", token_list.tokens_page, name="page"),
    path("<slug:slug>/tokens/new/", create.token_new, name="new"),
    path("<slug:slug>/tokens/<int:pk>/revoke/", revoke.token_revoke_view, name="revoke"),
    path("<slug:slug>/tokens/access/", token_list.access_update, name="access"),
    path("<slug:slug>/tokens/policy/", token_list.policy_update, name="policy"),
    path(
        "<slug:slug>/tokens/service-accounts/",
        token_list.service_account_new,
        name="service-account",
    ),
    path("<slug:slug>/tokens/audit/", audit.audit_page, name="audit"),
]
