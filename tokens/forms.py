"""Forms of the API tokens page. They only parse input; the rules live in the services."""

import secrets
from datetime import UTC, date, datetime, time, timedelta

from django import forms

from accounts.access import ROLE_SCOPES
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

# Scopes grouped by resource, each chosen as a level. (field, label, sentence, what reading and
# writing let the token do). Audit has no write scope.
NONE, READ, WRITE = "none", "read", "write"
RESOURCES = (
    ("account", "Account", "The account's name, token access and token policy.",
     "read the account", "change the account"),
    ("members", "Members", "Who belongs to the account, and their roles.",
     "read the members", "add, change and remove members"),
    ("tokens", "Tokens", "API tokens: its owner's own, or every token when the owner is an admin.",
     "read tokens", "create and revoke tokens"),
    ("audit", "Audit", "The account's audit trail of changes.", "read the audit trail", None),
)  # fmt: skip
LEVEL_LABELS = {NONE: "No access", READ: "Read", WRITE: "Read and write"}
# What a new token gets unless its creator chooses otherwise: read access plus tokens write.
DEFAULT_LEVELS = {"account": READ, "members": READ, "tokens": WRITE, "audit": READ}


def level_scopes(resource: str, level: str) -> list[str]:
    return {NONE: [], READ: [f"{resource}:read"]}.get(
        level, [f"{resource}:read", f"{resource}:write"]
    )


def scopes_sentence(scopes: list[str]) -> str:
    """What a token with `scopes` can do, in words (static/js/tokens.js writes the same)."""
    phrases = []
    for resource, _label, _sentence, read, write in RESOURCES:
        if f"{resource}:write" in scopes:
            phrases.append(f"{read} and {write}")
        elif f"{resource}:read" in scopes:
            phrases.append(read)
    if not phrases:
        return "This token will not be able to do anything: choose at least one access."
    listed = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    return f"This token will be able to {listed}."


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
    # One level field per resource (scope_account, ...), added in __init__; clean() turns them
    # into the `scopes` list the service takes.
    expiration = forms.ChoiceField(widget=forms.RadioSelect, label="Expiration")
    expires_on = forms.DateField(
        required=False,
        label="Custom expiry date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The token stops working at the start of this day (UTC). "
        "Typing a date chooses Custom date.",
    )

    def __init__(
        self,
        *args,
        account: Account,
        user: User,
        memberships: list[Membership] | None,
        role: str,
        **kwargs,
    ):
        """`memberships` lists the possible owners (admins only); None hides the field.
        `role` is the creating user's own role in the account."""
        super().__init__(*args, **kwargs)
        self.account = account
        self.user = user
        self.date_won = False  # a date typed beside a preset choice, used instead of it
        self.fields["form_id"].initial = secrets.token_urlsafe(16)
        # Owner id -> role: what each possible owner's tokens could ever do.
        self.owner_roles = {user.pk: role}
        if memberships is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = _owner_choices(user, memberships)
            self.fields["owner"].initial = user.pk
            self.owner_roles |= {m.user_id: m.role for m in memberships}
        own = ROLE_SCOPES.get(role, frozenset())
        for resource, label, sentence, _read, write in RESOURCES:
            levels = [NONE, READ] + ([WRITE] if write else [])
            # The default, lowered to what the creating user's own role allows.
            default = DEFAULT_LEVELS[resource]
            while not set(level_scopes(resource, default)) <= own:
                default = levels[levels.index(default) - 1]
            self.fields[f"scope_{resource}"] = forms.ChoiceField(
                choices=[(level, LEVEL_LABELS[level]) for level in levels],
                initial=default,
                required=False,  # no level is no access
                widget=forms.RadioSelect,
                label=label,
                help_text=sentence,
            )
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
        if data.get("expires_on") and data.get("expiration") not in (None, CUSTOM):
            # Without script nothing selects "Custom date" when a date is typed: the date wins.
            data["expiration"] = CUSTOM
            self.date_won = True
        if data.get("expiration") == CUSTOM and not data.get("expires_on"):
            self.add_error("expires_on", "Choose the date the token stops working.")
        scopes: list[str] = []
        role = self.owner_roles.get(data.get("owner") or self.user.pk)
        allowed = ROLE_SCOPES.get(role, frozenset())
        for resource, label, *_ in RESOURCES:
            chosen = level_scopes(resource, data.get(f"scope_{resource}") or NONE)
            if not set(chosen) <= allowed:
                self.add_error(f"scope_{resource}", self.unavailable_reason(role, label))
            scopes += chosen
        if not scopes:
            self.add_error(None, "Choose at least one access for the token.")
        data["scopes"] = scopes
        return data

    @staticmethod
    def unavailable_reason(role: str | None, label: str) -> str:
        role_label = Role(role).label if role in Role.values else "unknown"
        return f"Not available: the owner's role ({role_label}) does not allow it for {label}."

    def chosen_owner(self) -> int:
        """The owner the form shows scopes for: the one posted, else the creating user."""
        if "owner" in self.fields and self.is_bound:
            try:
                owner = int(self.data.get("owner", ""))
            except ValueError:
                owner = self.user.pk
            if owner in self.owner_roles:
                return owner
        return self.user.pk

    def scope_groups(self) -> list[dict]:
        """The scope fields as the template draws them: each level with whether the chosen
        owner's role allows it, why not, and what it lets the token do."""
        role = self.owner_roles[self.chosen_owner()]
        allowed = ROLE_SCOPES.get(role, frozenset())
        groups = []
        for resource, label, _sentence, read, write in RESOURCES:
            field = self[f"scope_{resource}"]
            value = field.value() or NONE
            options = []
            for index, (level, level_label) in enumerate(field.field.choices):
                scopes = level_scopes(resource, level)
                options.append(
                    {
                        "value": level,
                        "label": level_label,
                        "id": f"{field.auto_id}_{index}",
                        "checked": value == level,
                        "scopes": " ".join(scopes),
                        "phrase": {READ: read, WRITE: f"{read} and {write}"}.get(level, ""),
                        "available": set(scopes) <= allowed,
                        "reason": self.unavailable_reason(role, label),
                    }
                )
            groups.append({"field": field, "resource": resource, "options": options})
        return groups

    def scopes_sentence(self) -> str:
        """The sentence under the scopes, for what the form currently shows."""
        scopes = []
        for resource, *_ in RESOURCES:
            scopes += level_scopes(resource, self[f"scope_{resource}"].value() or NONE)
        return scopes_sentence(scopes)

    def owner_scopes(self) -> dict[str, dict]:
        """Owner id -> role label and the scopes the role allows, for the script that updates
        the scopes when another owner is chosen."""
        return {
            str(owner): {
                "role": Role(role).label if role in Role.values else role,
                "scopes": sorted(ROLE_SCOPES.get(role, frozenset())),
            }
            for owner, role in self.owner_roles.items()
        }

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
