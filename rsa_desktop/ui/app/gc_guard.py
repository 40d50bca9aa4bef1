"""Python's cyclic garbage collector runs on the GUI thread only.

Automatic collection starts in whichever thread allocates when a threshold is passed: as likely a worker
of an export or of the status check as the GUI thread. It then frees, on that thread, every Qt wrapper
caught in the cycles it breaks, and a Qt object destroyed outside the thread that owns it is a rare crash
that no test can reproduce at will. As pyqtgraph and GitFourchette do, automatic collection is turned off
and a GUI-thread timer collects each generation once its threshold is passed: the interpreter's own
policy, on the right thread.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

CHECK_MS = 250  # how often the counts are looked at (cheap: three integers)
# A full collection walks the whole heap (tens of ms on a large file): at most this often, like the
# interpreter's own rule that skips most full collections while the heap grows.
FULL_EVERY_S = 10.0

_collector: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    def __init__(self, app: QApplication):
        super().__init__(app)
        self.threshold = gc.get_threshold()
        self.last_full = time.monotonic()
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        gc.disable()
        self.timer.start()

    def check(self) -> None:
        c0, c1, c2 = gc.get_count()
        t0, t1, t2 = self.threshold
        if c0 <= t0:
            return
        generation = 0
        if c1 > t1:
            generation = 1
            if c2 > t2 and time.monotonic() - self.last_full >= FULL_EVERY_S:
                generation = 2
                self.last_full = time.monotonic()
        gc.collect(generation)


def install(app: QApplication | None = None) -> GuiThreadCollector:
    """Collect garbage on the GUI thread only, from now on (idempotent)."""
    global _collector
    if _collector is None:
        instance = app or QApplication.instance()
        assert isinstance(instance, QApplication)
        _collector = GuiThreadCollector(instance)
    return _collector
