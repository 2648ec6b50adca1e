import re

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import PASSWORD, AccountFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_has_labelled_fields_and_sign_in_button(client):
    html = client.get("/login/").content.decode()
    assert ">Email</label>" in html and ">Password</label>" in html
    assert ">Sign in</button>" in html


def test_member_of_one_account_signs_in_and_lands_on_its_tokens_page(client):
    membership = MembershipFactory(user=UserFactory(email="ann@example.com"))
    response = client.post(
        "/login/", {"username": "ANN@example.com", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/accounts/{membership.account.slug}/tokens/"
    assert response.status_code == 200


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(email="ann@example.com")
    response = client.post("/login/", {"username": "ann@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "Wrong email or password." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_service_account_cannot_sign_in_even_with_a_password(client):
    bot = UserFactory(email="bot@example.com", is_service_account=True)
    response = client.post("/login/", {"username": bot.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_deactivated_user_cannot_sign_in(client):
    UserFactory(email="gone@example.com", is_active=False)
    client.post("/login/", {"username": "gone@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_ends_the_session(client):
    client.force_login(UserFactory())
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get("/").status_code == 302  # back to login


def test_home_redirects_anonymous_users_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_home_lists_accounts_for_a_member_of_several(client):
    user = UserFactory()
    MembershipFactory(user=user, account=AccountFactory(name="Alpha", slug="alpha"))
    MembershipFactory(user=user, account=AccountFactory(name="Beta", slug="beta"), role=Role.ADMIN)
    client.force_login(user)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/accounts/alpha/tokens/"' in html and 'href="/accounts/beta/tokens/"' in html


def test_home_explains_when_a_user_has_no_account(client):
    client.force_login(UserFactory())
    assert "not a member of any account" in client.get("/").content.decode()


def test_tokens_page_is_404_for_non_members(client):
    MembershipFactory(account=AccountFactory(slug="other"))
    client.force_login(UserFactory())
    assert client.get("/accounts/other/tokens/").status_code == 404


def test_base_layout_has_landmarks_and_a_skip_link(client):
    html = client.get("/login/").content.decode()
    assert 'href="#main"' in html and '<main id="main"' in html
    assert "<header" in html and "<footer" in html
    assert "http://" not in html.replace("http://127.0.0.1", "") and "https://" not in html


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"username": "not-an-email", "password": ""},
        {"username": "a@b.example", "password": "x"},
    ],
    ids=["empty", "field-errors", "wrong-password"],
)
def test_login_fields_describe_themselves_with_ids_that_exist(client, data):
    response = client.post("/login/", data) if data else client.get("/login/")
    html = response.content.decode()
    described = {i for ids in re.findall(r'aria-describedby="([^"]+)"', html) for i in ids.split()}
    assert all(f'id="{i}"' in html for i in described), described
    if data and data["username"] == "not-an-email":
        assert described >= {"id_username_error", "id_password_error"}
        assert "Enter a valid email address." in html
