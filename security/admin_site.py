"""The Django admin, closed to staff without a verified second factor when
ADMIN_REQUIRES_TWO_FACTOR is on (the default in production), as django-otp's OTPAdminSite does.

Staff sign in on the portal's own pages, which ask for the code; the admin's sign-in sends them
there, or to set up two-factor, or to confirm a code for a session signed in without one."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from security.sudo import sudo_url


def _required() -> bool:
    return settings.ADMIN_REQUIRES_TWO_FACTOR


class TwoFactorAdminSite(AdminSite):
    def has_permission(self, request) -> bool:
        verified = getattr(request.user, "is_verified", lambda: False)
        return super().has_permission(request) and (not _required() or verified())

    def login(self, request, extra_context=None):
        if not _required():
            return super().login(request, extra_context)
        next_url = request.GET.get("next") or reverse("admin:index")
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")
        if not request.user.is_staff:
            return super().login(request, extra_context)
        if not user_has_device(request.user):
            return redirect("security:page")
        return redirect(sudo_url(next_url))


class TwoFactorAdminConfig(AdminConfig):
    default_site = "security.admin_site.TwoFactorAdminSite"
