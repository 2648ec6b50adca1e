"""Sign-in limits: every form that checks a password (the portal's and the Django admin's) goes
through one counter of failures per client address and per (address, email). Past a limit the
password is not even checked; a correct password is never counted; and one address's failures
never refuse someone's correct password from an address that has not failed."""

import pytest
from django.test import Client

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS_LIMIT = 6
PAIR_LIMIT = 3
FORMS = ["/login/", "/admin/login/"]


@pytest.fixture(autouse=True)
def login_rates(settings):
    settings.THROTTLE_RATES = {
        **settings.THROTTLE_RATES,
        "login": f"{ADDRESS_LIMIT}/min",
        "login_pair": f"{PAIR_LIMIT}/min",
    }


@pytest.fixture
def ann(db):
    # Staff, so the same person can sign in on both forms.
    return UserFactory(email="ann@example.com", is_staff=True)


@pytest.fixture
def password_checks(monkeypatch):
    """Counts calls to authenticate(), i.e. password checks, on both forms."""
    import django.contrib.auth.forms as auth_forms

    calls = []
    real = auth_forms.authenticate

    def spy(*args, **kwargs):
        calls.append(kwargs.get("username"))
        return real(*args, **kwargs)

    monkeypatch.setattr(auth_forms, "authenticate", spy)
    return calls


def sign_in(email, password, ip="10.0.0.1", path="/login/", **extra):
    """One attempt from a fresh browser."""
    return Client().post(path, {"username": email, "password": password}, REMOTE_ADDR=ip, **extra)


def signed_in(response) -> bool:
    return response.status_code == 302 and "sessionid" in response.cookies


def test_the_default_rates_are_at_most_twenty_failures_a_minute_and_ten_per_email():
    from django.conf import settings as django_settings

    from core.ratelimit import parse_rate

    limit, period = parse_rate(django_settings.THROTTLE_RATES["login"])
    assert limit / period <= 20 / 60
    limit, period = parse_rate(django_settings.THROTTLE_RATES["login_pair"])
    assert limit / period <= 10 / 60


