"""The race harness itself (tests/races.py): what the race tests rely on."""

import threading

import pytest

from tests.races import in_own_connection, messages, run_concurrently


def test_it_runs_the_callables_at_the_same_time_and_returns_in_their_order():
    first_ran, second_ran = threading.Event(), threading.Event()

    def first():
        first_ran.set()
        assert second_ran.wait(5), "the second never ran alongside"
        return "first"

    def second():
        second_ran.set()
        assert first_ran.wait(5), "the first never ran alongside"
        raise ValueError("second failed")

    outcomes = run_concurrently(first, second)

    assert outcomes[0] == "first"
    assert isinstance(outcomes[1], ValueError) and str(outcomes[1]) == "second failed"


def test_messages_gives_the_text_of_expected_errors_and_raises_the_others():
    assert messages(["done", ValueError("refused")], ValueError) == ["done", "refused"]
    with pytest.raises(KeyError):
        messages(["done", KeyError("unexpected")], ValueError)


def test_a_thread_still_running_after_the_timeout_fails_the_test():
    release = threading.Event()
    try:
        with pytest.raises(AssertionError, match="1 of 2 threads still running"):
            run_concurrently(lambda: "quick", lambda: release.wait(10), timeout=0.5)
    finally:
        release.set()


def test_in_own_connection_returns_the_value_or_raises():
    assert in_own_connection(lambda: 42) == 42
    with pytest.raises(ZeroDivisionError):
        in_own_connection(lambda: 1 / 0)
