import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query would raise here.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_answers_200_when_database_and_cache_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cache",
    [
        {  # nothing listens there
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
        {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},  # answers, keeps nothing
    ],
    ids=["unreachable", "keeps-nothing"],
)
def test_readyz_answers_503_naming_a_cache_that_fails(client, settings, cache):
    settings.CACHES = {"default": cache}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failed": ["cache"]}


@pytest.mark.parametrize(
    "database_url",
    ["postgres://postgres@127.0.0.1:1/nothing", "sqlite:////nonexistent/directory/db.sqlite3"],
)
def test_readyz_answers_503_naming_an_unreachable_database(database_url):
    # A process of its own, started with a wrong DATABASE_URL, as an operator would.
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client()\n"
        "for path in ('/healthz', '/readyz'):\n"
        "    response = client.get(path)\n"
        "    print(response.status_code, response.content.decode())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "PATH": "/usr/bin:/bin",
        },
    )
    assert result.returncode == 0, result.stderr
    healthz, readyz = result.stdout.splitlines()
    assert healthz == '200 {"status": "ok"}'
    status, body = readyz.split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {"status": "unavailable", "failed": ["database"]}
    assert "readiness check failed" in result.stderr and "check=database" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_need_no_credentials_and_reveal_no_version(client, path):
    from config import __version__

    response = client.get(path)
    assert response.status_code == 200
    assert __version__ not in response.content.decode()
    assert "Server" not in response


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_are_not_rate_limited(client, settings, path):
    settings.THROTTLE_RATES = {name: "1/min" for name in settings.THROTTLE_RATES}
    assert [client.get(path).status_code for _ in range(5)] == [200] * 5


@pytest.mark.django_db
def test_probes_are_not_in_the_api_schema(client):
    schema = client.get("/api/v1/schema?format=json").json()
    assert not [path for path in schema["paths"] if "healthz" in path or "readyz" in path]


def test_probes_answer_over_plain_http_in_production():
    # Probes call the process directly: no redirect to HTTPS, unlike every page.
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='tokens.example.com')\n"
        "print(client.get('/healthz').status_code, client.get('/login/').status_code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_ENV": "production",
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "tokens.example.com",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "301"]
