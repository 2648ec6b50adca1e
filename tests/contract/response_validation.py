"""A pytest plugin: every answer of /api/v1/ given to a test client must match the schema's
response for that operation and status, formats included. Load it with
`-p tests.contract.response_validation`."""

import json
import re
from functools import cache

import pytest
from django.test.client import Client
from openapi_schema_validator import OAS31Validator

API = "/api/v1/"
UNDOCUMENTED = ("/api/v1/schema", "/api/v1/docs", "/api/v1/redoc")


@cache
def _spec() -> dict:
    # Imported here: a plugin loads before Django's settings are configured.
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@cache
def _operations() -> list[tuple[re.Pattern, str]]:
    # Literal paths first: /tokens/revoke-leaked is not /tokens/{id}.
    return [
        (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path)
        for path in sorted(_spec()["paths"], key=lambda path: path.count("{"))
    ]


def _generic_error() -> dict:
    return {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def mismatch(
    method: str,
    path: str,
    status: int,
    body: bytes,
    content_type: str,
    accept: str = "",
    query: str = "",
) -> str | None:
    """Why this answer does not match the schema, or None if it does."""
    if not path.startswith(API) or path.startswith(UNDOCUMENTED) or method == "OPTIONS":
        return None
    if status in (405, 406, 415) or status >= 500:  # 500 fails the test by itself
        return None  # DRF's generic answers to a method or media type the route lacks
    template = next((t for pattern, t in _operations() if pattern.match(path)), None)
    if template is None:  # a path that matches nothing: the generic 404
        if status != 404:
            return f"{method} {path}: no such path in the schema"
        template, responses = path, {"404": _generic_error()}
    elif (operation := _spec()["paths"][template].get(method.lower())) is None:
        # Refused before the method is looked at: one of the generic errors.
        responses = {str(status): _generic_error()} if status in (401, 403, 429) else {}
    else:
        responses = operation["responses"]
    response = responses.get(str(status))
    if response is None:
        return f"{method} {template}: status {status} is not documented"
    media = response.get("content", {}).get("application/json")
    if media is None:
        return None if not body else f"{method} {template} {status}: undocumented body"
    if content_type.startswith("text/html") and ("text/html" in accept or "format=api" in query):
        return None  # the browsable API, outside production
    if not content_type.startswith("application/json"):
        return f"{method} {template} {status}: {content_type} instead of JSON"
    schema = {**media["schema"], "components": _spec()["components"]}
    validator = OAS31Validator(schema, format_checker=OAS31Validator.FORMAT_CHECKER)
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
        for e in validator.iter_errors(json.loads(body))
    ]
    return f"{method} {template} {status}: " + "; ".join(errors) if errors else None


@pytest.fixture(autouse=True)
def _responses_match_schema(monkeypatch):
    request = Client.request

    def checked(self, **environ):
        response = request(self, **environ)
        problem = mismatch(
            environ["REQUEST_METHOD"],
            environ["PATH_INFO"],
            response.status_code,
            b"" if response.streaming else response.content,
            response.get("Content-Type", ""),
            environ.get("HTTP_ACCEPT", ""),
            environ.get("QUERY_STRING", ""),
        )
        assert problem is None, problem
        return response

    monkeypatch.setattr(Client, "request", checked)
