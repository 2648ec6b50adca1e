import re
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokens import crypto


def test_generated_tokens_match_the_documented_format_and_are_unique():
    tokens = {crypto.generate() for _ in range(20_000)}
    assert len(tokens) == 20_000
    assert all(re.fullmatch(crypto.REGEX, t) for t in tokens)
    assert all(len(t) == 42 and t.startswith("tpk_") for t in tokens)


def test_random_part_carries_at_least_190_bits():
    import math

    assert crypto.RANDOM_LENGTH * math.log2(len(crypto.ALPHABET)) >= 190


def test_generator_draws_from_secrets(monkeypatch):
    calls = []
    import secrets

    real = secrets.choice
    monkeypatch.setattr(crypto.secrets, "choice", lambda seq: calls.append(1) or real(seq))
    crypto.generate()
    assert len(calls) == crypto.RANDOM_LENGTH


def test_checksum_is_crc32_of_the_body_in_base62():
    token = crypto.generate()
    body, tail = token[:-6], token[-6:]
    value = 0
    for char in tail:
        value = value * 62 + crypto.ALPHABET.index(char)
    assert value == zlib.crc32(body.encode())
    assert crypto.is_well_formed(token)


def test_digest_is_sha256_hex_of_the_whole_token():
    import hashlib

    token = crypto.generate()
    assert crypto.digest(token) == hashlib.sha256(token.encode()).hexdigest()
    assert crypto.display_prefix(token) == token[:12]


@given(st.integers(min_value=4, max_value=41), st.sampled_from(crypto.ALPHABET))
def test_any_single_character_change_fails_the_checksum(position, replacement):
    token = crypto.generate()
    changed = token[:position] + replacement + token[position + 1 :]
    assert crypto.is_well_formed(changed) == (changed == token)


@given(st.text(max_size=100))
def test_arbitrary_strings_are_not_well_formed(value):
    assert not crypto.is_well_formed(value) or re.fullmatch(crypto.REGEX, value)


def test_near_misses_are_refused():
    token = crypto.generate()
    for bad in (
        token[:-1],
        token + "0",
        "TPK_" + token[4:],
        token.replace("tpk_", "tpk-"),
        token[:20] + "é" + token[21:],
        token[:20] + "_" + token[21:],
        "",
    ):
        assert not crypto.is_well_formed(bad)


@pytest.mark.parametrize(
    "body", ["tpk_" + "a" * 10, "tpk_" + "a" * 40, "ghp_" + "a" * 32, "tpkA" + "a" * 32]
)
def test_a_matching_checksum_does_not_excuse_a_wrong_length_or_prefix(body):
    assert not crypto.is_well_formed(body + crypto.checksum(body))