def test_forty_wrong_passwords_on_the_admin_sign_in_are_cut_off(ann, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": "20/min", "login_pair": "10/min"}
    statuses = []
    for n in range(40):
        # Spread over many emails so only the per-address limit applies, then her own.
        email = "ann@example.com" if n % 4 == 0 else f"guess{n}@example.com"
        statuses.append(sign_in(email, f"wrong{n}", path="/admin/login/").status_code)
    assert statuses[:20] == [200] * 20
    assert statuses[20:] == [429] * 20

    refused = sign_in("ann@example.com", PASSWORD, path="/admin/login/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many sign-in attempts" in refused.content.decode()
    # From an address that has not failed, she signs in.
    assert signed_in(sign_in("ann@example.com", PASSWORD, ip="10.0.0.2", path="/admin/login/"))


@pytest.mark.parametrize("path", FORMS)
def test_past_the_address_limit_even_the_right_password_is_refused_without_being_checked(
    ann, password_checks, path
):
    for n in range(ADDRESS_LIMIT):
        assert sign_in(f"guess{n}@example.com", "wrong", path=path).status_code == 200
    assert len(password_checks) == ADDRESS_LIMIT

    response = sign_in("ann@example.com", PASSWORD, path=path)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Too many sign-in attempts" in response.content.decode()
    assert len(password_checks) == ADDRESS_LIMIT  # the password was not even looked at
    assert "sessionid" not in response.cookies


@pytest.mark.parametrize("path", FORMS)
def test_one_email_from_one_address_is_limited_sooner_while_others_sign_in_there(ann, path):
    UserFactory(email="bob@example.com", is_staff=True)
    for _ in range(PAIR_LIMIT):
        assert sign_in("ann@example.com", "wrong", path=path).status_code == 200

    assert sign_in("ANN@example.com ", PASSWORD, path=path).status_code == 429
    assert signed_in(sign_in("bob@example.com", PASSWORD, path=path))


@pytest.mark.parametrize("path", FORMS)
def test_an_attackers_failures_never_lock_the_victim_out(ann, path):
    """The targeted lockout: many wrong passwords for her email from a few addresses refuse
    those addresses, and she still signs in from hers."""
    for n in range(3 * ADDRESS_LIMIT):
        sign_in("ann@example.com", "wrong", ip=f"203.0.113.{n % 3}", path=path)
    assert sign_in("ann@example.com", PASSWORD, ip="203.0.113.1", path=path).status_code == 429

    assert signed_in(sign_in("ann@example.com", PASSWORD, ip="198.51.100.7", path=path))


def test_the_portal_and_the_admin_share_one_counter(ann):
    for n in range(ADDRESS_LIMIT // 2):
        sign_in(f"guess{n}@example.com", "wrong", path="/admin/login/")
    for n in range(ADDRESS_LIMIT - ADDRESS_LIMIT // 2):
        sign_in(f"other{n}@example.com", "wrong", path="/login/")
    assert sign_in("ann@example.com", PASSWORD, path="/login/").status_code == 429
    assert sign_in("ann@example.com", PASSWORD, path="/admin/login/").status_code == 429


@pytest.mark.parametrize("path", FORMS)
def test_a_correct_password_is_never_counted(ann, path):
    for _ in range(ADDRESS_LIMIT + PAIR_LIMIT):
        assert signed_in(sign_in("ann@example.com", PASSWORD, path=path))
    # Her own typo after all those sign-ins is an ordinary wrong password, not a 429.
    assert sign_in("ann@example.com", "wrong", path=path).status_code == 200


def test_failures_are_counted_again_in_the_next_window(ann, ratelimit_clock):
    for n in range(ADDRESS_LIMIT):
        sign_in(f"guess{n}@example.com", "wrong")
    refused = sign_in("ann@example.com", PASSWORD)
    assert refused.status_code == 429

    ratelimit_clock.advance(int(refused["Retry-After"]))

    assert signed_in(sign_in("ann@example.com", PASSWORD))


def test_a_non_staff_user_refused_by_the_admin_is_not_counted_as_a_wrong_password(db):
    UserFactory(email="cy@example.com")
    for _ in range(PAIR_LIMIT + 1):
        assert sign_in("cy@example.com", PASSWORD, path="/admin/login/").status_code == 200
    assert signed_in(sign_in("cy@example.com", PASSWORD, path="/login/"))


def test_a_forged_forwarded_for_header_does_not_reset_the_count(ann):
    for n in range(ADDRESS_LIMIT):
        forged = f"192.0.2.{n}"
        sign_in(f"guess{n}@example.com", "wrong", ip="10.0.0.9", HTTP_X_FORWARDED_FOR=forged)
    response = sign_in(
        "ann@example.com", PASSWORD, ip="10.0.0.9", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert response.status_code == 429


def test_addresses_of_one_ipv6_64_share_one_count(ann):
    for n in range(ADDRESS_LIMIT):
        sign_in(f"guess{n}@example.com", "wrong", ip=f"2001:db8:1:2:{n:x}::{n + 1:x}")
    assert sign_in("ann@example.com", PASSWORD, ip="2001:db8:1:2:ffff::1").status_code == 429
    assert signed_in(sign_in("ann@example.com", PASSWORD, ip="2001:db8:1:3::1"))


def test_an_ipv4_mapped_address_counts_as_the_ipv4_address(ann):
    for n in range(ADDRESS_LIMIT // 2):
        sign_in(f"guess{n}@example.com", "wrong", ip="192.0.2.8")
    for n in range(ADDRESS_LIMIT - ADDRESS_LIMIT // 2):
        sign_in(f"other{n}@example.com", "wrong", ip="::ffff:192.0.2.8")
    assert sign_in("ann@example.com", PASSWORD, ip="192.0.2.8").status_code == 429


def test_the_admins_password_form_sends_staff_to_the_counted_one(client, support):
    client.force_login(support)
    answer = client.get("/admin/password_change/")
    assert answer.status_code == 302 and answer["Location"] == "/password/change/"
    assert client.post("/admin/password_change/", {"old_password": "x"}).status_code == 302


def test_the_sign_in_page_links_to_password_reset(client):
    assert 'href="/password/reset/"' in client.get("/login/").content.decode()
