"""The webhooks API of SPEC §10: validate → service → serialize, each change audited."""

import pytest

from accounts.models import AuditEvent
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks"


@pytest.fixture
def admin_api(api, issue, admin_a, account_a):
    return api(issue(admin_a, account_a)[1])


def create(client, receiver_url, **fields):
    body = {"url": receiver_url, "events": ["token.created"], "description": "CI"} | fields
    return client.post(URL, body, format="json")


def test_create_returns_the_secret_once(admin_api, receiver):
    response = create(admin_api, receiver.url)
    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["token.created"] and body["enabled"] is True
    assert "no-store" in response["Cache-Control"]
    endpoint = Endpoint.objects.get()
    assert endpoint.signing_secret == body["secret"]
    for shown in (
        admin_api.get(URL).json()["results"][0],
        admin_api.get(f"{URL}/{endpoint.pk}").json(),
    ):
        assert "secret" not in shown and shown["url"] == receiver.url
    audit = AuditEvent.objects.get(action="webhook.created")
    assert audit.changes == {"url": receiver.url, "events": ["token.created"], "description": "CI"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"url": "not a url"}, "url"),
        ({"url": "ftp://example.com/"}, "url"),
        ({"events": []}, "events"),
        ({"events": ["token.stolen"]}, "events"),
        ({"description": "x" * 201}, "description"),
    ],
)
def test_bad_input_is_a_400_with_field_errors(admin_api, receiver, fields, field):
    response = create(admin_api, receiver.url, **fields)
    assert response.status_code == 400 and field in response.json()
    assert not Endpoint.objects.exists()


def test_patch_changes_and_turns_off_and_rotation_returns_a_new_secret(admin_api, receiver):
    created = create(admin_api, receiver.url).json()
    path = f"{URL}/{created['id']}"
    response = admin_api.patch(
        path, {"events": ["member.removed", "token.revoked"], "enabled": False}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["events"] == ["token.revoked", "member.removed"]
    assert response.json()["enabled"] is False and "secret" not in response.json()
    rotated = admin_api.post(path + "/rotate-secret").json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    actions = list(
        AuditEvent.objects.filter(action__startswith="webhook.").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(
        ["webhook.created", "webhook.updated", "webhook.disabled", "webhook.secret_rotated"]
    )


def test_test_event_and_delivery_log(admin_api, receiver, django_capture_on_commit_callbacks):
    endpoint_id = create(admin_api, receiver.url).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(f"{URL}/{endpoint_id}/test")
    assert response.status_code == 202 and response.json()["event_type"] == "webhook.test"
    assert len(receiver.requests) == 1
    log = admin_api.get(f"{URL}/{endpoint_id}/deliveries").json()["results"]
    assert [(d["event_type"], d["status"], d["response_code"], d["attempt"]) for d in log] == [
        ("webhook.test", "succeeded", 204, 1)
    ]
    assert log[0]["event_id"] == receiver.requests[0]["headers"]["webhook-id"]


def test_delete_removes_the_endpoint_and_its_log(admin_api, receiver):
    endpoint_id = create(admin_api, receiver.url).json()["id"]
    admin_api.post(f"{URL}/{endpoint_id}/test")
    assert admin_api.delete(f"{URL}/{endpoint_id}").status_code == 204
    assert not Endpoint.objects.exists() and not Delivery.objects.exists()
    assert AuditEvent.objects.filter(action="webhook.deleted").count() == 1


def test_another_accounts_endpoint_is_a_404(admin_api, api, issue, admin_b, account_b, receiver):
    other = create(api(issue(admin_b, account_b)[1]), receiver.url).json()["id"]
    for method, path in [
        ("get", f"{URL}/{other}"),
        ("patch", f"{URL}/{other}"),
        ("delete", f"{URL}/{other}"),
        ("post", f"{URL}/{other}/test"),
        ("get", f"{URL}/{other}/deliveries"),
    ]:
        assert getattr(admin_api, method)(path, {}, format="json").status_code == 404
    assert admin_api.get(URL).json()["results"] == []
