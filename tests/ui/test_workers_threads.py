"""A worker thread lets go of nothing but an int (ui/commands/workers.py): what an operation's closure, result
or exception holds – in the program a view, a session, a whole window – is freed on the GUI thread, after the
delivery, even when the worker finishes after everyone else has dropped it."""

from __future__ import annotations

import threading

import pytest

from rsa_desktop.ui.commands import workers


class _Held:
    """Stands for a Qt object a closure holds; records the thread that frees it."""

    def __init__(self, freed: list[int]):
        self.freed = freed

    def __del__(self):
        self.freed.append(threading.get_ident())


@pytest.mark.parametrize("fails", [False, True])
def test_a_quiet_jobs_closure_and_outcome_are_freed_on_the_gui_thread(qtbot, fails):
    freed: list[int] = []
    box = [_Held(freed)]
    gate = threading.Event()
    got: list[object] = []

    def work():
        held = box.pop()  # now only this frame holds it: its traceback keeps it when the job fails
        gate.wait(5)
        if fails:
            raise RuntimeError("fel i beräkningen")
        return held

    job = workers.Job()
    job.start(work, got.append, got.append)
    gate.set()
    assert job.wait(5000)
    assert freed == []  # the worker ended without freeing it
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    got.clear()
    qtbot.waitUntil(lambda: bool(freed), timeout=5000)
    assert freed == [threading.get_ident()]


def test_a_long_operations_closure_is_freed_on_the_gui_thread(qtbot):
    freed: list[int] = []
    held = [_Held(freed)]
    done: list[object] = []

    def work(h=held.pop()):  # the closure's own reference is the only one left
        return 42

    dialog = workers.run_in_background(None, "Arbetar", work, done.append, done.append)
    del work
    qtbot.waitUntil(lambda: done == [42], timeout=5000)
    del dialog
    qtbot.waitUntil(lambda: bool(freed), timeout=5000)
    assert freed == [threading.get_ident()]
    assert not workers.busy()


def test_a_destroyed_jobs_result_is_dropped(qtbot):
    """A job dies with its window: a result that arrives afterwards reaches nobody (and frees on the GUI thread)."""
    from PySide6.QtCore import QObject

    parent = QObject()
    job = workers.Job(parent)
    gate = threading.Event()
    got: list[object] = []
    job.start(lambda: gate.wait(5), got.append, got.append)
    threading.Timer(0.2, gate.set).start()
    del job, parent  # the window closes while the job runs: its pool waits for it, then goes
    qtbot.wait(300)
    assert got == []
