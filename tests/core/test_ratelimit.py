"""Fixed-window counters: hit() counts and refuses past the limit; peek() tells whether the next
event would be refused without counting it."""

import pytest

from core.ratelimit import count, hit, parse_rate, peek


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


def test_count_answers_the_window_for_rate_limit_headers(ratelimit_clock):
    ratelimit_clock.advance(9)  # 10 seconds into a 60-second window
    first = count("api:k", 2, 60)
    assert (first.count, first.limit, first.remaining, first.reset) == (1, 2, 1, 50)
    assert not first.exceeded
    count("api:k", 2, 60)
    third = count("api:k", 2, 60)
    assert (third.count, third.remaining, third.exceeded) == (3, 0, True)
    assert count("api:other", 2, 60).count == 1


def test_count_starts_each_window_from_zero(ratelimit_clock):
    for _ in range(3):
        count("api:k", 2, 60)
    ratelimit_clock.advance(59)
    window = count("api:k", 2, 60)
    assert (window.count, window.reset) == (1, 60)


def test_hit_and_peek_read_the_same_counter(ratelimit_clock):
    """hit() writes through Redis directly when the cache is Redis; peek() reads through the
    cache API: both must name the counter alike (KEY_PREFIX and version included)."""
    hit("k", "three")
    hit("k", "three")
    assert peek(("k", "three")) is None
    hit("k", "three")
    assert peek(("k", "three")) == 59
