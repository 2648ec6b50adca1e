"""Password reset by email and password change, on the product's pages (Django's views)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator

from accounts.signin import answers_429_when_limited
from people.forms import PasswordChangeForm, PasswordResetForm


class _PassesRequest:
    """The sign-in counter reads the client address from the request."""

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"request": self.request}


@method_decorator(answers_429_when_limited, name="dispatch")
class PasswordResetView(_PassesRequest, auth_views.PasswordResetView):
    """The same answer (a redirect to the same page) whether or not the email is a user's."""

    template_name = "people/password_reset.html"
    form_class = PasswordResetForm
    email_template_name = "people/email/password_reset.txt"
    subject_template_name = "people/email/password_reset_subject.txt"
    success_url = reverse_lazy("people:password-reset-done")

    @property
    def extra_email_context(self) -> dict:
        # The link starts from SITE_URL, never from the Host header a client sends.
        return {"site_url": settings.SITE_URL.rstrip("/")}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "people/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "people/password_reset_confirm.html"
    success_url = reverse_lazy("people:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "people/password_reset_complete.html"


@method_decorator(answers_429_when_limited, name="dispatch")
class PasswordChangeView(_PassesRequest, auth_views.PasswordChangeView):
    """Asks for the current password. Django keeps this session (update_session_auth_hash);
    every other session of the user ends, since it carries the old password's hash. Service
    accounts never hold a session (accounts.backends), so they never reach it."""

    template_name = "people/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(
            self.request, "Your password is changed. Your other sessions were signed out."
        )
        return super().form_valid(form)
