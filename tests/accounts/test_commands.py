from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account, AuditEvent, Membership, User
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_createaccount_prints_the_generated_password_that_signs_in():
    out = run("createaccount", "initech", "--name", "Initech", "--admin-email", "b@i.example")
    password = out.strip().splitlines()[-1].split(": ", 1)[1]
    user = User.objects.get(email="b@i.example")
    assert user.check_password(password)
    assert Membership.objects.get(user=user).role == "admin"


def test_createaccount_with_a_given_password_prints_no_password():
    out = run(
        "createaccount",
        "initech",
        "--name",
        "Initech",
        "--admin-email",
        "b@i.example",
        "--admin-password",
        "a sufficiently long phrase",
    )
    assert "Password" not in out
    assert User.objects.get().check_password("a sufficiently long phrase")


def test_createaccount_reuses_an_existing_user():
    user = UserFactory(email="b@i.example")
    run("createaccount", "initech", "--name", "Initech", "--admin-email", "B@I.example")
    assert Membership.objects.get().user == user


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["taken", "--name", "X", "--admin-email", "x@y.example"], "already exists"),
        (["bad slug", "--name", "X", "--admin-email", "x@y.example"], "slug"),
        (["ok", "--name", "X", "--admin-email", "nope"], "not a valid email"),
        (
            ["ok", "--name", "X", "--admin-email", "x@y.example", "--admin-password", "12345"],
            "too short",
        ),
    ],
)
def test_createaccount_refuses_bad_input_with_one_line(args, reason):
    AccountFactory(slug="taken")
    with pytest.raises(CommandError, match=reason) as err:
        run("createaccount", *args)
    assert "\n" not in str(err.value)
    assert Account.objects.count() == 1


def test_createaccount_exits_non_zero_from_the_shell(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "createaccount",
            "bad slug",
            "--name",
            "X",
            "--admin-email",
            "x@y.example",
        ],
        capture_output=True,
        text=True,
        env={"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "slug" in result.stderr


def test_demo_prints_the_password_once_then_how_to_reset_it():
    first = run("demo")
    assert "password:" in first
    second = run("demo")
    assert "password:" not in second and "changepassword" in second
    assert Account.objects.filter(slug="demo").count() == 1
    assert AuditEvent.objects.filter(action="account.created").count() == 1


def test_createaccount_leaves_token_access_off_by_default():
    out = run("createaccount", "initech", "--name", "Initech", "--admin-email", "b@i.example")
    assert not Account.objects.get().token_access_enabled
    assert "token access is off" in out


def test_createaccount_can_turn_token_access_on_with_an_audit_event():
    out = run(
        "createaccount",
        "initech",
        "--name",
        "Initech",
        "--admin-email",
        "b@i.example",
        "--enable-token-access",
    )
    assert Account.objects.get().token_access_enabled
    assert "token access is on" in out
    event = AuditEvent.objects.get(action="account.token_access_enabled")
    assert event.account.slug == "initech" and event.actor is None
