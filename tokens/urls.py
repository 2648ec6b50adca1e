from django.urls import path

from tokens import views

app_name = "tokens"
urlpatterns = [
    path("<slug:slug>/tokens/", views.tokens_page, name="page"),
    path("<slug:slug>/tokens/new/", views.token_new, name="new"),
    path("<slug:slug>/tokens/<int:pk>/revoke/", views.token_revoke_view, name="revoke"),
    path("<slug:slug>/tokens/access/", views.access_update, name="access"),
    path("<slug:slug>/tokens/policy/", views.policy_update, name="policy"),
    path("<slug:slug>/tokens/service-accounts/", views.service_account_new, name="service-account"),
    path("<slug:slug>/tokens/audit/", views.audit_page, name="audit"),
]
