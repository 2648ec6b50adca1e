import io

import pytest
from django.core.management import call_command

from accounts.models import Membership, Role
from people.models import Invitation, InvitationStatus

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_second_member_and_a_pending_invitation(outbox):
    call_command("demo", stdout=io.StringIO())
    members = Membership.objects.filter(account__slug="demo").order_by("user__email")
    assert [(m.user.email, m.role) for m in members] == [
        ("admin@demo.example", Role.ADMIN),
        ("agent@demo.example", Role.AGENT),
    ]
    [pending] = [i for i in Invitation.objects.all() if i.status == InvitationStatus.PENDING]
    assert pending.email == "newcomer@demo.example"
    assert [m.to for m in outbox] == [["agent@demo.example"], ["newcomer@demo.example"]]
