"""The form of the Webhooks page. It only parses input; the rules live in the services."""

from django import forms

from accounts.events import EVENT_TYPES


class EndpointForm(forms.Form):
    url = forms.CharField(
        max_length=2000,
        label="Endpoint URL",
        help_text="Where events are sent, e.g. https://example.com/hooks/token-portal.",
        widget=forms.URLInput(attrs={"autocomplete": "url", "spellcheck": "false"}),
    )
    events = forms.MultipleChoiceField(
        choices=[(t, t) for t in EVENT_TYPES],
        initial=list(EVENT_TYPES),
        widget=forms.CheckboxSelectMultiple,
        label="Events to send",
        error_messages={"required": "Choose at least one event to send."},
    )
    description = forms.CharField(max_length=200, required=False, label="Description")
