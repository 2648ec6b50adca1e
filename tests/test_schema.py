import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_schema_generates_and_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    for path in (
        "/api/v1/me",
        "/api/v1/tokens/{id}/rotate",
        "/api/v1/members/{id}",
        "/api/v1/audit-events",
        "/api/v1/tokens/revoke-leaked",
    ):
        assert f"{path}:" in schema
    for scheme in ("bearerAuth", "basicTokenAuth", "sessionAuth"):
        assert scheme in schema


@pytest.mark.django_db
def test_swagger_ui_is_served_from_local_static_files(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "https://" not in html


@pytest.mark.django_db
def test_every_protected_operation_documents_its_errors(client):
    import json

    schema = json.loads(client.get("/api/v1/schema?format=json").content)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path.endswith("revoke-leaked"):
                assert {"400", "429"} <= codes and "401" not in codes
                continue
            assert {"401", "403", "429"} <= codes, (method, path)
            if "{id}" in path:
                assert "404" in codes, (method, path)
