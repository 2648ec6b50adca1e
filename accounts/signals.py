"""Hooks other apps register on, so accounts never imports them."""

from django.dispatch import Signal

# Sent inside the removal's transaction, before the membership row is deleted.
# Arguments: membership, actor.
membership_removed = Signal()
