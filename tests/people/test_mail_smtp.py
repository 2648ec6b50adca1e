"""One invitation, end to end through a real SMTP server started here (aiosmtpd)."""

import email
import socket

import pytest
from aiosmtpd.controller import Controller

from accounts.models import Membership, Role
from tests.people.conftest import LINK

pytestmark = pytest.mark.django_db


class Collect:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_invitation_travels_through_smtp_and_its_link_works(client, invite, account_a, settings):
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.DEFAULT_FROM_EMAIL = "Acme portal <portal@acme.example>"
        settings.SITE_URL = "http://portal.test"
        invite("smtp.person@example.com", Role.AGENT)
    finally:
        controller.stop()

    [envelope] = handler.received
    assert envelope.mail_from == "portal@acme.example"
    assert envelope.rcpt_tos == ["smtp.person@example.com"]
    message = email.message_from_bytes(envelope.content)
    assert message.get_content_type() == "text/plain"
    body = message.get_payload(decode=True).decode()
    secret = LINK.search(body).group(1)
    assert f"http://portal.test/invitations/{secret}/" in body

    response = client.post(
        f"/invitations/{secret}/",
        {
            "name": "Sam Smtp",
            "password1": "a long unusual phrase",
            "password2": "a long unusual phrase",
        },
    )
    assert response["Location"] == "/accounts/acme/tokens/"
    assert Membership.objects.get(user__email="smtp.person@example.com").account == account_a
