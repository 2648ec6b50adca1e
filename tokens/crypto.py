"""The token format, pure: no database, no settings.

    tpk_ + 32 random base62 characters + 6 base62 characters of the CRC32 of what precedes them

32 base62 characters carry 190 bits of entropy. The checksum lets a client, a secret scanner
or this server reject a mistyped or made-up string without a database query.
"""

import hashlib
import secrets
import zlib

PREFIX = "tpk_"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RANDOM_LENGTH = 32
CHECKSUM_LENGTH = 6
LENGTH = len(PREFIX) + RANDOM_LENGTH + CHECKSUM_LENGTH
DISPLAY_PREFIX_LENGTH = 12
REGEX = rf"^{PREFIX}[0-9A-Za-z]{{{RANDOM_LENGTH}}}[0-9A-Za-z]{{{CHECKSUM_LENGTH}}}$"

_ALPHABET_SET = frozenset(ALPHABET)


def _base62(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, rest = divmod(number, 62)
        chars.append(ALPHABET[rest])
    return "".join(reversed(chars))


def checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


def generate() -> str:
    """A new secret token. Shown once to its creator, never stored."""
    body = PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + checksum(body)


def is_well_formed(value: str) -> bool:
    """True when `value` has the token's prefix, length, alphabet and a matching checksum."""
    if len(value) != LENGTH or not value.startswith(PREFIX):
        return False
    rest = value[len(PREFIX) :]
    if not _ALPHABET_SET.issuperset(rest):
        return False
    body, tail = value[:-CHECKSUM_LENGTH], value[-CHECKSUM_LENGTH:]
    return secrets.compare_digest(checksum(body), tail)


def digest(value: str) -> str:
    """What the database stores and looks tokens up by: the SHA-256 of the whole token."""
    return hashlib.sha256(value.encode("ascii")).hexdigest()


def display_prefix(value: str) -> str:
    """The first 12 characters, stored so people can recognise a token in a list."""
    return value[:DISPLAY_PREFIX_LENGTH]
