"""The API against its own OpenAPI schema (schemathesis), called in-process with an admin token.

Data that fits the schema must get answers that fit it too; data that does not must never
make the server fail."""

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from config.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def load(mode: GenerationMode):
    loaded = schemathesis.openapi.from_wsgi("/api/v1/schema?format=json", application)
    loaded.config.generation.update(modes=[mode])
    return loaded


fitting, unfitting = load(GenerationMode.POSITIVE), load(GenerationMode.NEGATIVE)


def call(case, secret: str, checks) -> None:
    # In a rolled-back savepoint: a revocation or a role change stays within its example.
    with transaction.atomic():
        response = case.call(headers={"Authorization": f"Bearer {secret}"})
        transaction.set_rollback(True)
    assert response.status_code < 500
    case.validate_response(response, checks=checks)


@fitting.parametrize()
@SETTINGS
def test_answers_to_valid_requests_conform_to_the_schema(
    case, wsgi_in_test_transaction, issue, admin_a, agent_a, account_a
):
    _, secret = issue(admin_a, account_a)
    call(
        case,
        secret,
        [
            not_a_server_error,
            response_schema_conformance,
            content_type_conformance,
            response_headers_conformance,
        ],
    )


@unfitting.parametrize()
@SETTINGS
def test_invalid_requests_never_make_the_server_fail(
    case, wsgi_in_test_transaction, issue, admin_a, agent_a, account_a
):
    _, secret = issue(admin_a, account_a)
    call(case, secret, [not_a_server_error])


@pytest.mark.parametrize("path", ["/api/v1/members/-1", "/api/v1/tokens/-1", "/api/v1/nowhere"])
def test_an_api_path_that_matches_nothing_answers_in_json(api, issue, admin_a, account_a, path):
    _, secret = issue(admin_a, account_a)
    response = api(secret).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("path", ["/api/v1/members/999999", "/api/v1/tokens/999999"])
def test_an_unknown_id_answers_with_a_code(api, issue, admin_a, account_a, path):
    _, secret = issue(admin_a, account_a)
    response = api(secret).get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
