"""Seed users that each hold one token of every contender, fast: bulk_create in batches, and
digests computed in Python the way each library computes them.

User i has DRF authtoken i, knox token i and token-portal token i, and is a member of account
i // 100. Only the tokens the benchmark will present keep their secret; the other rows need
nothing but a unique digest."""

import hashlib
import os
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connections, transaction
from django.utils import timezone
from knox.crypto import create_token_string, hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework.authtoken.models import Token as FloorToken

from accounts.access import SCOPES
from accounts.models import Account, Membership, Role, User
from tokens import crypto
from tokens.models import Token

BATCH = 5_000
MEMBERS_PER_ACCOUNT = 100
ROLES = (Role.ADMIN, Role.AGENT, Role.LIGHT_AGENT)


@dataclass(frozen=True)
class Secrets:
    """What user i presents to each contender."""

    floor: str
    knox: str
    portal: str


def seed(alias: str, size: int, keep: set[int]) -> dict[int, Secrets]:
    """Fill database `alias` with `size` users and their tokens; return the secrets of the
    users in `keep`."""
    db = connections[alias]
    accounts = [
        Account(slug=f"bench-{n}", name=f"Bench {n}", token_access_enabled=True)
        for n in range(-(-size // MEMBERS_PER_ACCOUNT))
    ]
    account_ids = [a.pk for a in Account.objects.using(alias).bulk_create(accounts)]
    secrets: dict[int, Secrets] = {}
    for start in range(0, size, BATCH):
        with transaction.atomic(using=alias):
            _batch(alias, range(start, min(start + BATCH, size)), account_ids, keep, secrets)
    with db.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as a live database has
    return secrets


def _batch(
    alias: str, rows: range, account_ids: list[int], keep: set[int], secrets: dict[int, Secrets]
) -> None:
    now = timezone.now()
    users = User.objects.using(alias).bulk_create(
        User(email=f"bench-{i}@example.com", name=f"Bench {i}", password=UNUSABLE_PASSWORD_PREFIX)
        for i in rows
    )
    memberships, floor, knox, portal = [], [], [], []
    for i, user in zip(rows, users, strict=True):
        account_id = account_ids[i // MEMBERS_PER_ACCOUNT]
        memberships.append(
            Membership(user_id=user.pk, account_id=account_id, role=ROLES[i % len(ROLES)])
        )
        floor_key = FloorToken.generate_key()
        knox_token = create_token_string()
        if i in keep:
            secret = crypto.generate()
            secrets[i] = Secrets(floor=floor_key, knox=knox_token, portal=secret)
            digest, prefix = crypto.digest(secret), crypto.display_prefix(secret)
        else:
            digest, prefix = hashlib.sha256(os.urandom(32)).hexdigest(), f"tpk_{i:08x}"
        floor.append(FloorToken(key=floor_key, user_id=user.pk))
        knox.append(
            AuthToken(
                digest=hash_token(knox_token),
                token_key=knox_token[: CONSTANTS.TOKEN_KEY_LENGTH],
                user_id=user.pk,
                expiry=now + timedelta(days=3650),
            )
        )
        portal.append(
            Token(
                account_id=account_id,
                owner_id=user.pk,
                created_by_id=user.pk,
                description=f"bench {i}",
                prefix=prefix,
                digest=digest,
                scopes=list(SCOPES),
                created_at=now,
                expires_at=now + timedelta(days=365),
            )
        )
    Membership.objects.using(alias).bulk_create(memberships)
    FloorToken.objects.using(alias).bulk_create(floor)
    AuthToken.objects.using(alias).bulk_create(knox)
    Token.objects.using(alias).bulk_create(portal)
