from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import views as account_views
from accounts.forms import AdminLoginForm
from accounts.signin import answers_429_when_limited
from ops import health

# The admin's sign-in goes through the portal's sign-in counter.
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", account_views.home, name="home"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("tokens.urls")),
    path("accounts/", include("webhooks.urls")),
    path("account/notifications/", include("notifications.urls")),
    path("", include("people.urls")),
    path("", include("security.urls")),
    path("api/v1/", include("config.api_urls")),
    path("admin/login/", answers_429_when_limited(admin.site.login)),
    # The admin's own password form checks the old password outside the sign-in counter: staff
    # change their password on the portal's page, which counts like sign-in.
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="people:password-change", permanent=False),
    ),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

handler400 = "core.api_errors.bad_request"
handler404 = "core.api_errors.not_found"
