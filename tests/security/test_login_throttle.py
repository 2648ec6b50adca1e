"""The sign-in form is rate-limited per client IP and per email, before any password check."""

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 5


@pytest.fixture(autouse=True)
def login_rate(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": f"{LIMIT}/min"}


@pytest.fixture
def password_checks(monkeypatch):
    """Counts calls to authenticate(), i.e. password checks."""
    import django.contrib.auth.forms as auth_forms

    calls = []
    real = auth_forms.authenticate

    def spy(*args, **kwargs):
        calls.append(kwargs.get("username"))
        return real(*args, **kwargs)

    monkeypatch.setattr(auth_forms, "authenticate", spy)
    return calls


def sign_in(client, email, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_the_default_login_rate_is_at_most_twenty_a_minute():
    from django.conf import settings as django_settings

    from core.ratelimit import parse_rate

    limit, period = parse_rate(django_settings.THROTTLE_RATES["login"])
    assert limit / period <= 20 / 60


def test_past_the_limit_even_the_right_password_is_refused_without_being_checked(
    client, password_checks
):
    UserFactory(email="ann@example.com")
    for _ in range(LIMIT):
        assert sign_in(client, "ann@example.com", "wrong").status_code == 200
    assert len(password_checks) == LIMIT

    response = sign_in(client, "ann@example.com", PASSWORD)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many sign-in attempts" in response.content.decode()
    assert len(password_checks) == LIMIT  # the password was not even looked at
    assert "_auth_user_id" not in client.session


def test_one_email_is_limited_whichever_address_the_attempts_come_from(client):
    UserFactory(email="ann@example.com")
    for n in range(LIMIT):
        sign_in(client, "ann@example.com", "wrong", ip=f"10.0.1.{n}")
    response = sign_in(client, "ANN@example.com ", PASSWORD, ip="10.0.2.1")
    assert response.status_code == 429


def test_one_address_is_limited_whichever_emails_it_tries(client):
    UserFactory(email="ann@example.com")
    for n in range(LIMIT):
        sign_in(client, f"user{n}@example.com", "guess")
    assert sign_in(client, "ann@example.com", PASSWORD).status_code == 429


def test_other_people_sign_in_while_one_email_is_attacked(client):
    UserFactory(email="ann@example.com")
    UserFactory(email="bob@example.com")
    for n in range(LIMIT + 3):
        sign_in(client, "ann@example.com", "wrong", ip=f"10.0.3.{n}")
    response = sign_in(client, "bob@example.com", PASSWORD, ip="10.0.4.1")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_forged_forwarded_for_header_does_not_reset_the_count(client):
    UserFactory(email="ann@example.com")
    for n in range(LIMIT):
        client.post(
            "/login/",
            {"username": f"user{n}@example.com", "password": "guess"},
            REMOTE_ADDR="10.0.0.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        "/login/",
        {"username": "ann@example.com", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 429
