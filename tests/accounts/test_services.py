import pytest

from accounts import services
from accounts.audit import Actor
from accounts.models import Account, AuditEvent, Membership, Role, User
from core.errors import ServiceError
from tests.factories import AccountFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_account_create_makes_account_admin_and_audit_events():
    account, admin, password = services.account_create(
        slug="initech", name="Initech", admin_email="Boss@Initech.example"
    )
    assert admin.email == "boss@initech.example"
    assert password and admin.check_password(password)
    assert Membership.objects.get(account=account, user=admin).role == Role.ADMIN
    actions = list(AuditEvent.objects.filter(account=account).values_list("action", flat=True))
    assert sorted(actions) == ["account.created", "member.added"]


def test_account_create_reuses_an_existing_user_without_touching_the_password():
    user = UserFactory(email="boss@initech.example")
    old_hash = user.password
    _, admin, password = services.account_create(
        slug="initech", name="I", admin_email="BOSS@initech.example"
    )
    assert admin == user and password is None
    admin.refresh_from_db()
    assert admin.password == old_hash


@pytest.mark.parametrize(
    ("slug", "email", "password", "field"),
    [
        ("bad slug!", "a@b.example", None, "slug"),
        ("ok", "not-an-email", None, "email"),
        ("ok", "a@b.example", "123", "password"),
    ],
)
def test_account_create_refuses_bad_input_and_writes_nothing(slug, email, password, field):
    with pytest.raises(services.ServiceError) as err:
        services.account_create(slug=slug, name="X", admin_email=email, admin_password=password)
    assert err.value.field == field
    assert not Account.objects.exists() and not User.objects.exists()
    assert not AuditEvent.objects.exists()


def test_account_create_refuses_a_duplicate_slug():
    AccountFactory(slug="taken")
    with pytest.raises(services.ServiceError, match="already exists"):
        services.account_create(slug="taken", name="X", admin_email="x@y.example")


def test_member_add_records_an_event():
    account, user = AccountFactory(), UserFactory()
    actor = Actor(user=UserFactory(), ip="10.0.0.1")
    membership = services.member_add(account=account, user=user, role="agent", actor=actor)
    event = AuditEvent.objects.get(action="member.added")
    assert event.account == account and event.actor == actor.user and event.ip == "10.0.0.1"
    assert event.target_id == str(membership.pk)
    assert event.changes == {"user": user.email, "role": "agent"}


def test_member_add_refuses_an_unknown_role():
    with pytest.raises(services.ServiceError, match="Unknown role"):
        services.member_add(
            account=AccountFactory(), user=UserFactory(), role="owner", actor=Actor()
        )


def test_member_add_refuses_a_membership_twice():
    membership = MembershipFactory()
    with pytest.raises(services.ServiceError, match="already a member"):
        services.member_add(
            account=membership.account, user=membership.user, role="admin", actor=Actor()
        )


def test_service_account_cannot_join_a_second_account():
    first = services.service_account_create(
        account=AccountFactory(), name="CI bot", role="agent", actor=Actor()
    )
    assert first.user.is_service_account and not first.user.has_usable_password()
    with pytest.raises(services.ServiceError, match="exactly one account"):
        services.member_add(account=AccountFactory(), user=first.user, role="agent", actor=Actor())


def test_service_account_needs_a_name():
    with pytest.raises(services.ServiceError, match="A name is required"):
        services.service_account_create(
            account=AccountFactory(), name="  ", role="agent", actor=Actor()
        )


def test_change_role_records_old_and_new():
    admin = MembershipFactory(role=Role.ADMIN)
    agent = MembershipFactory(account=admin.account, role=Role.AGENT)
    services.member_change_role(membership=agent, role="light_agent", actor=Actor())
    event = AuditEvent.objects.get(action="member.role_changed")
    assert event.changes["role"] == ["agent", "light_agent"]


