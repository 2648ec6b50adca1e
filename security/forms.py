"""Forms that check a code or a password: each counts its failures with the sign-in counter."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django_otp.models import Device

from accounts.audit import Actor
from accounts.models import User
from accounts.signin import SigninLimitMixin
from core.http import client_ip
from security.services import code_check, has_two_factor

WRONG_CODE = "That code is not right. Use the newest code from your app, or a recovery code."
WRONG_PASSWORD = "That password is not right."


def code_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6 digits your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}
        ),
        **kwargs,
    )


class CheckForm(SigninLimitMixin, forms.Form):
    """Checks the user's password (if the form has the field) and code (if they have 2FA)."""

    def __init__(self, *args, request: HttpRequest, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.request, self.user = request, user
        self.device: Device | None = None
        if "code" in self.fields and not has_two_factor(user):
            del self.fields["code"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        email = self.user.email
        self.refuse_if_limited(email)
        if "password" in self.fields and not self.user.check_password(data["password"]):
            self.count_failure(email)
            raise ValidationError(WRONG_PASSWORD, code="wrong_password")
        if "code" in self.fields:
            actor = Actor(user=self.user, ip=client_ip(self.request))
            self.device = code_check(user=self.user, code=data["code"], actor=actor)
            if self.device is None:
                self.count_failure(email)
                raise ValidationError(WRONG_CODE, code="wrong_code")
        return data


class LoginCodeForm(CheckForm):
    code = code_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["autofocus"] = True


class SudoForm(CheckForm):
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = code_field()


class DisableForm(SudoForm):
    """Turning two-factor off asks for both, always."""


class EnableForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
