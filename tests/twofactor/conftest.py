from datetime import UTC, datetime

import pytest
import time_machine
from django_otp.oath import totp

from accounts.audit import Actor
from security import services


@pytest.fixture
def clock():
    """Time stands still (TOTP codes and sudo mode read it) until shifted."""
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def code_of(device) -> str:
    """The code the user's app shows now."""
    return f"{totp(device.bin_key):06d}"


@pytest.fixture
def enroll(clock):
    """enroll(user) -> (device, recovery codes): two-factor on, through the services; the clock
    then moves to the next 30-second step so a fresh code is usable."""

    def _enroll(user):
        device = services.pending_device(user=user)
        device, codes = services.two_factor_enable(
            user=user, code=code_of(device), actor=Actor(user=user)
        )
        clock.shift(30)
        return device, codes

    return _enroll
