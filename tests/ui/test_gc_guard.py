"""Cyclic garbage is collected on the GUI thread only (ui/app/gc_guard.py): a worker that allocates enough to
pass the collector's threshold must not free, on its own thread, the Qt wrappers caught in a cycle."""

from __future__ import annotations

import gc
import threading

from rsa_desktop.ui.app import gc_guard
from rsa_desktop.ui.app.main_window import MainWindow


class _Witness:
    """Part of a reference cycle; records the thread that finally frees it."""

    freed_on: list[int] = []

    def __init__(self):
        self.me = self

    def __del__(self):
        _Witness.freed_on.append(threading.get_ident())


def test_the_window_turns_automatic_collection_off(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    assert not gc.isenabled()
    assert gc_guard.install() is gc_guard.install()  # once per application


def test_garbage_made_anywhere_is_freed_on_the_gui_thread(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    gc.collect()
    _Witness.freed_on.clear()
    _Witness()  # unreachable now, but only a cyclic collection frees it

    kept: list[list[int]] = []

    def allocate():  # far past the threshold: an automatic collection would start on this thread
        kept.extend([i] for i in range(gc.get_threshold()[0] * 5))

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()
    assert _Witness.freed_on == []  # nothing was collected on the worker
    qtbot.waitUntil(lambda: _Witness.freed_on != [], timeout=5000)
    assert _Witness.freed_on == [threading.get_ident()]
    kept.clear()
