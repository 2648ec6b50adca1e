"""Production settings, system checks and response headers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

from config.middleware import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "portal.example.com",
    "DATABASE_URL": "postgres://portal@db.internal:5432/portal",
    "CACHE_URL": "redis://cache.internal:6379/0",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_check_deploy_without_a_single_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"DJANGO_ENV=production requires {missing}" in result.stderr


def test_check_deploy_flags_a_process_local_cache_and_sqlite():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in ("CACHE_URL", "DATABASE_URL")}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "token_portal.W001" in result.stderr and "token_portal.W003" in result.stderr


# A plain-HTTP request that claims, in X-Forwarded-Proto, to have arrived over HTTPS (to an API
# path: its answer needs no collected static files).
CLAIMS_HTTPS = (
    "from django.test import Client; "
    "print(Client().get('/api/v1/no-such-path', HTTP_X_FORWARDED_PROTO='https', "
    "HTTP_HOST='portal.example.com').status_code)"
)


@pytest.mark.parametrize(("proxies", "status"), [("0", "301"), ("1", "404")])
def test_production_trusts_x_forwarded_proto_only_behind_a_proxy(proxies, status):
    """Without a proxy, the header comes from the client itself: trusting it would let a
    direct client skip the HTTPS redirect."""
    result = manage("shell", "-c", CLAIMS_HTTPS, env={**PRODUCTION_ENV, "NUM_PROXIES": proxies})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == status


def _ids(**kwargs) -> set[str]:
    return {message.id for message in run_checks(**kwargs)}


def test_argon2_must_hash_new_passwords(settings, argon2):
    assert "token_portal.E001" not in _ids()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    assert "token_portal.E001" in _ids()


@pytest.mark.parametrize("classes", [[], ["rest_framework.permissions.AllowAny"]])
def test_api_must_not_be_open_by_default(settings, classes):
    assert "token_portal.E002" not in _ids()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_PERMISSION_CLASSES": classes}
    assert "token_portal.E002" in _ids()


def test_deploy_checks_want_a_shared_cache_and_named_hosts(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    settings.ALLOWED_HOSTS = ["portal.example.com"]
    assert not {"token_portal.W001", "token_portal.W002"} & _ids(include_deployment_checks=True)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.ALLOWED_HOSTS = ["*"]
    ids = _ids(include_deployment_checks=True)
    assert {"token_portal.W001", "token_portal.W002"} <= ids


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/api/v1/me", "/api/v1/schema", "/admin/login/"])
def test_every_response_carries_the_browser_security_headers(client, path):
    response = client.get(path)
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_api_docs_allow_no_inline_script_or_style(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY + "; img-src 'self' data:"
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    # Every script and stylesheet is served from this site: no CDN.
    html = response.content.decode()
    assert "https://" not in html.replace("https://swagger.io", "")


def test_access_log_format_records_no_credentials():
    from config import gunicorn as gunicorn_config

    for header in ("authorization", "cookie", "x-api-key"):
        assert header not in gunicorn_config.access_log_format.lower()
    assert "%(q)s" not in gunicorn_config.access_log_format  # query strings may hold secrets
