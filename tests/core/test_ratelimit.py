"""Fixed-window counters: hit() counts and refuses past the limit; peek() tells whether the next
event would be refused without counting it."""

import pytest

from core.ratelimit import hit, parse_rate, peek


@pytest.fixture(autouse=True)
def rates(settings):
    settings.THROTTLE_RATES = {"three": "3/min", "five": "5/hour"}


def test_parse_rate():
    assert parse_rate("60/min") == (60, 60)
    assert parse_rate("5/ hour") == (5, 3600)


def test_hit_refuses_past_the_limit_with_the_seconds_left_in_the_window(ratelimit_clock):
    ratelimit_clock.advance(20)
    assert [hit("k", "three") for _ in range(3)] == [None] * 3
    assert hit("k", "three") == 39  # 1 + 20 seconds into the 60-second window
    assert hit("other", "three") is None


def test_peek_counts_nothing(ratelimit_clock):
    for _ in range(10):
        assert peek(("k", "three")) is None
    assert [hit("k", "three") for _ in range(3)] == [None] * 3
    assert peek(("k", "three")) == 59  # the frozen clock starts a second into the window


def test_peek_answers_the_longest_wait_of_the_counters_that_are_full(ratelimit_clock):
    for _ in range(3):
        hit("a", "three")
    for _ in range(5):
        hit("b", "five")
    assert peek(("a", "three"), ("b", "five"), ("c", "three")) == 3599
    assert peek(("a", "three"), ("c", "five")) == 59
    assert peek(("c", "three"), ("c", "five")) is None


def test_a_new_window_starts_from_zero(ratelimit_clock):
    for _ in range(4):
        hit("k", "three")
    assert peek(("k", "three")) is not None
    ratelimit_clock.advance(59)
    assert peek(("k", "three")) is None
    assert hit("k", "three") is None
