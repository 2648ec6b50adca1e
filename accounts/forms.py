from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from accounts.signin import LimitedAuthenticationMixin


class LoginForm(LimitedAuthenticationMixin, AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Wrong email or password.",
    }


class AdminLoginForm(LimitedAuthenticationMixin, AdminAuthenticationForm):
    """The Django admin's sign-in, counted with the portal's."""
