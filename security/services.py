"""Two-factor authentication: a TOTP device and 10 single-use recovery codes per user.

Recovery codes are stored as keyed digests (django-otp's static device compares what it is
given with what it holds, so it is given the digest), and shown in clear only when made."""

import secrets

from django.db import transaction
from django.utils.crypto import salted_hmac
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import audit
from accounts.audit import Actor
from accounts.models import AuditAction, User
from core.errors import ServiceError

RECOVERY_CODES = 10
DEVICE_NAME = "Authenticator app"


def _digest(code: str) -> str:
    normalized = code.strip().lower().replace("-", "").replace(" ", "")
    return salted_hmac("security.recovery", normalized).hexdigest()[:16]


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def users_with_two_factor(user_ids: list[int]) -> set[int]:
    """Which of these users have two-factor on, in one query."""
    devices = TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True)
    return set(devices.values_list("user_id", flat=True))


def pending_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the set-up page shows, made on first visit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _new_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=_digest(c)) for c in codes)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


@transaction.atomic
def two_factor_enable(*, user: User, code: str, actor: Actor) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending device with a code from the app; returns it and the recovery codes."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or has_two_factor(user):
        raise ServiceError("Two-factor authentication is already on.", field="code")
    if not _totp_matches(device, code):
        raise ServiceError(
            "That code is not right. Check the time on your phone and try the newest code.",
            field="code",
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_codes(user)
    audit.record(AuditAction.USER_TWO_FACTOR_ENABLED, actor=actor, target=user)
    return device, codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User, actor: Actor) -> list[str]:
    if not has_two_factor(user):
        raise ServiceError("Turn on two-factor authentication first.")
    codes = _new_codes(user)
    audit.record(AuditAction.USER_RECOVERY_CODES_REGENERATED, actor=actor, target=user)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def _totp_matches(device: TOTPDevice, code: str) -> bool:
    code = code.strip().replace(" ", "")
    # verify_token refuses a code of a time step already used (device.last_t).
    return code.isdigit() and device.verify_token(code)


@transaction.atomic
def code_check(*, user: User, code: str, actor: Actor) -> Device | None:
    """The device that accepts `code` (a code from the app, or an unused recovery code), or
    None. Devices are locked, so a code cannot be used twice by two requests at once."""
    totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if totp is None:
        return None
    if _totp_matches(totp, code):
        return totp
    static = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if static is not None and static.verify_token(_digest(code)):
        audit.record(
            AuditAction.USER_RECOVERY_CODE_USED,
            actor=actor,
            target=user,
            changes={"left": recovery_codes_left(user)},
        )
        return static
    return None


@transaction.atomic
def two_factor_disable(*, user: User, actor: Actor) -> None:
    """Turn off (the caller has checked the password and a code)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(AuditAction.USER_TWO_FACTOR_DISABLED, actor=actor, target=user)


def sudo_passed(*, user: User, actor: Actor) -> None:
    audit.record(AuditAction.USER_SUDO_PASSED, actor=actor, target=user)
