"""The one sign-in counter, for every form that checks a password (the portal's sign-in, the
admin's, and any other that asks for a password or a code).

Failures are counted per client address and per (address, email), never per email alone: an
attacker's failures for someone's email refuse the attacker's address, not her correct password
from an address that has not failed. A form asks `signin_refused` before it checks the password
and calls `signin_failed` when the password was wrong; a correct password is not counted.

The check and the count are two steps, so requests already in flight when a window fills are
still answered: the overshoot is bounded by how many requests the servers handle at once."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.crypto import salted_hmac

from accounts.models import normalize_email
from core.http import address_bucket, client_ip
from core.ratelimit import hit, peek

THROTTLED = "Too many sign-in attempts. Wait %(seconds)s seconds, then try again."


def _counters(request: HttpRequest, email: str | None) -> list[tuple[str, str]]:
    address = address_bucket(client_ip(request))
    counters = [(f"signin:{address}", "login")]
    if email:
        # A keyed digest: the cache holds no one's email address.
        digest = salted_hmac("accounts.signin", normalize_email(email)).hexdigest()
        counters.append((f"signin:{address}:{digest}", "login_pair"))
    return counters


def signin_refused(request: HttpRequest, email: str | None) -> int | None:
    """Seconds to wait when this address, or this address for this email, has failed too often;
    else None. Ask before checking the password; asking counts nothing."""
    return peek(*_counters(request, email))


def signin_failed(request: HttpRequest, email: str | None) -> None:
    """Count one wrong password (or code) from this address, for this email."""
    for key, rate_name in _counters(request, email):
        hit(key, rate_name)


class SigninLimitMixin:
    """For forms that check a password: `refuse_if_limited(email)` before the check raises the
    form error and sets `retry_after`, which `answers_429_when_limited` turns into a 429."""

    request: HttpRequest | None
    retry_after: int | None = None

    def refuse_if_limited(self, email: str | None) -> None:
        if self.request is None:
            return
        self.retry_after = signin_refused(self.request, email)
        if self.retry_after is not None:
            raise ValidationError(THROTTLED, code="throttled", params={"seconds": self.retry_after})

    def count_failure(self, email: str | None) -> None:
        if self.request is not None:
            signin_failed(self.request, email)


class LimitedAuthenticationMixin(SigninLimitMixin):
    """For Django's AuthenticationForm and its subclasses (the admin's included)."""

    def clean(self):
        email = self.cleaned_data.get("username")
        self.refuse_if_limited(email)
        try:
            return super().clean()
        except ValidationError:
            # user_cache stays None only when a password was checked and did not match.
            if email and self.cleaned_data.get("password") and self.user_cache is None:
                self.count_failure(email)
            raise


def answers_429_when_limited(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Wraps a view that renders a SigninLimitMixin form as `form` in a TemplateResponse (as
    Django's form views do): a refused attempt answers 429 with Retry-After instead of 200."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        retry_after = getattr(form, "retry_after", None)
        if retry_after is not None:
            response.status_code = 429
            response["Retry-After"] = str(retry_after)
        return response

    return wrapped
