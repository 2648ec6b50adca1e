"""Sudo mode: actions that mint credentials or change who may do what ask for the password
(and a code, with two-factor on) again when the last check is older than SUDO_MODE_SECONDS.

The time of the last check is kept in the session. A form posted too late is kept in the session
(never a password or a secret: none of the guarded forms holds one) and shown again, filled in,
once the password is confirmed, so nothing typed is lost."""

import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

AUTHENTICATED_AT = "security.authenticated_at"
STASH = "security.sudo_stash"


def mark_authenticated(request: HttpRequest) -> None:
    """The password (or a code) was just checked for this session."""
    request.session[AUTHENTICATED_AT] = int(time.time())


def is_recent(request: HttpRequest) -> bool:
    checked_at = request.session.get(AUTHENTICATED_AT)
    return checked_at is not None and time.time() - checked_at < settings.SUDO_MODE_SECONDS


def sudo_url(next_url: str) -> str:
    return f"{reverse('security:sudo')}?{urlencode({'next': next_url})}"


def sudo_required(*, back: str | None = None) -> Callable:
    """Guard a page view. `back` names the page that holds the form when the view itself only
    takes POSTs (called with the view's `slug`); by default the view's own page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated or is_recent(request):
                return view(request, *args, **kwargs)
            page = reverse(back, kwargs={"slug": kwargs["slug"]}) if back else request.path
            if request.method == "POST":
                data = {
                    name: values
                    for name, values in request.POST.lists()
                    if name != "csrfmiddlewaretoken" and "password" not in name
                }
                request.session[STASH] = {"action": request.path, "data": data}
            return redirect(sudo_url(page))

        return wrapped

    return decorator


def prefill(request: HttpRequest, form_class: type[forms.Form], action: str) -> dict:
    """What was typed into `form_class` before sudo mode asked for the password, as the form's
    `initial`, if that form posts to `action`; taken out of the session once shown."""
    stash = request.session.get(STASH)
    if not stash or stash["action"] != action:
        return {}
    del request.session[STASH]
    data = stash["data"]
    initial = {}
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.BooleanField):
            initial[name] = name in data  # an unticked box is not posted
        elif name in data:
            multiple = isinstance(field, forms.MultipleChoiceField)
            initial[name] = data[name] if multiple else data[name][-1]
    # Fields a form adds in __init__ (the token form's scope levels) are single-valued.
    for name, values in data.items():
        initial.setdefault(name, values[-1])
    return initial
