"""The Webhooks page, through Django's test client."""

import re

import pytest

from accounts.models import AuditEvent
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db

PAGE = "/accounts/acme/webhooks/"


def add(client, url, **data):
    return client.post(PAGE, {"url": url, "events": ["token.created"], "description": "CI"} | data)


def test_only_admins_see_the_page_and_the_nav_link(client, admin_a, agent_a, admin_b):
    client.force_login(agent_a)
    assert client.get(PAGE).status_code == 403
    assert PAGE not in client.get("/accounts/acme/tokens/").content.decode()
    client.force_login(admin_b)
    assert client.get(PAGE).status_code == 404
    client.force_login(admin_a)
    assert PAGE in client.get("/accounts/acme/tokens/").content.decode()
    assert client.get(PAGE).status_code == 200


def test_adding_an_endpoint_shows_its_secret_once(client, admin_a, receiver):
    client.force_login(admin_a)
    response = add(client, receiver.url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    secret = re.search(r'value="(whsec_[^"]+)"', response.content.decode()).group(1)
    endpoint = Endpoint.objects.get()
    assert endpoint.signing_secret == secret
    page = client.get(PAGE).content.decode()
    assert receiver.url in page and secret not in page


def test_a_bad_endpoint_is_shown_with_its_errors(client, admin_a, settings):
    settings.WEBHOOKS_ALLOW_LOCAL = False
    client.force_login(admin_a)
    response = add(client, "http://hooks.example.com/", events=[])
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose at least one event to send." in html
    response = add(client, "http://hooks.example.com/")
    assert (
        response.status_code == 400
        and "The URL must start with https://" in response.content.decode()
    )
    assert not Endpoint.objects.exists()


def test_actions(client, admin_a, receiver, django_capture_on_commit_callbacks):
    client.force_login(admin_a)
    add(client, receiver.url)
    endpoint = Endpoint.objects.get()
    base = f"{PAGE}{endpoint.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(base + "test/").status_code == 302
    assert len(receiver.requests) == 1
    page = client.get(PAGE).content.decode()
    assert "webhook.test" in page and "Succeeded" in page and "204" in page
    client.post(base + "disable/")
    assert not Endpoint.objects.get().enabled
    client.post(base + "enable/")
    assert Endpoint.objects.get().enabled
    rotated = client.post(base + "rotate/")
    assert "whsec_" in rotated.content.decode()
    assert client.post(base + "unknown/").status_code == 404
    assert client.get(base + "delete/").status_code == 405
    client.post(base + "delete/")
    assert not Endpoint.objects.exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="webhook.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "webhook.created",
        "webhook.disabled",
        "webhook.enabled",
        "webhook.secret_rotated",
        "webhook.deleted",
    ]


def test_an_agent_cannot_act_on_endpoints(client, admin_a, agent_a, receiver):
    client.force_login(admin_a)
    add(client, receiver.url)
    endpoint = Endpoint.objects.get()
    client.force_login(agent_a)
    assert client.post(f"{PAGE}{endpoint.pk}/delete/").status_code == 403
    assert Endpoint.objects.exists()
