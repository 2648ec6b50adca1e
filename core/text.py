"""The one rule for text people type that others read: names, descriptions, reasons.

Such text is trimmed, required unless said otherwise, kept within a length, and refused when it
holds a control character (Unicode category Cc: NUL, escapes, line breaks) or an invisible
format character (Cf: bidirectional overrides such as U+202E, zero-width spaces, BOMs). Those
let one entry display as another in lists and the audit trail, so they get a field error rather
than a silent strip: what is stored is exactly what was typed.

Services apply the rule with `clean_text`; forms and serializers use `TextFormField` and
`TextSerializerField`, so bad input is refused next to its field before any service runs."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from core.errors import ServiceError

NAME_MAX_LENGTH = 150  # a user's or a service account's name
ACCOUNT_NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 200  # a token's description
REASON_MAX_LENGTH = 200  # why staff revoked tokens

_REFUSED_CATEGORIES = frozenset({"Cc", "Cf"})


def validate_visible(value: str) -> None:
    """Django validator: refuse control and invisible format characters."""
    found = sorted({c for c in value if unicodedata.category(c) in _REFUSED_CATEGORIES})
    if found:
        listed = ", ".join(f"U+{ord(c):04X}" for c in found[:5])
        raise ValidationError(
            f"Remove the invisible or control characters ({listed}).",
            code="invisible_characters",
        )


def clean_text(
    value: str | None, *, field: str, max_length: int, label: str, required: bool = True
) -> str:
    """The rule for services: the trimmed text, or ServiceError naming `field`.
    `label` names the text in messages ("description")."""
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(f"A {label} is required.", field=field)
    if len(value) > max_length:
        raise ServiceError(f"Keep the {label} within {max_length} characters.", field=field)
    try:
        validate_visible(value)
    except ValidationError as exc:
        raise ServiceError(exc.messages[0], field=field, code="invisible_characters") from None
    return value


class TextFormField(forms.CharField):
    """The rule as a form field (pages and the admin): trimmed, required, `max_length`."""

    default_validators = [validate_visible]


class TextSerializerField(serializers.CharField):
    """The rule as a serializer field (the API): trimmed, required, `max_length`."""

    default_validators = [validate_visible]
