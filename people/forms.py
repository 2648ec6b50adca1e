"""Forms of the people pages. They parse input; the rules live in people.services and
accounts.services."""

from django import forms
from django.contrib.auth import forms as auth_forms

from accounts.models import Role
from accounts.signin import SigninLimitMixin

NEW_PASSWORD_HELP = "At least 8 characters; not a common password, not only digits."


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text="They get a link, valid 7 days. They join when they accept it.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.AGENT, label="Role")


class SignUpForm(forms.Form):
    """Someone new accepting an invitation: a name and a password, typed twice."""

    name = forms.CharField(
        max_length=150, label="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=NEW_PASSWORD_HELP,
    )
    password2 = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") != data["password1"]:
            self.add_error("password2", "The two passwords differ.")
        return data


class PasswordResetForm(SigninLimitMixin, auth_forms.PasswordResetForm):
    """Counted like sign-in, per address and per (address, email): each request is an attempt
    to get into an account without its password. The count is the same for every email, so
    the answer still tells nothing about who has a user."""

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"]
        self.refuse_if_limited(email)
        self.count_failure(email)
        return email

    def get_users(self, email):
        # Service accounts never sign in, so they get no reset link.
        return (user for user in super().get_users(email) if not user.is_service_account)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label="Role")


class PasswordChangeForm(SigninLimitMixin, auth_forms.PasswordChangeForm):
    """A wrong current password counts as a failed sign-in, from this address for this email."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["new_password1"].help_text = NEW_PASSWORD_HELP

    def clean_old_password(self):
        self.refuse_if_limited(self.user.email)
        try:
            return super().clean_old_password()
        except forms.ValidationError:
            self.count_failure(self.user.email)
            raise
