"""The schema is valid OpenAPI 3.1, and the plugin that checks every API answer of the suite
against it (tests.contract.response_validation, on for the whole suite) catches mismatches."""

import json

import pytest
from django.test.client import Client
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from tests.contract.response_validation import mismatch

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_3_1(tmp_path):
    from django.core.management import call_command

    path = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(path))
    spec, _ = read_from_filename(str(path))
    assert spec["openapi"] == "3.1.0"
    validate(spec)  # picks the 3.1 validator from the document's version


def test_the_plugin_checks_every_client_request():
    assert Client.request.__name__ == "checked"


def _member(**user):
    return json.dumps(
        {
            "id": 1,
            "user": {
                "id": 2,
                "email": "robot@acme.service.invalid",
                "name": "Robot",
                "is_service_account": True,
                **user,
            },
            "role": "agent",
            "joined_at": "2026-01-01T00:00:00Z",
        }
    ).encode()


def test_a_service_accounts_email_is_a_valid_answer():
    # The reason output emails are plain strings: `.invalid` addresses must validate.
    assert mismatch("GET", "/api/v1/members/1", 200, _member(), "application/json") is None


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("GET", "/api/v1/members/1", 200, _member(id="2"), "application/json"), "not of type"),
        (("GET", "/api/v1/members/1", 418, b"{}", "application/json"), "not documented"),
        (("GET", "/api/v1/nowhere", 200, b"{}", "application/json"), "no such path"),
        (("GET", "/api/v1/members/1", 200, _member(), "text/plain"), "instead of JSON"),
        (
            ("GET", "/api/v1/members", 400, b'{"detail": 1, "code": "x"}', "application/json"),
            "(body)",
        ),
    ],
)
def test_mismatches_are_named(args, problem):
    assert problem in mismatch(*args)


def test_dates_are_checked_by_format():
    body = json.loads(_member())
    body["joined_at"] = "yesterday"
    problem = mismatch(
        "GET", "/api/v1/members/1", 200, json.dumps(body).encode(), "application/json"
    )
    assert "joined_at" in problem and "date-time" in problem


def test_undocumented_methods_answer_with_the_generic_errors():
    unauthenticated = b'{"detail": "Authentication required.", "code": "not_authenticated"}'
    assert mismatch("PUT", "/api/v1/me", 401, unauthenticated, "application/json") is None
    assert mismatch("PUT", "/api/v1/me", 401, b'{"x": 1}', "application/json") is not None
    not_found = b'{"detail": "Not found.", "code": "not_found"}'
    assert mismatch("GET", "/api/v1/nowhere", 404, not_found, "application/json") is None
