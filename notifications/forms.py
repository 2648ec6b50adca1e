from django import forms


class PreferencesForm(forms.Form):
    email_expiry_reminders = forms.BooleanField(
        required=False,
        label="Email me before my API tokens expire",
        help_text="Reminders 30, 7 and 1 days before, and when a token has expired. Security "
        "notices (a token created for you, revoked as leaked, or used from a new address) are "
        "always sent.",
    )
