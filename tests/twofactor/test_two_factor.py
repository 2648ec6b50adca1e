"""Setting up two-factor, signing in with a code, recovery codes, turning it off."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent
from tests.factories import PASSWORD
from tests.twofactor.conftest import code_of

pytestmark = pytest.mark.django_db


def sign_in(client, user, follow=False):
    return client.post("/login/", {"username": user.email, "password": PASSWORD}, follow=follow)


def actions(user):
    return list(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))


def test_set_up_with_the_secret_shown_on_the_page(client, admin_a, clock):
    client.force_login(admin_a)
    page = client.get("/account/security/").content.decode()
    assert "<svg" in page
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    device = TOTPDevice.objects.get(user=admin_a, confirmed=False)
    assert secret.startswith(device.config_url.split("secret=")[1].split("&")[0])

    wrong = client.post("/account/security/enable/", {"code": "000000"})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()

    answer = client.post("/account/security/enable/", {"code": code_of(device)})
    assert answer.status_code == 201
    assert "no-store" in answer["Cache-Control"]
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", answer.content.decode())
    assert len(set(codes)) == 10
    assert "user.two_factor_enabled" in actions(admin_a)
    shown = client.get("/account/security/").content.decode()
    assert "Two-factor authentication is on" in shown and "<strong>10</strong>" in shown


def test_recovery_codes_are_not_stored_in_clear(admin_a, enroll):
    from django_otp.plugins.otp_static.models import StaticToken

    _, codes = enroll(admin_a)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & {c.replace("-", "") for c in codes} and not stored & set(codes)


def test_sign_in_asks_for_the_code_after_the_password(client, admin_a, enroll):
    device, _ = enroll(admin_a)
    answer = sign_in(client, admin_a)
    assert answer.status_code == 302 and answer["Location"] == "/login/code/"
    # Not signed in yet: the account's pages still send to the sign-in.
    assert client.get("/accounts/acme/tokens/")["Location"].startswith("/login/")

    done = client.post("/login/code/", {"code": code_of(device)})
    assert done.status_code == 302
    page = client.get("/accounts/acme/tokens/")
    assert page.status_code == 200
    assert page.wsgi_request.user.is_verified()


def test_a_wrong_code_is_refused_and_counted(client, admin_a, enroll, settings):
    settings.THROTTLE_RATES = settings.THROTTLE_RATES | {"login_pair": "3/min"}
    enroll(admin_a)
    sign_in(client, admin_a)
    for _ in range(3):
        answer = client.post("/login/code/", {"code": "123456"})
        assert answer.status_code == 400
        assert "not right" in answer.content.decode()
    assert client.post("/login/code/", {"code": "123456"}).status_code == 429
    assert client.get("/accounts/acme/tokens/").status_code == 302


def test_a_code_already_used_is_refused_within_its_window(client, admin_a, enroll):
    device, _ = enroll(admin_a)
    sign_in(client, admin_a)
    assert client.post("/login/code/", {"code": code_of(device)}).status_code == 302
    other = type(client)()
    sign_in(other, admin_a)
    assert other.post("/login/code/", {"code": code_of(device)}).status_code == 400


def test_recovery_codes_work_once_each(client, admin_a, enroll):
    _, codes = enroll(admin_a)
    sign_in(client, admin_a)
    assert client.post("/login/code/", {"code": codes[0]}).status_code == 302
    assert "user.recovery_code_used" in actions(admin_a)
    again = type(client)()
    sign_in(again, admin_a)
    assert again.post("/login/code/", {"code": codes[0]}).status_code == 400
    assert again.post("/login/code/", {"code": codes[1]}).status_code == 302
    assert "<strong>8</strong>" in again.get("/account/security/").content.decode()


def test_new_recovery_codes_replace_the_old(client, admin_a, enroll):
    _, old = enroll(admin_a)
    client.force_login(admin_a)
    answer = client.post("/account/security/recovery-codes/")
    assert answer.status_code == 201
    new = re.findall(r"<code>([0-9a-f-]{11})</code>", answer.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert "user.recovery_codes_regenerated" in actions(admin_a)
    client.logout()
    sign_in(client, admin_a)
    assert client.post("/login/code/", {"code": old[0]}).status_code == 400
    assert client.post("/login/code/", {"code": new[0]}).status_code == 302


def test_turning_off_needs_the_password_and_a_code(client, admin_a, enroll):
    device, _ = enroll(admin_a)
    client.force_login(admin_a)
    wrong = client.post(
        "/account/security/disable/", {"password": "wrong", "code": code_of(device)}
    )
    assert wrong.status_code == 400
    assert TOTPDevice.objects.filter(user=admin_a, confirmed=True).exists()
    no_code = client.post("/account/security/disable/", {"password": PASSWORD, "code": "1"})
    assert no_code.status_code == 400

    done = client.post(
        "/account/security/disable/", {"password": PASSWORD, "code": code_of(device)}
    )
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=admin_a).exists()
    assert "user.two_factor_disabled" in actions(admin_a)
    client.logout()
    assert sign_in(client, admin_a)["Location"] == "/"


def test_members_page_shows_who_has_two_factor(client, admin_a, agent_a, enroll):
    enroll(admin_a)
    client.force_login(admin_a)
    html = client.get("/accounts/acme/members/").content.decode()
    assert '<th scope="col">2FA</th>' in html
    assert re.search(r"admin@acme.example</td>.*?<td>On</td>", html, re.S)
    assert re.search(r"agent@acme.example</td>.*?<td>Off</td>", html, re.S)
