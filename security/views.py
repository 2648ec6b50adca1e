"""The account security page (two-factor set-up, recovery codes, turning it off), the sign-in's
second step, and sudo mode's password prompt."""

import time
from base64 import b32encode

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import actor_from_request
from accounts.models import User
from accounts.signin import answers_429_when_limited
from accounts.views import PENDING_SIGNIN, PENDING_SIGNIN_SECONDS
from core.pages import form_refusals
from security import services
from security.forms import DisableForm, EnableForm, LoginCodeForm, SudoForm
from security.sudo import mark_authenticated, sudo_required


def _safe_next(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return "/"


def _codes_page(request: HttpRequest, codes: list[str], status: int) -> HttpResponse:
    # Shown in this answer only: never stored in clear, kept out of caches and history.
    response = render(request, "security/recovery_codes.html", {"codes": codes}, status=status)
    add_never_cache_headers(response)
    return response


@never_cache
@login_required
@require_GET
def security_page(request: HttpRequest) -> HttpResponse:
    return _render_security(request)


def _render_security(
    request: HttpRequest,
    *,
    enable_form: EnableForm | None = None,
    disable_form: DisableForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    context: dict = {"enabled": services.has_two_factor(user)}
    if context["enabled"]:
        context |= {
            "codes_left": services.recovery_codes_left(user),
            "disable_form": disable_form or DisableForm(request=request, user=user),
        }
    else:
        device = services.pending_device(user=user)
        context |= {
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(
                scale=4, title="QR code of the two-factor secret"
            ),
            "secret": b32encode(device.bin_key).decode(),
            "enable_form": enable_form or EnableForm(),
        }
    # `form`: the one checked on this answer, for answers_429_when_limited.
    context["form"] = disable_form
    return TemplateResponse(request, "security/page.html", context, status=status)


@login_required
@require_POST
def enable(request: HttpRequest) -> HttpResponse:
    form = EnableForm(request.POST)
    if form.is_valid():
        with form_refusals(form, {"code": "code"}):
            device, codes = services.two_factor_enable(
                user=request.user, code=form.cleaned_data["code"], actor=actor_from_request(request)
            )
            django_otp.login(request, device)  # this session has just shown a code
            mark_authenticated(request)
            return _codes_page(request, codes, status=201)
    return _render_security(request, enable_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
@sudo_required()
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """GET only comes back here from sudo mode's prompt: it offers the button again."""
    if request.method == "GET":
        return redirect("security:page")
    with form_refusals():
        codes = services.recovery_codes_regenerate(
            user=request.user, actor=actor_from_request(request)
        )
    return _codes_page(request, codes, status=201)


@login_required
@require_POST
@answers_429_when_limited
def disable(request: HttpRequest) -> HttpResponse:
    form = DisableForm(request.POST, request=request, user=request.user)
    if form.is_valid():
        services.two_factor_disable(user=request.user, actor=actor_from_request(request))
        messages.success(request, "Two-factor authentication is off.")
        return redirect("security:page")
    return _render_security(request, disable_form=form, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
@answers_429_when_limited
def login_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_SIGNIN)
    if not pending or time.time() - pending["at"] > PENDING_SIGNIN_SECONDS:
        request.session.pop(PENDING_SIGNIN, None)
        messages.info(request, "Sign in again: that sign-in waited too long for its code.")
        return redirect("login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return redirect("login")
    form = LoginCodeForm(request.POST or None, request=request, user=user)
    if request.method == "POST" and form.is_valid():
        del request.session[PENDING_SIGNIN]
        login(request, user, backend=pending["backend"])
        django_otp.login(request, form.device)
        return redirect(_safe_next(request, pending["next"]))
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "security/login_code.html", {"form": form}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@answers_429_when_limited
def sudo(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = SudoForm(request.POST or None, request=request, user=request.user)
    if request.method == "POST" and form.is_valid():
        mark_authenticated(request)
        if form.device is not None:
            django_otp.login(request, form.device)
        services.sudo_passed(user=request.user, actor=actor_from_request(request))
        return redirect(next_url)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "next": next_url}
    return TemplateResponse(request, "security/sudo.html", context, status=status)
