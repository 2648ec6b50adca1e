from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.audit import actor_from_request
from accounts.models import User
from notifications.forms import PreferencesForm
from notifications.services import preferences_update


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """Your settings: the mails you get."""
    user = cast(User, request.user)  # signed in: login_required
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        form.is_valid()  # one checkbox: unticked or missing is simply False
        preferences_update(
            user=user,
            email_expiry_reminders=form.cleaned_data["email_expiry_reminders"],
            actor=actor_from_request(request),
        )
        messages.success(request, "Your settings are saved.")
        return redirect("notifications:settings")
    form = PreferencesForm(initial={"email_expiry_reminders": user.email_expiry_reminders})
    return render(request, "notifications/settings.html", {"form": form})
