import re

import pytest
from django.core import mail

from accounts.audit import Actor
from accounts.models import Role
from people import services

LINK = re.compile(r"https?://\S+/invitations/([\w-]+)/")


def link_secret(message) -> str:
    """The secret of the invitation link in a sent mail."""
    return LINK.search(message.body).group(1)


@pytest.fixture
def invite(admin_a, account_a):
    """invite(email, role=agent) -> (invitation, secret), sent by admin_a through the service."""

    def _invite(email: str, role: str = Role.AGENT, account=None, by=None):
        return services.invitation_create(
            account=account or account_a,
            email=email,
            role=role,
            actor=Actor(user=by or admin_a),
        )

    return _invite


@pytest.fixture
def outbox():
    mail.outbox.clear()
    return mail.outbox
