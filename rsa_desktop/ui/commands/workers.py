"""Long operations in a QThreadPool worker with a progress dialog, so the window never freezes.

The operation must not touch widgets; it gets plain arguments and returns a plain result, which
is delivered to `on_done` in the GUI thread (Anki's operation pattern).

What a worker thread lets go of is only ever an int. The operation (a closure over a view, a session,
a window), its result and its exception live in a registry owned by the GUI thread, and the worker hands
back nothing but the job's number. A Qt object freed on a worker – the last reference to a closed window
dropped when a finished job's closure died there – would be destroyed on the wrong thread while the GUI
thread may be deleting the same objects.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget


@dataclass
class _Task:
    fn: Callable[[], Any]
    deliver: Callable[[bool, Any], None]
    owner: QObject | None = None  # delivered only while this object exists
    outcome: tuple[bool, Any] | None = None


_tasks: dict[int, _Task] = {}  # read by workers, changed and emptied only by the GUI thread
_numbers = itertools.count(1)
_operations: set[int] = set()  # run_in_background operations under way (they may hold the file's transaction)


class _Finished(QObject):
    finished = Signal(int)


_announcer: _Finished | None = None  # made in the GUI thread on first use and kept for the program's life


def _announce() -> _Finished:
    global _announcer
    if _announcer is None:
        _announcer = _Finished()
        _announcer.finished.connect(_deliver, Qt.ConnectionType.QueuedConnection)
    return _announcer


def busy() -> bool:
    """Whether a long operation (run_in_background) is under way: it may hold the session's batch or the
    file's write lock, so idle-time work that reads the file waits until it is done."""
    return bool(_operations)


class _Runnable(QRunnable):
    def __init__(self, number: int, announcer: _Finished):
        super().__init__()
        self.number, self.announcer = number, announcer  # the announcer lives as long as the program
        self.setAutoDelete(True)

    def run(self) -> None:
        number, announcer = self.number, self.announcer
        task = _tasks[number]
        fn = task.fn
        try:
            value = fn()
            ok = True
        except BaseException as exc:  # noqa: BLE001 - delivered to the GUI thread, its traceback (and the
            value, ok = exc, False  # locals of its frames) kept by the task until then
        task.outcome = (ok, value)
        del fn, value, task  # before announcing: from then on the GUI thread may let go of them
        announcer.finished.emit(number)


def _deliver(number: int) -> None:
    task = _tasks.pop(number)
    assert task.outcome is not None  # set by the worker before it announces the number
    ok, value = task.outcome
    if task.owner is not None and not shiboken6.isValid(task.owner):
        return  # its window was closed meanwhile: nobody to tell
    task.deliver(ok, value)


def _submit(pool: QThreadPool, fn: Callable[[], Any], deliver: Callable[[bool, Any], None],
            owner: QObject | None = None) -> int:
    number = next(_numbers)
    _tasks[number] = _Task(fn, deliver, owner)
    pool.start(_Runnable(number, _announce()))
    return number


def run_in_background(parent: QWidget | None, label: str, fn: Callable[[], Any],
                      on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]) -> QProgressDialog:
    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setWindowTitle(QCoreApplication.translate("workers", "Arbetar…"))
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    number = 0

    def deliver(ok: bool, value: Any) -> None:
        dialog.reset()
        dialog.close()
        dialog.deleteLater()
        _operations.discard(number)
        if ok:
            on_done(value)
        else:
            on_error(value)

    number = _submit(QThreadPool.globalInstance(), fn, deliver)
    _operations.add(number)
    return dialog


class Job(QObject):
    """A quiet background computation (no dialog): `fn` runs on the job's own thread pool, its result (or
    exception) comes back to `on_done` / `on_error` in the GUI thread – unless this job has been destroyed
    meanwhile (with its parent). `running` is True from start() until the result has been delivered."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one at a time: a newer request waits for (and supersedes) the older
        self.running = False
        self._pending: set[int] = set()

    def start(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None]) -> None:
        number = 0

        def deliver(ok: bool, value: Any) -> None:
            self._pending.discard(number)
            self.running = bool(self._pending)
            if ok:
                on_done(value)
            else:
                on_error(value)

        self.running = True
        number = _submit(self._pool, fn, deliver, owner=self)
        self._pending.add(number)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the running computation has finished (its result is still delivered by the event loop)."""
        return self._pool.waitForDone(msecs)