def test_last_human_admin_cannot_be_demoted_or_removed():
    admin = MembershipFactory(role=Role.ADMIN)
    with pytest.raises(services.ServiceError) as err:
        services.member_change_role(membership=admin, role="agent", actor=Actor())
    assert err.value.code == "last_admin"
    with pytest.raises(services.ServiceError):
        services.member_remove(membership=admin, actor=Actor())
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_a_service_account_admin_does_not_count_as_the_human_admin():
    admin = MembershipFactory(role=Role.ADMIN)
    services.service_account_create(account=admin.account, name="bot", role="admin", actor=Actor())
    with pytest.raises(services.ServiceError):
        services.member_change_role(membership=admin, role="agent", actor=Actor())


def test_admin_can_step_down_when_another_admin_exists():
    first = MembershipFactory(role=Role.ADMIN)
    MembershipFactory(account=first.account, role=Role.ADMIN)
    services.member_change_role(membership=first, role="agent", actor=Actor())
    first.refresh_from_db()
    assert first.role == Role.AGENT


def test_removing_a_service_account_deactivates_it():
    MembershipFactory(role=Role.ADMIN)
    account = Account.objects.get()
    bot = services.service_account_create(account=account, name="bot", role="agent", actor=Actor())
    services.member_remove(membership=bot, actor=Actor())
    bot.user.refresh_from_db()
    assert not bot.user.is_active
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "member.removed",
        "user.deactivated",
    }


def test_user_deactivate_records_one_event_per_account():
    user = UserFactory()
    MembershipFactory(user=user)
    MembershipFactory(user=user)
    services.user_deactivate(user=user, actor=Actor())
    user.refresh_from_db()
    assert not user.is_active
    assert AuditEvent.objects.filter(action="user.deactivated").count() == 2


def test_account_update_separates_the_access_switch_from_other_changes():
    account = AccountFactory(token_access_enabled=False, name="Old")
    services.account_update(account=account, actor=Actor(), name="New", token_access_enabled=True)
    assert AuditEvent.objects.get(action="account.updated").changes == {"name": ["Old", "New"]}
    assert AuditEvent.objects.filter(action="account.token_access_enabled").count() == 1
    services.account_update(account=account, actor=Actor(), token_access_enabled=False)
    assert AuditEvent.objects.filter(action="account.token_access_disabled").count() == 1


def test_account_update_without_a_change_writes_nothing():
    account = AccountFactory(name="Same")
    services.account_update(account=account, actor=Actor(), name="Same")
    assert not AuditEvent.objects.exists()


def test_user_reactivate_records_one_event_per_account_and_is_idempotent():
    user = MembershipFactory().user
    services.user_deactivate(user=user, actor=Actor())
    services.user_reactivate(user=user, actor=Actor())
    services.user_reactivate(user=user, actor=Actor())
    user.refresh_from_db()
    assert user.is_active
    events = AuditEvent.objects.filter(action="user.reactivated", target_id=str(user.pk))
    assert [e.changes for e in events] == [{"is_active": [False, True]}]


def test_user_update_refuses_fields_it_does_not_own():
    user = UserFactory()
    with pytest.raises(ServiceError, match="Cannot change password"):
        services.user_update(user=user, actor=Actor(), password="x")


@pytest.mark.parametrize("right", ["is_staff", "is_superuser"])
def test_a_service_account_never_gets_staff_rights(right):
    bot = UserFactory(is_service_account=True)
    with pytest.raises(ServiceError) as refused:
        services.user_update(user=bot, actor=Actor(), **{right: True})
    assert refused.value.field == right
    bot.refresh_from_db()
    assert not getattr(bot, right)


def test_user_update_normalises_the_email_and_refuses_one_taken_in_any_case():
    user, other = UserFactory(), UserFactory(email="taken@example.com")
    services.user_update(user=user, actor=Actor(), email="  New@Example.COM ")
    user.refresh_from_db()
    assert user.email == "new@example.com"
    with pytest.raises(ServiceError, match="Another user"):
        services.user_update(user=user, actor=Actor(), email="TAKEN@example.com")
    assert other.email == "taken@example.com"
