"""Work off the GUI thread (ui.operations): when it counts as still at work."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")

from ui import operations  # noqa: E402


def test_work_whose_answer_has_come_is_no_longer_at_work_before_its_thread_says_it_ended(
        qtbot, ended_held_back):
    """The answer reaches the GUI thread a moment before the thread's "ended"; on a busy
    machine a key pressed in between must see the work as done (CI failed on this in search),
    and whoever sees it done must also see what its callbacks did (a stress run failed on
    the lock page when the flag flipped before the unlock had happened)."""
    seen, ended = [], []
    operation = operations.in_pool(lambda _p, _s: 42, done=lambda value: seen.append(
        (value, operations.is_running(operation))), ended=lambda: ended.append(True))
    qtbot.waitUntil(lambda: not operations.is_running(operation), timeout=3000)
    assert seen == [(42, True)]   # its callback ran first, and saw it still at work
    assert operation.running and not ended   # the thread has not said it ended
    ended_held_back.set()
    qtbot.waitUntil(lambda: bool(ended), timeout=3000)   # "ended" still comes, last
    assert not operation.running


def test_work_that_failed_is_not_at_work_either(qtbot):
    failures = []

    def broken(_progress, _stop):
        raise OSError("the disk is full")
    operation = operations.in_pool(broken, failed=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=3000)
    assert len(failures) == 1 and "the disk is full" in failures[0]
    assert not operations.is_running(operation)
