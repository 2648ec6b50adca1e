from django.db import transaction

from accounts import audit
from accounts.audit import Actor
from accounts.models import AuditAction, User


@transaction.atomic
def preferences_update(*, user: User, email_expiry_reminders: bool, actor: Actor) -> User:
    """Change which mails a user gets. Security notices cannot be turned off."""
    old = user.email_expiry_reminders
    if old != email_expiry_reminders:
        user.email_expiry_reminders = email_expiry_reminders
        user.save(update_fields=["email_expiry_reminders"])
        audit.record(
            AuditAction.USER_UPDATED,
            actor=actor,
            target=user,
            changes={"email_expiry_reminders": [old, email_expiry_reminders]},
        )
    return user
