"""Forms of the API tokens page. They only parse input; the rules live in the services."""

import secrets
from datetime import UTC, date, datetime, time, timedelta

from django import forms

from accounts.access import SCOPES
from accounts.models import (
    MAX_TOKEN_LIFETIME_DAYS,
    MIN_TOKEN_LIFETIME_DAYS,
    UNUSED_TOKEN_DAYS,
    Account,
    Membership,
    Role,
    User,
)
from core.text import DESCRIPTION_MAX_LENGTH, TextFormField

PRESET_DAYS = {"30": 30, "60": 60, "90": 90, "365": 365}
PRESET_LABELS = {"30": "30 days", "60": "60 days", "90": "90 days", "365": "1 year"}
CUSTOM, NEVER = "custom", "none"


class AccessForm(forms.Form):
    # Parsing only: the switch is drawn by templates/tokens/_access_switch.html.
    token_access_enabled = forms.BooleanField(required=False, label="Token access")


class PolicyForm(forms.Form):
    members_can_create_tokens = forms.BooleanField(
        required=False, label="Members (agents and light agents) may create their own tokens"
    )
    token_max_lifetime_days = forms.IntegerField(
        required=False,
        min_value=MIN_TOKEN_LIFETIME_DAYS,
        max_value=MAX_TOKEN_LIFETIME_DAYS,
        label="Maximum token lifetime (days)",
        help_text=f"From {MIN_TOKEN_LIFETIME_DAYS} to {MAX_TOKEN_LIFETIME_DAYS}. "
        "Leave empty to allow tokens that never expire.",
    )
    revoke_unused_after_days = forms.TypedChoiceField(
        choices=[("", "Never"), *UNUSED_TOKEN_DAYS],
        coerce=int,
        empty_value=None,
        required=False,
        label="Revoke tokens unused for",
        help_text="Owners are warned by email 7 days before.",
    )
    require_two_factor = forms.BooleanField(
        required=False,
        label="Members must use two-factor authentication",
        help_text="Members without it are asked to set it up before they use this account.",
    )


class ServiceAccountForm(forms.Form):
    name = forms.CharField(
        max_length=150, label="Name", help_text="For example “Zapier” or “CI deploy job”."
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.AGENT, label="Role")


class TokenForm(forms.Form):
    """Create a token. Admins choose the owner; everyone else creates their own."""

    # A fresh random id per rendered form: a re-sent POST (a reload of the page that shows the
    # secret) is recognised and answered without creating a second token.
    form_id = forms.CharField(widget=forms.HiddenInput, max_length=64)
    description = TextFormField(
        max_length=DESCRIPTION_MAX_LENGTH,
        label="Description",
        help_text="What will use this token, so you recognise it later.",
        error_messages={"required": "A description is required."},
    )
    owner = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Owner",
        help_text="The token acts as this member. Service accounts suit integrations.",
    )
    scopes = forms.MultipleChoiceField(
        choices=[(s, s) for s in SCOPES],
        initial=list(SCOPES),
        widget=forms.CheckboxSelectMultiple,
        label="Scopes",
        error_messages={"required": "Choose at least one scope."},
    )
    expiration = forms.ChoiceField(widget=forms.RadioSelect, label="Expiration")
    expires_on = forms.DateField(
        required=False,
        label="Custom expiry date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The token stops working at the start of this day (UTC).",
    )

    def __init__(
        self,
        *args,
        account: Account,
        user: User,
        memberships: list[Membership] | None,
        **kwargs,
    ):
        """`memberships` lists the possible owners (admins only); None hides the field."""
        super().__init__(*args, **kwargs)
        self.account = account
        self.user = user
        self.fields["form_id"].initial = secrets.token_urlsafe(16)
        if memberships is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = _owner_choices(user, memberships)
            self.fields["owner"].initial = user.pk
        days = account.token_max_lifetime_days
        choices = [
            (k, PRESET_LABELS[k]) for k, n in PRESET_DAYS.items() if days is None or n <= days
        ]
        choices.append((CUSTOM, "Custom date"))
        if days is None:
            choices.append((NEVER, "No expiry"))
        self.fields["expiration"].choices = choices
        self.fields["expiration"].initial = choices[0][0]
        self.fields["expiration"].help_text = (
            "This account allows tokens that never expire."
            if days is None
            else f"This account allows tokens to live at most {days} days."
        )

    def clean(self):
        data = super().clean()
        if data.get("expiration") == CUSTOM and not data.get("expires_on"):
            self.add_error("expires_on", "Choose the date the token stops working.")
        return data

    def expires_at(self, now: datetime) -> datetime | None:
        """The chosen expiry, for the service to check against the policy."""
        choice = self.cleaned_data["expiration"]
        if choice == NEVER:
            return None
        if choice == CUSTOM:
            day: date = self.cleaned_data["expires_on"]
            return datetime.combine(day, time.min, tzinfo=UTC)
        return now + timedelta(days=PRESET_DAYS[choice])

    def expiry_field(self) -> str:
        """Where an expiry refusal is shown: next to the date when one was typed."""
        return "expires_on" if self.cleaned_data.get("expiration") == CUSTOM else "expiration"


def _owner_choices(user: User, memberships: list[Membership]) -> list:
    people, services = [], []
    for m in memberships:
        if m.user_id == user.pk:
            continue
        if m.user.is_service_account:
            services.append((m.user_id, f"{m.user.name} ({m.get_role_display()})"))
        else:
            name = m.user.name or m.user.email
            people.append((m.user_id, f"{name} ({m.user.email}, {m.get_role_display()})"))
    choices: list = [(user.pk, f"Yourself ({user.email})")]
    if people:
        choices.append(("Other members", people))
    if services:
        choices.append(("Service accounts", services))
    return choices
