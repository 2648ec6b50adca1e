"""What every settings page starts from: the caller's membership of the account in the URL, and
their access there (accounts.access decides what they may do)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.dateformat import format as format_date

from accounts.access import Access
from accounts.models import Account, AuditEvent, Membership
from core.pages import form_refusals
from security.policy import require_two_factor_setup


@dataclass(frozen=True)
class Caller:
    membership: Membership
    memberships: list[Membership]  # all of the caller's, for the account switcher
    access: Access

    @property
    def account(self) -> Account:
        return self.membership.account

    def context(self) -> dict:
        """What the page layout needs: the account, the caller's role, the account switcher."""
        return {
            "account": self.account,
            "membership": self.membership,
            "memberships": self.memberships,
        }


def caller_for(request: HttpRequest, slug: str, *, need: str | None = None) -> Caller:
    """The caller of a page of account `slug`, in one query. Non-members get a 404 (the page
    does not confirm the account exists); members whose role lacks `need` get a 403."""
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("account")
        .order_by("account__name", "account__slug")
    )
    for membership in memberships:
        if membership.account.slug == slug:
            require_two_factor_setup(request.user, membership.account)
            access = Access(user=request.user, account=membership.account, role=membership.role)
            if need is not None:
                with form_refusals():
                    access.require(need)
            return Caller(membership=membership, memberships=memberships, access=access)
    raise Http404


TIME_FORMAT = "Y-m-d H:i T"  # as templates/tokens/_time.html


def _shown(value: Any) -> str:
    """One value of an audit change, in words: lists joined, times in the page's format."""
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value) or "none"
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return format_date(timezone.localtime(moment), TIME_FORMAT)
    return str(value)


def change_lines(changes: dict[str, Any]) -> list[str]:
    """An event's changes as "field: old → new" (a two-item list is old and new), or
    "field: value" for what was set once."""
    lines = []
    for key, value in changes.items():
        name = key.replace("_", " ")
        if isinstance(value, list) and len(value) == 2 and key != "scopes":
            lines.append(f"{name}: {_shown(value[0])} → {_shown(value[1])}")
        else:
            lines.append(f"{name}: {_shown(value)}")
    return lines


def audit_rows(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Events ready for templates/tokens/_audit_table.html (select_related("actor") first)."""
    rows = list(events)
    for event in rows:
        event.change_lines = change_lines(event.changes)
        actor = event.actor
        event.actor_name = actor.name if actor is not None and actor.name else ""
    return rows
