import hashlib

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts.models import normalize_email
from core.http import client_ip
from core.ratelimit import hit


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Wrong email or password.",
        "throttled": "Too many sign-in attempts. Wait %(seconds)s seconds, then try again.",
    }

    # Seconds to wait before the next attempt, set when this attempt was refused for the rate.
    retry_after: int | None = None

    def clean(self):
        # Counted per client IP and per email before any password is checked, so neither
        # spraying many emails from one address nor one email from many addresses gets far.
        keys = [f"ip:{client_ip(self.request) or 'unknown'}"] if self.request else []
        email = self.cleaned_data.get("username")
        if email:
            # Hashed: the cache need not hold people's addresses.
            keys.append(f"email:{hashlib.sha256(normalize_email(email).encode()).hexdigest()}")
        waits = [wait for key in keys if (wait := hit(key, "login")) is not None]
        if waits:
            self.retry_after = max(waits)
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"seconds": self.retry_after},
            )
        return super().clean()
