"""Long operations in a QThreadPool worker with a progress dialog, so the window never freezes.

The operation must not touch widgets; it gets plain arguments and returns a plain result, which
is delivered to `on_done` in the GUI thread (Anki's operation pattern).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

_running: set = set()
_operations: set = set()  # run_in_background operations under way (they may hold the file's transaction)


def busy() -> bool:
    """Whether a long operation (run_in_background) is under way: it may hold the session's batch or the
    file's write lock, so idle-time work that reads the file waits until it is done."""
    return bool(_operations)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals):
        super().__init__()
        self.fn = fn
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread
            self.signals.failed.emit((exc, sys.exc_info()[2]))
            return
        self.signals.done.emit(result)


def run_in_background(parent: QWidget | None, label: str, fn: Callable[[], Any],
                      on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]) -> QProgressDialog:
    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setWindowTitle(QCoreApplication.translate("workers", "Arbetar…"))
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    signals = _Signals()
    _running.add(signals)
    _operations.add(signals)

    def finish():
        dialog.reset()
        dialog.close()
        dialog.deleteLater()
        _running.discard(signals)
        _operations.discard(signals)

    def done(result):
        finish()
        on_done(result)

    def failed(payload):
        finish()
        on_error(payload[0])

    signals.done.connect(done, Qt.ConnectionType.QueuedConnection)
    signals.failed.connect(failed, Qt.ConnectionType.QueuedConnection)
    QThreadPool.globalInstance().start(_Job(fn, signals))
    return dialog


class Job(QObject):
    """A quiet background computation (no dialog): `fn` runs on the job's own thread pool, its result (or
    exception) comes back to `on_done` / `on_error` in the GUI thread – unless the job's parent has been
    destroyed meanwhile (the delivery is connected to this object). `running` is True from start() until
    the result has been delivered."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one at a time: a newer request waits for (and supersedes) the older
        self.running = False
        self._callbacks: dict[int, tuple] = {}
        self._next = 0

    def start(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None]) -> None:
        self._next += 1
        key = self._next
        self._callbacks[key] = (on_done, on_error)
        signals = _Signals()
        _running.add(signals)
        self.running = True
        signals.done.connect(self._delivered, Qt.ConnectionType.QueuedConnection)
        signals.failed.connect(self._delivered, Qt.ConnectionType.QueuedConnection)

        def run():
            try:
                return (key, True, fn(), signals)
            except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread
                return (key, False, exc, signals)

        self._pool.start(_Job(run, signals))

    def _delivered(self, payload) -> None:
        key, ok, value, signals = payload
        _running.discard(signals)
        on_done, on_error = self._callbacks.pop(key)
        self.running = bool(self._callbacks)
        if ok:
            on_done(value)
        else:
            on_error(value)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the running computation has finished (its result is still delivered by the event loop)."""
        return self._pool.waitForDone(msecs)
