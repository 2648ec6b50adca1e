"""What the token services announce, so apps above tokens (notifications, webhooks) can react
without tokens importing them. Receivers run inside the service's transaction: they record what
they need there and defer slow work with `transaction.on_commit`."""

from django.dispatch import Signal

# Sent by token_issue after the token and its audit event are written.
# Arguments: token, actor.
token_created = Signal()

# Sent by token_revoke when it revoked the token (never for one already revoked).
# Arguments: token, actor, action (the audit action), reason.
token_revoked = Signal()

# Sent by token_record_use just before it writes last_used_at/last_used_ip, which it does at most
# once per TOKEN_LAST_USED_INTERVAL per token. The token still holds the previous values.
# Arguments: token, ip.
token_used = Signal()
